import {
  type ActionRecord,
  type ActionSpace,
  type Context,
  type DecideOptions,
  type Eligibility,
  type Feedback,
  NoEligibleActionError,
  type Policy,
} from "@kairos/core";
import type { FeatureValue, Population } from "./population.js";
import { type Calendar, calendarOf, type Evaluation, type ResponseModel } from "./response.js";
import type { Scenario } from "./scenario/schema.js";
import { hashString, keyedStream } from "./streams.js";

/** One logged decision (or holdout non-send), with what the simulator knows about it. */
export interface LoggedDecision {
  day: number;
  customer: number;
  /** The context the policy saw. */
  context: Record<string, FeatureValue>;
  /** Eligibility the policy was given (unsubscribed options denied). */
  eligibility?: Eligibility;
  actionIndex: number;
  action: ActionRecord;
  propensity: number;
  reward: number;
  /** Expected reward of the chosen action, and of the best eligible one (simulator truth). */
  expected: number;
  oracle: number;
  converted: boolean;
  unsubscribed: boolean;
  /** Days until the outcome reached the policy. */
  delay: number;
}

/** Daily series of one simulated group. */
export interface DailySeries {
  /** Customers due that day (decisions made, or holdout customers left alone). */
  opportunities: number[];
  reward: number[];
  expected: number[];
  oracle: number[];
  conversions: number[];
  unsubscribes: number[];
  /** Per dimension: decisions whose option equals the truly best one's. */
  bestMatch: Record<string, number[]>;
}

/** Everything one policy (or holdout) produced on one group of customers. */
export interface GroupRun {
  customers: number;
  days: number;
  daily: DailySeries;
  /** Total reward per customer over the horizon: mean and sample variance (for uplift intervals). */
  perCustomer: { mean: number; variance: number };
  /** Option counts per segment value, per dimension. */
  preferences: Record<string, Record<string, Record<string, number>>>;
}

/** Settings of one simulated group. */
export interface SimulateOptions {
  scenario: Scenario;
  space: ActionSpace;
  population: Population;
  model: ResponseModel;
  seed: string | number;
  /** Customers of this group. */
  customers: Int32Array;
  /** The policy; "oracle" sends the truly best action; null sends nothing (holdout). */
  policy: Policy | "oracle" | null;
  days?: number;
  /** Most customers messaged per day. */
  capacity?: number;
  /** Clip rewards fed to the policy (after scaling) into this range (beta-thompson learns from [0, 1]). */
  clipRewards?: [number, number];
  onDecision?: (entry: LoggedDecision) => void;
  onDay?: (day: number) => void;
}

/**
 * Runs the daily loop for one group: each day the customers due (by cadence, minus the unsubscribed) get
 * one decision each, outcomes are drawn, and each outcome reaches the policy after its delay (a
 * conversion on its day, a non-conversion once the attribution window closes); the policy learns every
 * night from what arrived.
 */
