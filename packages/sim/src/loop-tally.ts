import type { ActionSpace } from "@kairos/core";
import type { DailySeries, GroupRun } from "./loop.js";

/** One day's totals of a group, added up customer by customer. */
export class DayTally {
  reward = 0;
  expected = 0;
  oracle = 0;
  conversions = 0;
  unsubscribes = 0;
  /** Per dimension: sends whose option equals the truly best action's. */
  readonly matches: Float64Array;

  constructor(dimensions: number) {
    this.matches = new Float64Array(dimensions);
  }

  /** Any customer's outcome (a holdout customer's too): realised and expected reward, conversion. */
  addOutcome(reward: number, expected: number, converted: boolean): void {
    this.reward += reward;
    this.expected += expected;
    if (converted) this.conversions++;
  }

  /** A message sent: the best action's expected reward, per-dimension agreement with it, an unsubscribe. */
  addSend(oracle: number, chosenCodes: Int32Array, oracleCodes: Int32Array, unsubscribed: boolean): void {
    this.oracle += oracle;
    for (let k = 0; k < this.matches.length; k++) if (chosenCodes[k] === oracleCodes[k]) this.matches[k]!++;
    if (unsubscribed) this.unsubscribes++;
  }

  /** Appends the day to the series (the oracle column is 0 for a holdout, which sends nothing). */
  appendTo(daily: DailySeries, opportunities: number, dimensions: readonly string[], holdout: boolean): void {
    daily.opportunities.push(opportunities);
    daily.reward.push(this.reward);
    daily.expected.push(this.expected);
    daily.oracle.push(holdout ? 0 : this.oracle);
    daily.conversions.push(this.conversions);
    daily.unsubscribes.push(this.unsubscribes);
    dimensions.forEach((d, k) => {
      daily.bestMatch[d]!.push(this.matches[k]!);
    });
  }
}

/** An empty daily series over the given dimensions. */
export function emptySeries(dimensions: readonly string[]): DailySeries {
  return {
    opportunities: [],
    reward: [],
    expected: [],
    oracle: [],
    conversions: [],
    unsubscribes: [],
    bestMatch: Object.fromEntries(dimensions.map((d) => [d, [] as number[]])),
  };
}

/** Counts the chosen option of every dimension under the customer's segment value. */
export function countPreference(
  preferences: GroupRun["preferences"],
  segment: string,
  space: ActionSpace,
  chosenCodes: Int32Array,
): void {
  const dims = space.dimensions;
  const prefs = (preferences[segment] ??= Object.fromEntries(dims.map((d) => [d, {}])));
  for (let k = 0; k < dims.length; k++) {
    const option = String(space.options[k]![chosenCodes[k]!]);
    prefs[dims[k]!]![option] = (prefs[dims[k]!]![option] ?? 0) + 1;
  }
}

/** Mean and sample variance of the customers' total rewards over the horizon. */
export function perCustomerOf(totals: ReadonlyMap<number, number>): GroupRun["perCustomer"] {
  let mean = 0;
  for (const v of totals.values()) mean += v;
  const n = totals.size;
  mean /= Math.max(1, n);
  let ss = 0;
  for (const v of totals.values()) ss += (v - mean) ** 2;
  return { mean, variance: n > 1 ? ss / (n - 1) : 0 };
}
