// Disjoint per-arm ridge regression over the joint arms (every feasible combination is an arm with its own
// d-dimensional model), as MABWiser's _RidgeRegression and Open Bandit Pipeline's BaseLinPolicy keep it:
// A_k = λI + Σ x xᵀ (kept as its inverse, updated by Sherman–Morrison), b_k = Σ r x, θ_k = A_k⁻¹ b_k.
// The context given to peers is [1, raw features]: a bias column, as a practitioner adds.
import { createRng, normal, type Rng } from "../../../packages/core/src/index.js";
import type { Learner } from "../learner.js";
import { dot, matVec, quadratic, shermanMorrison } from "../linalg.js";
import type { Stream } from "../stream.js";

export class PerArmRidge {
  readonly ainv: Float64Array;
  readonly b: Float64Array;
  readonly theta: Float64Array;
  private readonly scratch: Float64Array;

  constructor(
    readonly arms: number,
    readonly d: number,
    lambda: number,
  ) {
    this.ainv = new Float64Array(arms * d * d);
    for (let k = 0; k < arms; k++) for (let i = 0; i < d; i++) this.ainv[k * d * d + i * d + i] = 1 / lambda;
    this.b = new Float64Array(arms * d);
    this.theta = new Float64Array(arms * d);
    this.scratch = new Float64Array(d);
  }

  mean(k: number, x: Float64Array): number {
    return dot(this.theta, x, this.d, k * this.d);
  }

  /** xᵀ A_k⁻¹ x: the squared width of arm k's prediction. */
  width2(k: number, x: Float64Array): number {
    return quadratic(this.ainv, x, this.d, k * this.d * this.d);
  }

  observe(k: number, x: Float64Array, reward: number): void {
    const { d } = this;
    const a = this.ainv.subarray(k * d * d, (k + 1) * d * d);
    shermanMorrison(a, x, d, this.scratch);
    const b = this.b.subarray(k * d, (k + 1) * d);
    for (let i = 0; i < d; i++) b[i] += reward * x[i]!;
    matVec(a, b, d, this.theta.subarray(k * d, (k + 1) * d));
  }
}

/** Ties: MABWiser's argmax returns the first arm with the maximum; OBP's argsort()[::-1] the last. */
export type Ties = "first" | "last";

/**
 * A learner over per-arm ridge models: `score(k, x, rng)` ranks arm k for context x (frozen within a batch),
 * `explore(rng)` says whether to pick a uniformly random arm instead.
 */
export abstract class PerArmLearner implements Learner {
  protected readonly model: PerArmRidge;
  protected readonly rng: Rng;
  private readonly feasible: Int32Array;
  private readonly arm: Map<number, number>;

  constructor(
    protected readonly stream: Stream,
    lambda: number,
    private readonly ties: Ties,
    seed: string,
  ) {
    this.feasible = stream.problem.feasible;
    this.arm = new Map(Array.from(this.feasible, (a, k) => [a, k]));
    this.model = new PerArmRidge(this.feasible.length, stream.problem.featureNames.length + 1, lambda);
    this.rng = createRng(seed);
  }

  protected abstract score(k: number, x: Float64Array): number;

  /** Whether this decision is a uniformly random exploration (ε-greedy policies). */
  protected explore(): boolean {
    return false;
  }

  decide(t0: number, n: number): Int32Array {
    const out = new Int32Array(n);
    const K = this.feasible.length;
    for (let i = 0; i < n; i++) {
      const x = this.stream.biased[t0 + i]!;
      if (this.explore()) {
        out[i] = this.feasible[Math.floor(this.rng.next() * K)]!;
        continue;
      }
      let best = 0;
      let value = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < K; k++) {
        const s = this.score(k, x);
        if (s > value || (this.ties === "last" && s === value)) {
          value = s;
          best = k;
        }
      }
      out[i] = this.feasible[best]!;
    }
    return out;
  }

  update(t0: number, n: number, actions: Int32Array, rewards: Float64Array): void {
    for (let i = 0; i < n; i++)
      this.model.observe(this.arm.get(actions[i]!)!, this.stream.biased[t0 + i]!, rewards[i]!);
  }

  /** A draw of xᵀθ̃ with θ̃ ~ N(θ_k, s² A_k⁻¹): a univariate normal, N(xᵀθ_k, s² xᵀA_k⁻¹x). */
  protected sampled(k: number, x: Float64Array, s: number): number {
    return this.model.mean(k, x) + s * Math.sqrt(Math.max(0, this.model.width2(k, x))) * normal(this.rng);
  }
}