export function simulateGroup(o: SimulateOptions): GroupRun {
  const { scenario, space, population, model } = o;
  const days = o.days ?? scenario.days;
  const seedHash = hashString(`${o.seed}\u0000outcomes`);
  const dueHash = hashString(`${o.seed}\u0000audience`);
  const window = scenario.fatigue?.window ?? 7;
  const dims = space.dimensions;
  const unsubDim =
    scenario.unsubscribe?.dimension !== undefined ? space.dimensionIndex(scenario.unsubscribe.dimension) : -1;
  const segmentFeature = scenario.population.segmentFeature;
  const rewardScale = rewardScaleOf(scenario);
  const daily: DailySeries = {
    opportunities: [],
    reward: [],
    expected: [],
    oracle: [],
    conversions: [],
    unsubscribes: [],
    bestMatch: Object.fromEntries(dims.map((d) => [d, [] as number[]])),
  };
  const preferences: GroupRun["preferences"] = {};
  const totals = new Map<number, number>();
  for (const i of o.customers) totals.set(i, 0);
  const sends = new Map<number, number[]>();
  const denied = new Map<number, Set<number>>();
  const gone = new Set<number>();
  const pending: Feedback[][] = Array.from({ length: days }, () => []);
  const ev: Evaluation = model.newEvaluation();
  const oracleCodes = new Int32Array(dims.length);
  const chosenCodes = new Int32Array(dims.length);

  for (let day = 0; day < days; day++) {
    const cal: Calendar = calendarOf(scenario, day);
    let due: number[] = [];
    for (const i of o.customers) {
      if (gone.has(i)) continue;
      const c = population.cadence[i]!;
      if (day >= population.offset[i]! && (day - population.offset[i]!) % c === 0) due.push(i);
    }
    if (o.capacity !== undefined && due.length > o.capacity)
      due = sample(due, o.capacity, keyedStream(dueHash, day));
    const recents = due.map((i) => recentCount(sends.get(i), day, window));
    const contexts: Record<string, FeatureValue>[] = due.map((i, j) => ({
      ...population.contexts[i],
      weekend: cal.weekend,
      recentMessages: recents[j]!,
    }));
    const eligibilities = due.map((i) => eligibilityOf(denied.get(i), unsubDim, space));
    let decisions: ({ actionIndex: number; propensity: number } | null)[] | undefined;
    if (o.policy && o.policy !== "oracle") {
      const options: DecideOptions[] = due.map((i, j) => ({
        decisionId: `${day}-${i}`,
        ...(eligibilities[j] ? { eligibility: eligibilities[j] } : {}),
      }));
      decisions = decideAll(o.policy, contexts, options);
    }
    let sumReward = 0;
    let sumExpected = 0;
    let sumOracle = 0;
    let conversions = 0;
    let unsubscribes = 0;
    const matches = new Float64Array(dims.length);
    for (let j = 0; j < due.length; j++) {
      const i = due[j]!;
      model.evaluate(i, cal, recents[j]!, ev);
      const blocked = denied.get(i);
      // The truly best eligible action today (myopic oracle).
      let best = -1;
      for (let f = 0; f < model.feasibleCount; f++) {
        if (blocked?.has(model.codes[unsubDim]![f]!)) continue;
        if (best < 0 || ev.expected[f]! > ev.expected[best]!) best = f;
      }
      let f: number;
      let propensity = 1;
      // A customer no action can reach (every option left is unsubscribed or ineligible) is skipped.
      if (decisions && decisions[j] === null) continue;
      if (o.policy === null) f = -1;
      else if (o.policy === "oracle") f = best;
      else {
        f = model.positionOf[decisions![j]!.actionIndex]!;
        propensity = decisions![j]!.propensity;
        if (f < 0) throw new Error(`policy chose an infeasible action ${decisions![j]!.actionIndex}`);
      }
      const outcome = model.draw(seedHash, i, cal, f, ev);
      const expected = f < 0 ? model.organic(i, cal).expected : ev.expected[f]!;
      sumReward += outcome.reward;
      sumExpected += expected;
      totals.set(i, totals.get(i)! + outcome.reward);
      if (outcome.converted) conversions++;
      if (f < 0) continue;
      sumOracle += ev.expected[best]!;
      const actionIndex = model.feasible[f]!;
      space.codesOf(actionIndex, chosenCodes);
      space.codesOf(model.feasible[best]!, oracleCodes);
      for (let k = 0; k < dims.length; k++) if (chosenCodes[k] === oracleCodes[k]) matches[k]!++;
      const segment = segmentFeature ? String(population.values[segmentFeature]![i]) : "all";
      const prefs = (preferences[segment] ??= Object.fromEntries(dims.map((d) => [d, {}])));
      for (let k = 0; k < dims.length; k++) {
        const option = String(space.options[k]![chosenCodes[k]!]);
        prefs[dims[k]!]![option] = (prefs[dims[k]!]![option] ?? 0) + 1;
      }
      let history = sends.get(i);
      if (!history) sends.set(i, (history = []));
      history.push(day);
      if (history.length > window) history.shift();
      if (outcome.unsubscribed) {
        unsubscribes++;
        if (unsubDim < 0) gone.add(i);
        else {
          let set = denied.get(i);
          if (!set) denied.set(i, (set = new Set()));
          set.add(chosenCodes[unsubDim]!);
          if (set.size >= space.optionCount(unsubDim)) gone.add(i);
        }
      }
      const arrival = day + (outcome.converted ? outcome.delay : model.window);
      let reward = outcome.reward / rewardScale;
      if (o.clipRewards) reward = Math.min(o.clipRewards[1], Math.max(o.clipRewards[0], reward));
      if (arrival < days && o.policy !== "oracle") {
        pending[arrival]!.push({
          context: contexts[j]!,
          action: actionIndex,
          reward,
          decisionId: `${day}-${i}`,
          ...(Number.isFinite(propensity) ? { propensity } : {}),
        });
      }
      o.onDecision?.({
        day,
        customer: i,
        context: contexts[j]!,
        ...(eligibilities[j] ? { eligibility: eligibilities[j] } : {}),
        actionIndex,
        action: space.recordOf(actionIndex),
        propensity,
        reward: outcome.reward,
        expected,
        oracle: ev.expected[best]!,
        converted: outcome.converted,
        unsubscribed: outcome.unsubscribed,
        delay: outcome.converted ? outcome.delay : model.window,
      });
    }
    daily.opportunities.push(due.length);
    daily.reward.push(sumReward);
    daily.expected.push(sumExpected);
    daily.oracle.push(o.policy === null ? 0 : sumOracle);
    daily.conversions.push(conversions);
    daily.unsubscribes.push(unsubscribes);
    dims.forEach((d, k) => {
      daily.bestMatch[d]!.push(matches[k]!);
    });
    // Overnight: the policy learns from everything that arrived today (an empty batch still ends the day).
    if (o.policy && o.policy !== "oracle") o.policy.update(pending[day]!);
    pending[day] = [];
    o.onDay?.(day);
  }
  let mean = 0;
  for (const v of totals.values()) mean += v;
  const n = totals.size;
  mean /= Math.max(1, n);
  let ss = 0;
  for (const v of totals.values()) ss += (v - mean) ** 2;
  return {
    customers: n,
    days,
    daily,
    perCustomer: { mean, variance: n > 1 ? ss / (n - 1) : 0 },
    preferences,
  };
}

