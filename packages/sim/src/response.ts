import { type ActionSpace, stableNormal } from "@kairos/core";
import type { Population } from "./population.js";
import { matchesCondition } from "./scenario/condition.js";
import type { Scenario, Term } from "./scenario/schema.js";
import { keyedStream } from "./streams.js";

/** Calendar facts of one simulated day. */
export interface Calendar {
  day: number;
  /** 0 = Monday … 6 = Sunday. */
  dayOfWeek: number;
  weekend: boolean;
}

/** The calendar of day `day` of a scenario. */
export function calendarOf(scenario: Scenario, day: number): Calendar {
  const dayOfWeek = (scenario.startDayOfWeek + day) % 7;
  return { day, dayOfWeek, weekend: dayOfWeek >= 5 };
}

interface CompiledTerm {
  effect: number;
  fromDay: number;
  /** Per customer: the effect times the `times` features when the feature conditions hold, else 0. */
  byCustomer: Float64Array;
  weekend?: boolean;
  daysOfWeek?: Uint8Array;
  /** Feasible positions whose action meets the term's action conditions; null when it names no dimension. */
  positions: Int32Array | null;
  peak?: {
    dim: number;
    optionValues: Float64Array;
    center: readonly number[];
    width: number;
    period?: number;
  };
}

/** Expected outcomes of every feasible action for one customer on one day (buffers reused across calls). */
export interface Evaluation {
  /** Conversion probability. */
  prob: Float64Array;
  /** Log-mean of the purchase amount (lognormal). */
  logAmount: Float64Array;
  /** Unsubscribe probability. */
  unsub: Float64Array;
  /** Expected reward under the scenario metric. */
  expected: Float64Array;
}

/** What happened after one send (or one non-send for a holdout customer). */
export interface Outcome {
  converted: boolean;
  /** Purchase amount (0 when not converted or for the conversion metric). */
  amount: number;
  /** Reward under the scenario metric, costs and unsubscribe penalty included. */
  reward: number;
  /** Days between the send and the conversion (meaningful when converted). */
  delay: number;
  unsubscribed: boolean;
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/**
 * The true response model of a scenario, compiled for speed: each term becomes a per-customer factor and
 * the set of feasible actions it applies to, so scoring every action for a customer is a few vector adds.
 */
export class ResponseModel {
  /** Action indices of the feasible combinations, and the inverse map (-1 when infeasible). */
  readonly feasible: Int32Array;
  readonly positionOf: Int32Array;
  /** Per dimension, the option code of each feasible position. */
  readonly codes: readonly Int32Array[];
  readonly feasibleCount: number;
  private readonly intercept: number;
  private readonly logitTerms: CompiledTerm[];
  private readonly revenueTerms: CompiledTerm[];
  private readonly discount: Float64Array;
  private readonly cost: Float64Array;
  private readonly unsubShift: Float64Array;
  private readonly delayCdf: Float64Array;

  constructor(
    readonly scenario: Scenario,
    readonly space: ActionSpace,
    readonly population: Population,
  ) {
    const feasible: number[] = [];
    space.forEachFeasible(space.compileEligibility(undefined), (codes) => {
      feasible.push(space.indexOfCodes(codes));
      return true;
    });
    this.feasible = Int32Array.from(feasible);
    this.feasibleCount = feasible.length;
    this.positionOf = new Int32Array(space.size).fill(-1);
    feasible.forEach((a, f) => {
      this.positionOf[a] = f;
    });
    this.codes = space.dimensions.map((_, k) => {
      const out = new Int32Array(feasible.length);
      const buf = new Int32Array(space.dimensions.length);
      feasible.forEach((a, f) => {
        out[f] = space.codesOf(a, buf)[k]!;
      });
      return out;
    });
    this.intercept = scenario.response.intercept;
    this.logitTerms = scenario.response.terms.map((t) => this.compile(t, 0));
    this.revenueTerms = (scenario.revenue?.terms ?? []).map((t) => this.compile(t, 0));
    for (const d of scenario.drift) {
      for (const t of d.terms) this.logitTerms.push(this.compile(t, d.day));
      for (const t of d.revenueTerms) this.revenueTerms.push(this.compile(t, d.day));
    }
    this.discount = this.perOption(scenario.metric.discount?.dimension, scenario.metric.discount?.rates);
    this.cost = this.perOption(scenario.metric.cost?.dimension, scenario.metric.cost?.costs);
    this.unsubShift = this.perOption(scenario.unsubscribe?.dimension, scenario.unsubscribe?.byOption);
    let acc = 0;
    this.delayCdf = Float64Array.from(scenario.delays, (p) => (acc += p));
  }

