import type { Rng } from "../rng.js";
import type { Blocks } from "./blocks.js";
import type { UnitRemap } from "./unit-remap.js";

/**
 * What an exploration rule asks of a reward model for one context:
 * - `mean`: the posterior mean (greedy, epsilon-greedy, SquareCB);
 * - `sample`: one posterior draw (Thompson sampling);
 * - `upper`: an upper confidence bound with width `alpha` (UCB family).
 */
export type ScoreRequest = { mode: "mean" } | { mode: "sample"; rng: Rng } | { mode: "upper"; alpha: number };

/**
 * Every unit's posterior mean for a context, as the model had it when this was made (later updates do not
 * change it): writes `blocks.unitCount` numbers into `out`, the numbers scoring in `mean` mode gave then.
 */
export type FrozenMeans = (x: Float64Array, out: Float64Array) => void;

/**
 * A reward model with uncertainty over the units of a {@link Blocks} split. It knows nothing of
 * exploration or search: rules ask it for scores, search adds unit scores into action scores.
 */
export interface RewardModel {
  /** Model family, e.g. `linear`, `beta`, `gaussian`. */
  readonly type: string;
  readonly blocks: Blocks;
  /** Context length the model expects (0 for context-free models). */
  readonly contextDimension: number;
  /** Writes the score of every unit for context `x` into `out` (length `blocks.unitCount`). */
  scoreUnits(x: Float64Array, request: ScoreRequest, out: Float64Array): void;
  /** Learns one observation: the action's units (one per block), its reward and a weight. Inputs are validated. */
  observe(x: Float64Array, units: Int32Array, reward: number, weight: number): void;
  /**
   * Called once at the start of each update batch: applies the forgetting factor, if any, and forgets the
   * pending decisions (the batch brings their outcomes).
   */
  startBatch(): void;
  /** Called once at the end of each update batch (models that re-estimate their prior do it here). */
  endBatch?(): void;
  /**
   * Counts a decision whose reward has not arrived yet in the model's confidence widths (not its means), so
   * optimistic rules spread a batch of decisions instead of repeating one; for models with widths.
   */
  countPending?(x: Float64Array, units: Int32Array): void;
  /** Forgets the pending decisions (their outcomes are never coming, or a snapshot was restored). */
  clearPending?(): void;
  /**
   * Before a batch of decisions that leave the model unchanged (Thompson sampling): computes what scoring
   * needs for these contexts together; scoring one of these arrays then reads it, while the model and the
   * arrays are unchanged. Results are to the bit those of scoring each context alone.
   */
  prepareContexts?(contexts: readonly Float64Array[]): void;
  /**
   * The unit means of the current state as a {@link FrozenMeans}, for models whose means are a cheap
   * function of what they can copy (a linear model's coefficients): a decision keeps it and its context,
   * and computes its explanation only when read. The same object until the model changes.
   */
  freezeMeans?(): FrozenMeans;
  /**
   * For models that learn option attributes: each attribute's posterior mean and marginal sd (NaN where
   * the model cannot state it) for context `x`, in the action space's order (dimensions, then each one's
   * attributes), into `means` and `sds`.
   */
  attributeScores?(x: Float64Array, means: Float64Array, sds: Float64Array): void;
  /** Sufficient statistics as plain JSON. */
  toJSON(): unknown;
  /**
   * Replaces the statistics with ones produced by {@link toJSON}; throws on a malformed value. With a
   * remap (a snapshot from an earlier action space), each unit's statistics move to their new unit, removed
   * options' are dropped and added ones start at the prior.
   */
  load(json: unknown, remap?: UnitRemap): void;
  /** Adds another model's statistics (same type, blocks and prior), as if it had seen their data too. */
  merge(other: RewardModel): void;
  // Thompson sampling's exact propensities ask for the law of each unit's draw through the optional
  // interfaces of ./thompson-posterior.ts (GaussianPosterior, BetaPosterior, StudentPosterior).
  /** Number of (weighted) observations seen. */
  readonly observations: number;
}