/** What policies' rewards are divided by: the scenario's `rewardScale`, else the mean purchase amount, else 1. */
export function rewardScaleOf(scenario: Scenario): number {
  if (scenario.rewardScale !== undefined) return scenario.rewardScale;
  if (scenario.metric.kind === "conversion" || !scenario.revenue) return 1;
  return Math.exp(scenario.revenue.mu + scenario.revenue.sigma ** 2 / 2);
}

/** Decides for the whole audience; when some customer has no eligible action, decides one by one and skips them. */
function decideAll(
  policy: Policy,
  contexts: Record<string, FeatureValue>[],
  options: DecideOptions[],
): ({ actionIndex: number; propensity: number } | null)[] {
  try {
    return policy.decideBatch(contexts as Context[], options);
  } catch (e) {
    if (!(e instanceof NoEligibleActionError)) throw e;
    return contexts.map((c, j) => {
      try {
        return policy.decide(c as Context, options[j]);
      } catch (inner) {
        if (inner instanceof NoEligibleActionError) return null;
        throw inner;
      }
    });
  }
}

function recentCount(history: number[] | undefined, day: number, window: number): number {
  if (!history) return 0;
  let n = 0;
  for (const d of history) if (d >= day - window) n++;
  return n;
}

function eligibilityOf(
  blocked: Set<number> | undefined,
  dim: number,
  space: ActionSpace,
): Eligibility | undefined {
  if (!blocked || blocked.size === 0) return undefined;
  return { deny: { [space.dimensions[dim]!]: [...blocked].map((c) => space.options[dim]![c]!) } };
}

/** A uniform subset of `k` items (partial Fisher–Yates), in original order. */
function sample(items: number[], k: number, rng: { next(): number }): number[] {
  const copy = items.slice();
  for (let j = 0; j < k; j++) {
    const r = j + Math.floor(rng.next() * (copy.length - j));
    [copy[j], copy[r]] = [copy[r]!, copy[j]!];
  }
  return copy.slice(0, k).sort((a, b) => a - b);
}
