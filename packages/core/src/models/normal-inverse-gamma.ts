import { z } from "zod";
import { MergeError } from "../errors.js";
import { gamma, normal } from "../rng.js";
import type { Blocks } from "./blocks.js";
import type { RewardModel, ScoreRequest } from "./reward-model.js";
import { PendingCounts, ucb1Bound } from "./ucb1.js";
import { remapValues, type UnitRemap } from "./unit-remap.js";

/** Normal–Inverse-Gamma prior: mean `mean` worth `strength` observations; noise variance ~ InvGamma(shape, scale). */
export const nigPriorSchema = z.strictObject({
  mean: z.number().finite(),
  strength: z.number().positive(),
  shape: z.number().positive(),
  scale: z.number().positive(),
});
export type NigPrior = z.infer<typeof nigPriorSchema>;

const statsSchema = z.strictObject({
  count: z.array(z.number().nonnegative()),
  sum: z.array(z.number()),
  sumSquares: z.array(z.number().nonnegative()),
  observations: z.number().nonnegative(),
});

/**
 * Gaussian rewards with unknown mean and variance per unit (Normal–Inverse-Gamma conjugate model), for
 * continuous rewards such as revenue. Context-free. Upper bounds are UCB1 on the empirical mean, with
 * `alpha` in reward units.
 */
export class NormalInverseGammaModel implements RewardModel {
  readonly type = "gaussian";
  readonly contextDimension = 0;
  private count: Float64Array;
  private sum: Float64Array;
  private sumSquares: Float64Array;
  /** Bumped by every change of the statistics (exact propensities are cached per revision). */
  private revision = 0;
  observations = 0;
  private readonly pending: PendingCounts;

  constructor(
    readonly blocks: Blocks,
    private readonly prior: NigPrior = { mean: 0, strength: 1, shape: 1, scale: 1 },
    private readonly discount = 1,
  ) {
    this.count = new Float64Array(blocks.unitCount);
    this.pending = new PendingCounts(blocks.unitCount);
    this.sum = new Float64Array(blocks.unitCount);
    this.sumSquares = new Float64Array(blocks.unitCount);
  }

  scoreUnits(_x: Float64Array, request: ScoreRequest, out: Float64Array): void {
    const logN = Math.log(Math.max(this.observations, 1));
    for (let u = 0; u < out.length; u++) {
      const n = this.count[u]!;
      const s = this.sum[u]!;
      if (request.mode === "upper") {
        const mean = n > 0 ? s / n : this.prior.mean;
        const variance = n > 0 ? Math.max(0, this.sumSquares[u]! / n - mean * mean) : 0;
        out[u] = ucb1Bound(mean, variance, n, this.pending.counts[u]!, logN, request.alpha);
        continue;
      }
      const { kn, mn, an, bn } = this.posterior(u);
      if (request.mode === "mean") {
        out[u] = mn;
        continue;
      }
      const variance = bn / gamma(request.rng, an);
      out[u] = mn + Math.sqrt(variance / kn) * normal(request.rng);
    }
  }

  /** Posterior parameters of a unit: strength κn, mean μn, shape αn and scale βn. */
  private posterior(u: number): { kn: number; mn: number; an: number; bn: number } {
    const { mean: m0, strength: k0, shape: a0, scale: b0 } = this.prior;
    const n = this.count[u]!;
    const kn = k0 + n;
    const mn = (k0 * m0 + this.sum[u]!) / kn;
    const an = a0 + n / 2;
    const bn = b0 + 0.5 * Math.max(0, this.sumSquares[u]! + k0 * m0 * m0 - kn * mn * mn);
    return { kn, mn, an, bn };
  }

  /** A sampled score is μn + √(σ²/κn)·Z with σ² ~ InvGamma(αn, βn): Student-t with 2αn degrees of freedom. */
  studentScores(location: Float64Array, scale: Float64Array, dof: Float64Array): number {
    for (let u = 0; u < location.length; u++) {
      const { kn, mn, an, bn } = this.posterior(u);
      location[u] = mn;
      scale[u] = Math.sqrt(bn / (an * kn));
      dof[u] = 2 * an;
    }
    return this.revision;
  }

  observe(_x: Float64Array, units: Int32Array, reward: number, weight: number): void {
    this.revision++;
    for (let b = 0; b < units.length; b++) {
      const u = units[b]!;
      this.count[u]! += weight;
      this.sum[u]! += weight * reward;
      this.sumSquares[u]! += weight * reward * reward;
    }
    this.observations += weight;
  }

  countPending(_x: Float64Array, units: Int32Array): void {
    this.pending.add(units);
  }

  clearPending(): void {
    this.pending.clear();
  }

  startBatch(): void {
    this.pending.clear();
    if (this.discount === 1) return;
    this.revision++;
    for (const a of [this.count, this.sum, this.sumSquares])
      for (let u = 0; u < a.length; u++) a[u]! *= this.discount;
    this.observations *= this.discount;
  }

  toJSON(): z.infer<typeof statsSchema> {
    return {
      count: [...this.count],
      sum: [...this.sum],
      sumSquares: [...this.sumSquares],
      observations: this.observations,
    };
  }

  load(json: unknown, remap?: UnitRemap): void {
    const stats = statsSchema.parse(json);
    const n = this.count.length;
    this.count = remapValues(stats.count, n, remap);
    this.sum = remapValues(stats.sum, n, remap);
    this.sumSquares = remapValues(stats.sumSquares, n, remap);
    this.observations = stats.observations;
    this.revision++;
  }

  merge(other: RewardModel): void {
    if (!(other instanceof NormalInverseGammaModel) || other.count.length !== this.count.length) {
      throw new MergeError("can only merge a gaussian model over the same units");
    }
    this.revision++;
    for (let u = 0; u < this.count.length; u++) {
      this.count[u]! += other.count[u]!;
      this.sum[u]! += other.sum[u]!;
      this.sumSquares[u]! += other.sumSquares[u]!;
    }
    this.observations += other.observations;
  }
}
