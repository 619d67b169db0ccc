import { z } from "zod";
import { MergeError } from "../errors.js";
import { beta } from "../rng.js";
import type { Blocks } from "./blocks.js";
import type { RewardModel, ScoreRequest } from "./reward-model.js";
import { PendingCounts, ucb1Bound } from "./ucb1.js";
import { remapValues, type UnitRemap } from "./unit-remap.js";

export const betaPriorSchema = z.strictObject({ alpha: z.number().positive(), beta: z.number().positive() });
export type BetaPrior = z.infer<typeof betaPriorSchema>;

const statsSchema = z.strictObject({
  successes: z.array(z.number().nonnegative()),
  failures: z.array(z.number().nonnegative()),
  observations: z.number().nonnegative(),
});

/**
 * Beta–Bernoulli model per unit, for rewards in [0, 1] (a fractional reward counts as that share of a
 * success). Context-free. Upper bounds are UCB1 on the empirical mean.
 */
export class BetaBernoulliModel implements RewardModel {
  readonly type = "beta";
  readonly contextDimension = 0;
  private successes: Float64Array;
  private failures: Float64Array;
  /** Bumped by every change of the statistics (exact propensities are cached per revision). */
  private revision = 0;
  observations = 0;
  private readonly pending: PendingCounts;

  constructor(
    readonly blocks: Blocks,
    private readonly prior: BetaPrior = { alpha: 1, beta: 1 },
    private readonly discount = 1,
  ) {
    this.successes = new Float64Array(blocks.unitCount);
    this.pending = new PendingCounts(blocks.unitCount);
    this.failures = new Float64Array(blocks.unitCount);
  }

  scoreUnits(_x: Float64Array, request: ScoreRequest, out: Float64Array): void {
    const { alpha: a0, beta: b0 } = this.prior;
    const logN = Math.log(Math.max(this.observations, 1));
    for (let u = 0; u < out.length; u++) {
      const s = this.successes[u]!;
      const f = this.failures[u]!;
      if (request.mode === "mean") out[u] = (a0 + s) / (a0 + b0 + s + f);
      else if (request.mode === "sample") out[u] = beta(request.rng, a0 + s, b0 + f);
      else {
        const n = s + f;
        const mean = n > 0 ? s / n : a0 / (a0 + b0);
        out[u] = ucb1Bound(mean, mean * (1 - mean), n, this.pending.counts[u]!, logN, request.alpha);
      }
    }
  }

  betaShapes(alphas: Float64Array, betas: Float64Array): number {
    const { alpha: a0, beta: b0 } = this.prior;
    for (let u = 0; u < alphas.length; u++) {
      alphas[u] = a0 + this.successes[u]!;
      betas[u] = b0 + this.failures[u]!;
    }
    return this.revision;
  }

  observe(_x: Float64Array, units: Int32Array, reward: number, weight: number): void {
    this.revision++;
    for (let b = 0; b < units.length; b++) {
      this.successes[units[b]!]! += weight * reward;
      this.failures[units[b]!]! += weight * (1 - reward);
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
    for (let u = 0; u < this.successes.length; u++) {
      this.successes[u]! *= this.discount;
      this.failures[u]! *= this.discount;
    }
    this.observations *= this.discount;
  }

  toJSON(): z.infer<typeof statsSchema> {
    return { successes: [...this.successes], failures: [...this.failures], observations: this.observations };
  }

  load(json: unknown, remap?: UnitRemap): void {
    const stats = statsSchema.parse(json);
    const n = this.successes.length;
    this.successes = remapValues(stats.successes, n, remap);
    this.failures = remapValues(stats.failures, n, remap);
    this.observations = stats.observations;
    this.revision++;
  }

  merge(other: RewardModel): void {
    if (!(other instanceof BetaBernoulliModel) || other.successes.length !== this.successes.length) {
      throw new MergeError("can only merge a beta model over the same units");
    }
    this.revision++;
    for (let u = 0; u < this.successes.length; u++) {
      this.successes[u]! += other.successes[u]!;
      this.failures[u]! += other.failures[u]!;
    }
    this.observations += other.observations;
  }
}