  /** Last day after a send on which its outcome can still arrive (the attribution window). */
  get window(): number {
    return this.delayCdf.length - 1;
  }

  /** Fresh buffers for {@link evaluate}. */
  newEvaluation(): Evaluation {
    const n = this.feasibleCount;
    return {
      prob: new Float64Array(n),
      logAmount: new Float64Array(n),
      unsub: new Float64Array(n),
      expected: new Float64Array(n),
    };
  }

  /** Scores every feasible action for customer `i` on a day, given the messages they got recently. */
  evaluate(i: number, cal: Calendar, recent: number, out: Evaluation): Evaluation {
    const s = this.scenario;
    const fatigue = s.fatigue ? s.fatigue.perMessage * Math.max(0, recent - s.fatigue.free) : 0;
    this.accumulate(this.logitTerms, i, cal, this.intercept - fatigue, out.prob);
    const sigma = s.revenue?.sigma ?? 0;
    this.accumulate(this.revenueTerms, i, cal, s.revenue?.mu ?? 0, out.logAmount);
    const unsubBase = s.unsubscribe
      ? s.unsubscribe.base + s.unsubscribe.perMessage * recent
      : Number.NEGATIVE_INFINITY;
    const penalty = s.unsubscribe?.penalty ?? 0;
    const money = s.metric.kind !== "conversion";
    for (let f = 0; f < this.feasibleCount; f++) {
      const p = sigmoid(out.prob[f]!);
      out.prob[f] = p;
      const pu = s.unsubscribe ? sigmoid(unsubBase + this.unsubShift[f]!) : 0;
      out.unsub[f] = pu;
      const value = money ? Math.exp(out.logAmount[f]! + (sigma * sigma) / 2) * (1 - this.discount[f]!) : 1;
      out.expected[f] = p * value - this.cost[f]! - pu * penalty;
    }
    return out;
  }

  /** Organic conversion probability and expected reward of a customer who gets no message that day. */
  organic(i: number, cal: Calendar): { prob: number; logAmount: number; expected: number } {
    const s = this.scenario;
    const prob = sigmoid(
      this.customerOnly(this.logitTerms, i, cal, this.intercept) + s.response.organicShift,
    );
    const logAmount = this.customerOnly(this.revenueTerms, i, cal, s.revenue?.mu ?? 0);
    const sigma = s.revenue?.sigma ?? 0;
    const value = s.metric.kind === "conversion" ? 1 : Math.exp(logAmount + (sigma * sigma) / 2);
    return { prob, logAmount, expected: prob * value };
  }

  /**
   * Draws the outcome of sending feasible position `f` (or nothing, `f = -1`) to customer `i` on `day`.
   * The draws are keyed by (seed, customer, day), so another policy sending something else to the same
   * customer that day faces the same uniforms.
   */
  draw(seedHash: number, i: number, cal: Calendar, f: number, ev: Evaluation): Outcome {
    const rng = keyedStream(seedHash, i, cal.day, 1);
    const uConvert = rng.next();
    const z = stableNormal(rng);
    const uDelay = rng.next();
    const uUnsub = rng.next();
    const s = this.scenario;
    let prob: number;
    let logAmount: number;
    let pu = 0;
    let discount = 0;
    let cost = 0;
    if (f < 0) {
      const o = this.organic(i, cal);
      prob = o.prob;
      logAmount = o.logAmount;
    } else {
      prob = ev.prob[f]!;
      logAmount = ev.logAmount[f]!;
      pu = ev.unsub[f]!;
      discount = this.discount[f]!;
      cost = this.cost[f]!;
    }
    const converted = uConvert < prob;
    const unsubscribed = uUnsub < pu;
    const amount =
      converted && s.metric.kind !== "conversion" ? Math.exp(logAmount + (s.revenue?.sigma ?? 0) * z) : 0;
    let delay = 0;
    while (delay < this.window && uDelay >= this.delayCdf[delay]!) delay++;
    const value = s.metric.kind === "conversion" ? (converted ? 1 : 0) : amount * (1 - discount);
    const reward = value - cost - (unsubscribed ? (s.unsubscribe?.penalty ?? 0) : 0);
    return { converted, amount, reward, delay, unsubscribed };
  }

