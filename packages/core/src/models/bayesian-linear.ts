import { z } from "zod";
import { MergeError, SnapshotMismatchError } from "../errors.js";
import {
  addOuter,
  dot,
  invertSpd,
  matVec,
  quadraticForm,
  scaledIdentity,
  shermanMorrison,
} from "../linalg/dense.js";
import { normal } from "../rng.js";
import type { Blocks } from "./blocks.js";
import type { RewardModel, ScoreRequest } from "./reward-model.js";

export const linearOptionsSchema = z.strictObject({
  /** Prior precision (ridge penalty) λ: A starts at λ·I. */
  lambda: z.number().positive().default(1),
  /** Scale v of the posterior used by Thompson sampling: θ ~ N(θ̂, v²·A⁻¹). */
  noise: z.number().positive().default(1),
  /** Rank-one updates between two refactorisations of A⁻¹ from A (numerical hygiene). */
  refactorEvery: z.number().int().positive().default(512),
});
export type LinearOptions = z.input<typeof linearOptionsSchema>;

const unitSchema = z.strictObject({
  unit: z.number().int().nonnegative(),
  gram: z.array(z.number()),
  target: z.array(z.number()),
  count: z.number().nonnegative(),
  /** The cached inverse, so a restored model scores bit-for-bit like the original. */
  inverse: z.array(z.number()),
  sinceRefactor: z.number().int().nonnegative(),
});
const statsSchema = z.strictObject({ units: z.array(unitSchema), observations: z.number().nonnegative() });

/** Sufficient statistics of one unit plus the cached inverse and coefficients derived from them. */
class LinearUnit {
  /** A = λI + Σ w·x·xᵀ. */
  readonly gram: Float64Array;
  /** Σ w·r·x. */
  readonly target: Float64Array;
  readonly inverse: Float64Array;
  readonly theta: Float64Array;
  count = 0;
  sinceRefactor = 0;

  constructor(d: number, lambda: number) {
    this.gram = scaledIdentity(d, lambda);
    this.target = new Float64Array(d);
    this.inverse = scaledIdentity(d, 1 / lambda);
    this.theta = new Float64Array(d);
  }
}

/**
 * Bayesian linear regression per unit (ridge with a Gaussian posterior): LinUCB and linear Thompson
 * sampling on disjoint units. The statistics (A, b) are exact sums, so update order, batch splits and
 * merges give the same model; A⁻¹ is kept by Sherman–Morrison rank-one updates in O(d²) and rebuilt from A
 * by Cholesky every `refactorEvery` updates and after every discount or merge. Units are allocated when
 * first observed, so an unseen unit costs nothing.
 */
export class BayesianLinearModel implements RewardModel {
  readonly type = "linear";
  private units: (LinearUnit | undefined)[];
  private readonly options: z.output<typeof linearOptionsSchema>;
  private readonly prior: LinearUnit;
  private readonly scratch: Float64Array;
  private readonly scratchMatrix: Float64Array;
  observations = 0;

  constructor(
    readonly blocks: Blocks,
    readonly contextDimension: number,
    options: LinearOptions = {},
    private readonly discount = 1,
  ) {
    this.options = linearOptionsSchema.parse(options);
    this.units = new Array(blocks.unitCount);
    this.prior = new LinearUnit(contextDimension, this.options.lambda);
    this.scratch = new Float64Array(contextDimension);
    this.scratchMatrix = new Float64Array(contextDimension * contextDimension);
  }

  /** Posterior mean coefficients of a unit (the prior's zeros for an unseen unit). */
  coefficients(unit: number): Float64Array {
    return (this.units[unit] ?? this.prior).theta;
  }

  /** Cached A⁻¹ of a unit (for tests and diagnostics). */
  inverseOf(unit: number): Float64Array {
    return (this.units[unit] ?? this.prior).inverse;
  }

  /** Gram matrix A of a unit. */
  gramOf(unit: number): Float64Array {
    return (this.units[unit] ?? this.prior).gram;
  }

  scoreUnits(x: Float64Array, request: ScoreRequest, out: Float64Array): void {
    const d = this.contextDimension;
    const noise = this.options.noise;
    // Units never observed share the prior: compute its score once.
    let priorScore = Number.NaN;
    for (let u = 0; u < out.length; u++) {
      const unit = this.units[u];
      if (!unit && request.mode !== "sample" && !Number.isNaN(priorScore)) {
        out[u] = priorScore;
        continue;
      }
      const s = unit ?? this.prior;
      const mean = dot(s.theta, x, d);
      let score = mean;
      if (request.mode === "upper")
        score = mean + request.alpha * Math.sqrt(Math.max(0, quadraticForm(s.inverse, x, d)));
      else if (request.mode === "sample") {
        // Units are independent, so a draw of θ·x is exactly a scalar normal: no d-dimensional sampling needed.
        score = mean + noise * Math.sqrt(Math.max(0, quadraticForm(s.inverse, x, d))) * normal(request.rng);
      }
      out[u] = score;
      if (!unit) priorScore = score;
    }
  }

