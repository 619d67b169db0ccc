// What the harness replays: a learner decides the actions of a batch of rounds, then learns their rewards.
// Kairos policies are wrapped here; so are the two references (oracle, full-information ridge). The peer
// libraries' algorithms are in peers/.
import {
  type ActionRecord,
  createPolicy,
  createRng,
  type Decision,
  type Policy,
  type PolicyConfig,
  presetHasSetting,
} from "../../packages/core/src/index.js";
import { bestFeasible, coefficientOffsets, scoreUnits } from "./form-play.js";
import { choleskySolve } from "./linalg.js";
import type { Form, Problem } from "./problems.js";
import type { Stream } from "./stream.js";

export interface Learner {
  /** Actions (problem indices) for rounds t0 … t0 + n − 1, decided before any of their rewards is known. */
  decide(t0: number, n: number): Int32Array;
  /** Learns the rewards of those rounds. */
  update(t0: number, n: number, actions: Int32Array, rewards: Float64Array): void;
}

/** Kairos action space configuration of a problem. */
export function actionSpaceOf(problem: Problem) {
  return {
    dimensions: problem.dimensions.map((d) => ({ name: d.name, options: d.options })),
    constraints: problem.constraints,
  };
}

/**
 * Builds a Kairos preset at its default settings, with `settings` over them. Unless `propensities` is set,
 * `propensityDraws: 0` is passed to presets that take it: propensities come from a separate random stream
 * and never change a decision (checked by the test), and on 576 actions Monte-Carlo propensities cost up to
 * 20 ms a decision.
 */
export function createKairos(
  kind: string,
  problem: Problem,
  seed: number,
  propensities: boolean,
  settings: object = {},
): Policy {
  const takesDraws = presetHasSetting(kind, "propensityDraws");
  return createPolicy({
    kind,
    actionSpace: actionSpaceOf(problem),
    context: { vectorLength: problem.featureNames.length },
    seed: `learn-${seed}`,
    ...(takesDraws && !propensities ? { propensityDraws: 0 } : {}),
    ...settings,
  } as PolicyConfig);
}

export class KairosLearner implements Learner {
  private decisions: Decision[] = [];
  private readonly codes: Map<unknown, number>[];
  private readonly strides: number[];

  constructor(
    private readonly policy: Policy,
    private readonly stream: Stream,
  ) {
    const dims = stream.problem.dimensions;
    this.codes = dims.map((d) => new Map<unknown, number>(d.options.map((o, i) => [o, i])));
    this.strides = [];
    let s = 1;
    for (let k = dims.length - 1; k >= 0; k--) {
      this.strides[k] = s;
      s *= dims[k]!.options.length;
    }
  }

  private indexOf(record: ActionRecord): number {
    let index = 0;
    this.stream.problem.dimensions.forEach((d, k) => {
      const code = this.codes[k]!.get(record[d.name]);
      if (code === undefined) throw new Error(`unknown option ${String(record[d.name])} of ${d.name}`);
      index += code * this.strides[k]!;
    });
    return index;
  }

  decide(t0: number, n: number): Int32Array {
    const ctx = this.stream.contexts;
    this.decisions =
      n === 1 ? [this.policy.decide(ctx[t0]!)] : this.policy.decideBatch(ctx.slice(t0, t0 + n));
    return Int32Array.from(this.decisions, (d) => this.indexOf(d.action));
  }

  update(t0: number, n: number, _actions: Int32Array, rewards: Float64Array): void {
    const ctx = this.stream.contexts;
    const feedback = [];
    for (let i = 0; i < n; i++) {
      feedback.push({ context: ctx[t0 + i]!, action: this.decisions[i]!.actionIndex, reward: rewards[i]! });
    }
    this.policy.update(feedback);
  }
}

/** Knows the truth: the best feasible action of every round (regret 0 by construction). */
export class OracleLearner implements Learner {
  constructor(private readonly stream: Stream) {}

  decide(t0: number, n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const t = t0 + i;
      let best = -1;
      let value = Number.NEGATIVE_INFINITY;
      for (const a of this.stream.problem.feasible) {
        const v = this.stream.mean(t, a);
        if (v > value) {
          value = v;
          best = a;
        }
      }
      out[i] = best;
    }
    return out;
  }

  update(): void {}
}