  private accumulate(
    terms: CompiledTerm[],
    i: number,
    cal: Calendar,
    start: number,
    out: Float64Array,
  ): void {
    out.fill(start);
    for (const t of terms) {
      const factor = this.factor(t, i, cal);
      if (factor === 0) continue;
      if (t.peak) {
        const { dim, optionValues, center, width, period } = t.peak;
        const c = center[i]!;
        const bump = new Float64Array(optionValues.length);
        for (let o = 0; o < optionValues.length; o++) {
          let d = Math.abs(optionValues[o]! - c);
          if (period !== undefined) {
            d %= period;
            d = Math.min(d, period - d);
          }
          bump[o] = factor * Math.exp((-d * d) / (2 * width * width));
        }
        const codes = this.codes[dim]!;
        if (t.positions) for (const f of t.positions) out[f]! += bump[codes[f]!]!;
        else for (let f = 0; f < out.length; f++) out[f]! += bump[codes[f]!]!;
      } else if (t.positions) {
        for (const f of t.positions) out[f]! += factor;
      } else {
        for (let f = 0; f < out.length; f++) out[f]! += factor;
      }
    }
  }

  /** Sum of the terms that do not depend on the action (what a customer without a message is subject to). */
  private customerOnly(terms: CompiledTerm[], i: number, cal: Calendar, start: number): number {
    let total = start;
    for (const t of terms) if (!t.positions && !t.peak) total += this.factor(t, i, cal);
    return total;
  }

  private factor(t: CompiledTerm, i: number, cal: Calendar): number {
    if (cal.day < t.fromDay) return 0;
    if (t.weekend !== undefined && t.weekend !== cal.weekend) return 0;
    if (t.daysOfWeek && t.daysOfWeek[cal.dayOfWeek] === 0) return 0;
    return t.byCustomer[i]!;
  }

  private compile(term: Term, fromDay: number): CompiledTerm {
    const { population: pop, space } = this;
    const byCustomer = new Float64Array(pop.size).fill(term.effect);
    const times = term.times === undefined ? [] : Array.isArray(term.times) ? term.times : [term.times];
    for (const name of times) {
      const col = pop.scaled[name]!;
      for (let i = 0; i < pop.size; i++) byCustomer[i]! *= col[i]!;
    }
    const compiled: CompiledTerm = { effect: term.effect, fromDay, byCustomer, positions: null };
    let actionMask: Uint8Array | null = null;
    for (const [key, cond] of Object.entries(term.when ?? {})) {
      const field = `when.${key}`;
      if (key === "weekend") compiled.weekend = cond as boolean;
      else if (key === "dayOfWeek")
        compiled.daysOfWeek = Uint8Array.from({ length: 7 }, (_, d) =>
          matchesCondition(d, cond, field) ? 1 : 0,
        );
      else if (space.dimensionIndex(key) >= 0) {
        const k = space.dimensionIndex(key);
        const ok = space.options[k]!.map((o) => matchesCondition(o, cond, field));
        actionMask ??= new Uint8Array(this.feasibleCount).fill(1);
        const codes = this.codes[k]!;
        for (let f = 0; f < actionMask.length; f++) if (!ok[codes[f]!]) actionMask[f] = 0;
      } else {
        const col = pop.values[key]!;
        for (let i = 0; i < pop.size; i++) if (!matchesCondition(col[i]!, cond, field)) byCustomer[i] = 0;
      }
    }
    if (actionMask) {
      const positions: number[] = [];
      actionMask.forEach((m, f) => {
        m && positions.push(f);
      });
      compiled.positions = Int32Array.from(positions);
    }
    if (term.peak) {
      const dim = space.dimensionIndex(term.peak.dimension);
      compiled.peak = {
        dim,
        optionValues: Float64Array.from(space.options[dim]!, Number),
        center: pop.values[term.peak.center] as number[],
        width: term.peak.width,
        period: term.peak.period,
      };
    }
    return compiled;
  }

  private perOption(dimension: string | undefined, values: Record<string, number> | undefined): Float64Array {
    const out = new Float64Array(this.feasibleCount);
    if (dimension === undefined || !values) return out;
    const k = this.space.dimensionIndex(dimension);
    const byCode = this.space.options[k]!.map((o) => values[String(o)] ?? 0);
    const codes = this.codes[k]!;
    for (let f = 0; f < out.length; f++) out[f] = byCode[codes[f]!]!;
    return out;
  }
}