  observe(x: Float64Array, units: Int32Array, reward: number, weight: number): void {
    const d = this.contextDimension;
    for (let b = 0; b < units.length; b++) {
      const id = units[b]!;
      let unit = this.units[id];
      if (!unit) unit = this.units[id] = new LinearUnit(d, this.options.lambda);
      addOuter(unit.gram, x, weight, d);
      for (let i = 0; i < d; i++) unit.target[i]! += weight * reward * x[i]!;
      unit.count += weight;
      if (++unit.sinceRefactor >= this.options.refactorEvery) this.refactor(unit);
      else {
        shermanMorrison(unit.inverse, x, weight, d, this.scratch);
        matVec(unit.inverse, unit.target, d, unit.theta);
      }
    }
    this.observations += weight;
  }

  startBatch(): void {
    if (this.discount === 1) return;
    const d = this.contextDimension;
    const lambda = this.options.lambda;
    for (const unit of this.units) {
      if (!unit) continue;
      // Forget the data part of A, keep the prior: A ← λI + γ(A − λI).
      for (let i = 0; i < d * d; i++) unit.gram[i]! *= this.discount;
      for (let i = 0; i < d; i++) unit.gram[i * d + i]! += lambda * (1 - this.discount);
      for (let i = 0; i < d; i++) unit.target[i]! *= this.discount;
      unit.count *= this.discount;
      this.refactor(unit);
    }
    this.observations *= this.discount;
  }

  private refactor(unit: LinearUnit): void {
    const d = this.contextDimension;
    if (!invertSpd(unit.gram, d, unit.inverse, this.scratchMatrix)) {
      throw new Error("Gram matrix lost positive definiteness; this is a bug in Kairos");
    }
    matVec(unit.inverse, unit.target, d, unit.theta);
    unit.sinceRefactor = 0;
  }

  toJSON(): z.infer<typeof statsSchema> {
    const units: z.infer<typeof unitSchema>[] = [];
    this.units.forEach((unit, id) => {
      if (unit) {
        units.push({
          unit: id,
          gram: [...unit.gram],
          target: [...unit.target],
          count: unit.count,
          inverse: [...unit.inverse],
          sinceRefactor: unit.sinceRefactor,
        });
      }
    });
    return { units, observations: this.observations };
  }

  load(json: unknown): void {
    const stats = statsSchema.parse(json);
    const d = this.contextDimension;
    const units: (LinearUnit | undefined)[] = new Array(this.blocks.unitCount);
    for (const s of stats.units) {
      if (
        s.unit >= units.length ||
        s.gram.length !== d * d ||
        s.target.length !== d ||
        s.inverse.length !== d * d
      ) {
        throw new SnapshotMismatchError(
          `linear unit ${s.unit} does not fit ${units.length} units of dimension ${d}`,
        );
      }
      const unit = new LinearUnit(d, this.options.lambda);
      unit.gram.set(s.gram);
      unit.target.set(s.target);
      unit.count = s.count;
      // The Gram matrix must be positive definite; the stored inverse is then used as is.
      if (!invertSpd(unit.gram, d, unit.inverse, this.scratchMatrix)) {
        throw new SnapshotMismatchError(`linear unit ${s.unit}: Gram matrix is not positive definite`);
      }
      unit.inverse.set(s.inverse);
      unit.sinceRefactor = s.sinceRefactor;
      matVec(unit.inverse, unit.target, d, unit.theta);
      units[s.unit] = unit;
    }
    this.units = units;
    this.observations = stats.observations;
  }

  merge(other: RewardModel): void {
    if (
      !(other instanceof BayesianLinearModel) ||
      other.units.length !== this.units.length ||
      other.contextDimension !== this.contextDimension
    ) {
      throw new MergeError("can only merge a linear model over the same units and context dimension");
    }
    const d = this.contextDimension;
    const lambda = this.options.lambda;
    other.units.forEach((theirs, id) => {
      if (!theirs) return;
      let mine = this.units[id];
      if (!mine) mine = this.units[id] = new LinearUnit(d, lambda);
      // Both Gram matrices hold the prior λI: count it once.
      for (let i = 0; i < d * d; i++) mine.gram[i]! += theirs.gram[i]!;
      for (let i = 0; i < d; i++) mine.gram[i * d + i]! -= lambda;
      for (let i = 0; i < d; i++) mine.target[i]! += theirs.target[i]!;
      mine.count += theirs.count;
      this.refactor(mine);
    });
    this.observations += other.observations;
  }
}