/**
 * Full-information ridge (λ = 1) over a form: after each round it observes the reward of every feasible
 * action (independent Bernoulli draws, its own noise), refits by least squares, and plays greedily. It
 * bounds what a learner with that form could achieve without paying for exploration: with the true form,
 * the ceiling of model capacity; with a misspecified one (linear on the nonlinear problem), the cost of the
 * misspecification alone. Refits after rounds 1, 2, 4, …, 64 and every 100 rounds (each batch of 100).
 *
 * Cheap because Σ_a φ(x, a) φ(x, a)ᵀ needs no loop over actions: block (u, v) is C[u][v] · z zᵀ restricted
 * to the two units' features, C[u][v] being the number of feasible actions holding both units. So it keeps
 * only M = Σ_t z_t z_tᵀ and b.
 */
export class FullInfoLearner implements Learner {
  private readonly m: number;
  private readonly offsets: number[];
  private readonly size: number;
  private readonly counts: Float64Array;
  private readonly moments: Float64Array;
  private readonly b: Float64Array;
  private theta: Float64Array;
  private readonly rng;
  private seen = 0;
  private readonly unitSum: Float64Array;

  constructor(
    private readonly stream: Stream,
    private readonly form: Form,
    seed: number,
  ) {
    const problem = stream.problem;
    this.m = problem.basisLength;
    ({ offsets: this.offsets, size: this.size } = coefficientOffsets(form));
    const U = form.units.length;
    this.counts = new Float64Array(U * U);
    for (const a of problem.feasible) {
      const us = form.unitsOf[a]!;
      for (const u of us) for (const v of us) this.counts[u * U + v] += 1;
    }
    this.moments = new Float64Array(this.m * this.m);
    this.b = new Float64Array(this.size);
    this.theta = new Float64Array(this.size);
    this.unitSum = new Float64Array(U);
    this.rng = createRng(`kairos-learn/${problem.id}/${seed}/full-info/${form.units.length}`);
  }

  decide(t0: number, n: number): Int32Array {
    const out = new Int32Array(n);
    const scores = new Float64Array(this.form.units.length);
    for (let i = 0; i < n; i++) {
      const z = this.stream.basis.subarray((t0 + i) * this.m, (t0 + i + 1) * this.m);
      scoreUnits(this.form, this.offsets, this.theta, z, scores);
      out[i] = bestFeasible(this.form, this.stream.problem.feasible, scores);
    }
    return out;
  }

  update(t0: number, n: number): void {
    const { form, m } = this;
    const U = form.units.length;
    for (let i = 0; i < n; i++) {
      const t = t0 + i;
      const z = this.stream.basis.subarray(t * m, (t + 1) * m);
      for (let r = 0; r < m; r++) for (let c = 0; c < m; c++) this.moments[r * m + c] += z[r]! * z[c]!;
      this.unitSum.fill(0);
      for (const a of this.stream.problem.feasible) {
        if (this.rng.next() < this.stream.mean(t, a)) for (const u of form.unitsOf[a]!) this.unitSum[u] += 1;
      }
      for (let u = 0; u < U; u++) {
        const r = this.unitSum[u]!;
        if (r === 0) continue;
        const { lo, hi } = form.units[u]!;
        const off = this.offsets[u]! - lo;
        for (let j = lo; j < hi; j++) this.b[off + j] += r * z[j]!;
      }
      this.seen++;
      const s = this.seen;
      if (s % 100 === 0 || (s <= 64 && (s & (s - 1)) === 0)) this.refit();
    }
  }

  private refit(): void {
    const { form, m, size } = this;
    const U = form.units.length;
    const g = new Float64Array(size * size);
    for (let u = 0; u < U; u++) {
      const a = form.units[u]!;
      for (let v = 0; v < U; v++) {
        const c = this.counts[u * U + v]!;
        if (c === 0) continue;
        const bu = form.units[v]!;
        for (let i = a.lo; i < a.hi; i++) {
          const row = (this.offsets[u]! + i - a.lo) * size + this.offsets[v]! - bu.lo;
          for (let j = bu.lo; j < bu.hi; j++) g[row + j] += c * this.moments[i * m + j]!;
        }
      }
    }
    for (let i = 0; i < size; i++) g[i * size + i] += 1;
    this.theta = choleskySolve(g, this.b, size);
  }
}
