import { z } from "zod";
import { MergeError, SnapshotMismatchError } from "../errors.js";
import { dot, matVec } from "../linalg/dense.js";
import { MatrixArena } from "../linalg/matrix-arena.js";
import { normal } from "../rng.js";
import type { Blocks } from "./blocks.js";
import { contextNarrowing, meanContextOf } from "./context-narrowing.js";
import { linearPriorOptions, NoiseEstimate } from "./noise-estimate.js";
import { PendingWidths } from "./pending-widths.js";
import { PriorPrecision, priorPrecisionSchema } from "./prior-precision.js";
import type { FrozenMeans, RewardModel, ScoreRequest } from "./reward-model.js";
import { UnitPosteriors } from "./unit-posteriors.js";
import type { UnitRemap } from "./unit-remap.js";

/** Fixed-point steps per estimate of the prior precisions (warm started from the previous estimate). */
const FIXED_POINT_STEPS = 3;

export const linearOptionsSchema = z.strictObject({
  ...linearPriorOptions,
  /** Rank-one updates between two refactorisations of A⁻¹ from A (numerical hygiene). */
  refactorEvery: z.number().int().positive().default(512),
});
export type LinearOptions = z.input<typeof linearOptionsSchema>;

const unitSchema = z.strictObject({
  unit: z.number().int().nonnegative(),
  gram: z.array(z.number()),
  target: z.array(z.number()),
  count: z.number().nonnegative(),
  /** The cached inverse and coefficients, so a restored model scores bit-for-bit like the original. */
  inverse: z.array(z.number()),
  theta: z.array(z.number()),
  sinceRefactor: z.number().int().nonnegative(),
});
const statsSchema = z.strictObject({
  units: z.array(unitSchema),
  noise: z.strictObject({ sumSquares: z.number(), observations: z.number().nonnegative() }),
  observations: z.number().nonnegative(),
  /** The learned prior precision (absent: the fixed λ). */
  prior: priorPrecisionSchema.optional(),
});

/** Sufficient statistics of one unit plus the cached inverse and coefficients derived from them. */
class LinearUnit {
  /** A = Λ + Σ w·x·xᵀ, Λ the diagonal prior precision; A⁻¹ follows by Sherman–Morrison (learnObservation). */
  readonly gram: Float64Array;
  /** Σ w·r·x, right after the Gram matrix in the arena's memory. */
  readonly target: Float64Array;
  readonly inverse: Float64Array;
  /** θ = A⁻¹b, right after the inverse in the arena's memory (one kernel call reads both). */
  readonly theta: Float64Array;
  count = 0;
  sinceRefactor = 0;

  /** A unit at the prior precisions of unit `id` (λ when it has none of its own yet). */
  constructor(d: number, prior: PriorPrecision, id: number, arena: MatrixArena) {
    this.gram = arena.allocate();
    this.inverse = arena.allocate();
    for (let i = 0; i < d; i++) {
      this.gram[i * d + i] = prior.of(id, i);
      this.inverse[i * d + i] = 1 / prior.of(id, i);
    }
    this.target = arena.vectorAfter(this.gram);
    this.theta = arena.vectorAfter(this.inverse);
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
  /** Λ, per unit and column. */
  private readonly precision: PriorPrecision;
  /** The posterior of a unit never observed. */
  private readonly prior: LinearUnit;
  /** Where the units' Gram matrices and inverses live (the SIMD kernels work on them there). */
  private readonly arena: MatrixArena;
  /** Every unit's posterior mean and width for the context being scored (see collectMatrices). */
  private readonly posteriors: UnitPosteriors;
  /** Bumped by every change of the statistics. */
  private revision = 0;
  private readonly noiseEstimate: NoiseEstimate;
  /** σ̂, valid while `noiseRevision` equals `revision`. */
  private noiseCache = 0;
  private noiseRevision = -1;
  private readonly pending: PendingWidths;
  observations = 0;

  constructor(
    readonly blocks: Blocks,
    readonly contextDimension: number,
    options: LinearOptions = {},
    private readonly discount = 1,
  ) {
    this.options = linearOptionsSchema.parse(options);
    this.units = new Array(blocks.unitCount);
    const { lambda, interceptColumn, learnPrior } = this.options;
    this.precision = new PriorPrecision(
      blocks.unitCount,
      contextDimension,
      lambda,
      interceptColumn,
      learnPrior,
    );
    this.arena = new MatrixArena(contextDimension, 2 * (blocks.unitCount + 1), false, true);
    this.prior = new LinearUnit(
      contextDimension,
      new PriorPrecision(1, contextDimension, lambda, 0, false),
      0,
      this.arena,
    );
    this.posteriors = new UnitPosteriors(
      this.arena,
      blocks.unitCount,
      contextDimension,
      (m, t, o) => this.collectMatrices(m, t, o),
      undefined,
      contextNarrowing(this.options.contextScale, interceptColumn, (out) =>
        meanContextOf(this.units, interceptColumn!, contextDimension, out),
      ),
    );
    this.noiseEstimate = new NoiseEstimate(this.options.priorNoise);
    this.pending = new PendingWidths(this.arena);
  }

  /** The reward noise sd in use: the `noise` setting, or its estimate from the residuals of every unit. */
  get noise(): number {
    if (this.options.noise !== undefined) return this.options.noise;
    if (this.noiseRevision !== this.revision) {
      const d = this.contextDimension;
      let explained = 0;
      let parameters = 0;
      this.units.forEach((unit, id) => {
        if (!unit) return;
        explained += dot(unit.theta, unit.target, d);
        let trace = 0;
        for (let i = 0; i < d; i++) trace += this.precision.of(id, i) * unit.inverse[i * d + i]!;
        parameters += d - trace;
      });
      this.noiseCache = this.noiseEstimate.sd(explained, parameters);
      this.noiseRevision = this.revision;
    }
    return this.noiseCache;
  }

  countPending(x: Float64Array, units: Int32Array): void {
    for (let b = 0; b < units.length; b++) {
      const unit = this.units[units[b]!] ?? this.prior;
      this.pending.add(units[b]!, unit.inverse, x);
    }
  }

  clearPending(): void {
    this.pending.clear();
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
    this.posteriors.update(x, this.revision + this.pending.revision, request.mode !== "mean");
    const { means, widths } = this.posteriors;
    if (request.mode === "mean") out.set(means);
    else if (request.mode === "upper") {
      const a = request.alpha * this.noise;
      for (let u = 0; u < out.length; u++) out[u] = means[u]! + a * widths[u]!;
    } else {
      // Units are independent, so a draw of θ·x is exactly a scalar normal: no d-dimensional sampling needed.
      const scale = this.options.sampleScale * this.noise;
      const floor = this.options.optimistic ? 0 : Number.NEGATIVE_INFINITY;
      for (let u = 0; u < out.length; u++)
        out[u] = means[u]! + scale * widths[u]! * Math.max(floor, normal(request.rng));
    }
  }

  get optimistic(): boolean {
    return this.options.optimistic;
  }

  gaussianScores(x: Float64Array, means: Float64Array, sds: Float64Array): void {
    this.posteriors.update(x, this.revision + this.pending.revision, true);
    means.set(this.posteriors.means);
    const scale = this.options.sampleScale * this.noise;
    for (let u = 0; u < sds.length; u++) sds[u] = scale * this.posteriors.widths[u]!;
  }

  freezeMeans(): FrozenMeans {
    return this.posteriors.frozen(this.revision, this.revision + this.pending.revision);
  }

  /**
   * A batch of contexts' means and widths, computed together (see {@link UnitPosteriors.prepare}); scoring
   * one of these arrays reads them while the model is unchanged.
   */
  prepareContexts(contexts: readonly Float64Array[]): void {
    this.posteriors.prepare(contexts, this.revision + this.pending.revision);
  }

  /**
   * The matrices the units score with: every unit's inverse (its pending one if any, which carries θ too),
   * then the prior's once when some unit has no data (owner −1).
   */
  private collectMatrices(matrices: Float64Array[], thetas: Float64Array[], owners: Int32Array): number {
    const count = this.blocks.unitCount;
    let n = 0;
    for (let u = 0; u < count; u++) {
      const unit = this.units[u];
      const pending = this.pending.inverseOf(u);
      if (!unit && !pending) continue;
      matrices[n] = pending ?? unit!.inverse;
      thetas[n] = (unit ?? this.prior).theta;
      owners[n++] = u;
    }
    if (n < count) {
      matrices[n] = this.prior.inverse;
      thetas[n] = this.prior.theta;
      owners[n++] = -1;
    }
    return n;
  }

  observe(x: Float64Array, units: Int32Array, reward: number, weight: number): void {
    const d = this.contextDimension;
    this.revision++;
    for (let b = 0; b < units.length; b++) {
      const id = units[b]!;
      let unit = this.units[id];
      if (!unit) unit = this.units[id] = new LinearUnit(d, this.precision, id, this.arena);
      unit.count += weight;
      if (b === 0) this.noiseEstimate.add(reward, weight);
      if (++unit.sinceRefactor >= this.options.refactorEvery) {
        this.arena.addOuter(unit.gram, x, weight);
        for (let i = 0; i < d; i++) unit.target[i]! += weight * reward * x[i]!;
        this.refactor(unit);
      } else this.arena.learnObservation(unit.gram, unit.inverse, x, weight, reward);
    }
    this.observations += weight;
  }

  startBatch(): void {
    this.pending.clear();
    this.posteriors.dropPrepared();
    if (this.discount === 1) return;
    this.revision++;
    const d = this.contextDimension;
    this.units.forEach((unit, id) => {
      if (!unit) return;
      // Forget the data part of A, keep the prior: A ← Λ + γ(A − Λ).
      for (let i = 0; i < d * d; i++) unit.gram[i]! *= this.discount;
      for (let i = 0; i < d; i++) unit.gram[i * d + i]! += this.precision.of(id, i) * (1 - this.discount);
      for (let i = 0; i < d; i++) unit.target[i]! *= this.discount;
      unit.count *= this.discount;
      this.refactor(unit);
    });
    this.noiseEstimate.scale(this.discount);
    this.observations *= this.discount;
  }

  endBatch(): void {
    if (!this.precision.due(this.observations)) return;
    const d = this.contextDimension;
    const noiseVariance = this.noise ** 2;
    this.units.forEach((unit, id) => {
      if (!unit) return;
      // Warm-started from the last estimate, a few fixed-point steps per estimate are enough.
      for (let step = 0; step < FIXED_POINT_STEPS; step++) {
        for (let i = 0; i < d; i++) {
          const ii = i * d + i;
          unit.gram[ii]! += this.precision.step(id, i, unit.theta[i]!, unit.inverse[ii]!, noiseVariance);
        }
        this.refactor(unit);
      }
    });
    this.revision++;
  }

  private refactor(unit: LinearUnit): void {
    const d = this.contextDimension;
    if (!this.arena.invertSpd(unit.gram, unit.inverse)) {
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
          theta: [...unit.theta],
          sinceRefactor: unit.sinceRefactor,
        });
      }
    });
    return {
      units,
      noise: this.noiseEstimate.toJSON(),
      observations: this.observations,
      ...(this.precision.learned ? { prior: this.precision.toJSON() } : {}),
    };
  }

  load(json: unknown, remap?: UnitRemap): void {
    const stats = statsSchema.parse(json);
    const d = this.contextDimension;
    // The stored Gram matrices hold the prior they were learned with.
    this.precision.load(stats.prior, remap);
    const units: (LinearUnit | undefined)[] = new Array(this.blocks.unitCount);
    for (const s of stats.units) {
      if (remap && s.unit < remap.length) {
        if (remap[s.unit]! < 0) continue; // its option was removed
        s.unit = remap[s.unit]!;
      }
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
      const unit = new LinearUnit(d, this.precision, s.unit, this.arena);
      unit.gram.set(s.gram);
      unit.target.set(s.target);
      unit.count = s.count;
      // The Gram matrix must be positive definite; the stored inverse is then used as is.
      if (!this.arena.invertSpd(unit.gram, unit.inverse)) {
        throw new SnapshotMismatchError(`linear unit ${s.unit}: Gram matrix is not positive definite`);
      }
      unit.inverse.set(s.inverse);
      unit.theta.set(s.theta);
      unit.sinceRefactor = s.sinceRefactor;
      units[s.unit] = unit;
    }
    this.units = units;
    this.noiseEstimate.load(stats.noise);
    this.pending.clear();
    this.observations = stats.observations;
    this.revision++;
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
    this.revision++;
    other.units.forEach((theirs, id) => {
      if (!theirs) return;
      let mine = this.units[id];
      if (!mine) mine = this.units[id] = new LinearUnit(d, this.precision, id, this.arena);
      // Both Gram matrices hold a prior: keep mine only.
      for (let i = 0; i < d * d; i++) mine.gram[i]! += theirs.gram[i]!;
      for (let i = 0; i < d; i++) mine.gram[i * d + i]! -= other.precision.of(id, i);
      for (let i = 0; i < d; i++) mine.target[i]! += theirs.target[i]!;
      mine.count += theirs.count;
      this.refactor(mine);
    });
    this.noiseEstimate.merge(other.noiseEstimate);
    this.observations += other.observations;
    this.endBatch();
    this.pending.refreshThetas((u) => (this.units[u] ?? this.prior).theta);
  }
}
