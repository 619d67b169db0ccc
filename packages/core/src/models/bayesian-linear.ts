import { z } from "zod";
import { MergeError, SnapshotMismatchError } from "../errors.js";
import { dot, matVec, sameVector } from "../linalg/dense.js";
import { MatrixArena } from "../linalg/matrix-arena.js";
import { normal } from "../rng.js";
import type { Blocks } from "./blocks.js";
import { linearPriorOptions, NoiseEstimate } from "./noise-estimate.js";
import { PendingWidths } from "./pending-widths.js";
import { PriorPrecision, priorPrecisionSchema } from "./prior-precision.js";
import type { RewardModel, ScoreRequest } from "./reward-model.js";
import type { UnitRemap } from "./unit-remap.js";

/** The posterior means and widths of a batch of contexts in one model state ({@link BayesianLinearModel.prepareContexts}). */
interface PreparedContexts {
  contexts: readonly Float64Array[];
  /** The model's revision (pending decisions included) they were computed in. */
  revision: number;
  /** The row whose numbers are in the means and widths (−1: none), and the one expected next. */
  current: number;
  next: number;
  /** The unit of each matrix (−1: the prior), and per row its matrices' forms x'A⁻¹x and means θ·x. */
  owners: Int32Array;
  forms: Float64Array;
  means: Float64Array;
}

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
  /** Per-context cache of posterior means and widths, valid while `revision` is unchanged. */
  private readonly means: Float64Array;
  private readonly widths: Float64Array;
  /** The matrices whose quadratic forms give the widths (the units' inverses, then the prior's), reused. */
  private readonly widthMatrices: Float64Array[] = [];
  /** The unit of each of those matrices (−1: the prior, shared by units without data), their forms and means. */
  private readonly widthOwners: Int32Array;
  private readonly forms: Float64Array;
  private readonly formMeans: Float64Array;
  private readonly cachedX: Float64Array;
  private cachedRevision = -1;
  private widthsValid = false;
  /** The means and widths of a batch of contexts, computed together by {@link prepareContexts}. */
  private prepared: PreparedContexts | undefined;
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
    this.means = new Float64Array(blocks.unitCount);
    this.widths = new Float64Array(blocks.unitCount);
    this.widthOwners = new Int32Array(blocks.unitCount + 1);
    this.forms = new Float64Array(blocks.unitCount + 1);
    this.formMeans = new Float64Array(blocks.unitCount + 1);
    this.cachedX = new Float64Array(contextDimension);
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
    const needWidth = request.mode !== "mean";
    this.computePosterior(x, needWidth);
    const means = this.means;
    const widths = this.widths;
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
    this.computePosterior(x, true);
    means.set(this.means);
    const scale = this.options.sampleScale * this.noise;
    for (let u = 0; u < sds.length; u++) sds[u] = scale * this.widths[u]!;
  }

  /**
   * Fills the per-unit posterior mean θ·x and width √(xᵀA⁻¹x) for a context, reusing them while neither the
   * context nor the model changed: Thompson propensity draws and explanations then cost O(units), not
   * O(units·d²).
   */
  private computePosterior(x: Float64Array, needWidth: boolean): void {
    const d = this.contextDimension;
    const revision = this.revision + this.pending.revision;
    const prepared = this.prepared;
    if (prepared?.revision === revision && this.fromPrepared(prepared, x)) return;
    const same = this.cachedRevision === revision && sameVector(this.cachedX, x, d);
    if (same && (this.widthsValid || !needWidth)) return;
    // The means and widths are about to hold another context's numbers.
    if (prepared) prepared.current = -1;
    if (!same) {
      for (let i = 0; i < d; i++) this.cachedX[i] = x[i]!;
      this.cachedRevision = revision;
      this.widthsValid = false;
    }
    if (needWidth) {
      this.computeMeansAndWidths(x);
      return;
    }
    const priorMean = dot(this.prior.theta, x, d);
    for (let u = 0; u < this.means.length; u++) {
      const unit = this.units[u];
      this.means[u] = unit ? dot(unit.theta, x, d) : priorMean;
    }
  }

  /**
   * Every unit's mean θ·x and width √(x'A⁻¹x) (pending decisions counted: their inverses carry θ too), in
   * one kernel call per run of matrices (the prior's once, for the units without data).
   */
  private computeMeansAndWidths(x: Float64Array): void {
    const n = this.collectMatrices();
    this.arena.load(x);
    this.arena.posteriors(this.widthMatrices, n, this.forms, this.formMeans);
    this.fill(this.widthOwners, n, this.forms, this.formMeans, 0);
  }

  /**
   * Computes every unit's mean and width for a batch of contexts together: each matrix is read once for a
   * block of contexts instead of once per context. While the model and the contexts are unchanged, scoring
   * one of these arrays reads them (to the bit what scoring it alone gives).
   */
  prepareContexts(contexts: readonly Float64Array[]): void {
    const n = this.collectMatrices();
    const forms = new Float64Array(contexts.length * n);
    const means = new Float64Array(contexts.length * n);
    this.arena.posteriorsOfRows(this.widthMatrices, n, contexts, forms, means);
    const revision = this.revision + this.pending.revision;
    const owners = this.widthOwners.slice(0, n);
    this.prepared = { contexts, revision, current: -1, next: 0, owners, forms, means };
  }

  /**
   * Whether `x` is one of the prepared contexts (of the current state), looked up by identity (decisions
   * usually take them in order): its means and widths are then in place.
   */
  private fromPrepared(p: PreparedContexts, x: Float64Array): boolean {
    if (p.current >= 0 && p.contexts[p.current] === x) return true;
    const row = p.contexts[p.next] === x ? p.next : p.contexts.indexOf(x);
    if (row < 0) return false;
    p.current = row;
    p.next = row + 1;
    // The per-context cache now holds another context's numbers.
    this.cachedRevision = -1;
    this.fill(p.owners, p.owners.length, p.forms, p.means, row * p.owners.length);
    return true;
  }

  /**
   * The matrices whose quadratic forms give the widths, into `widthMatrices` and their units into
   * `widthOwners`: every unit's inverse (its pending one if any), then the prior's once when some unit has
   * no data (owner −1). Returns their number.
   */
  private collectMatrices(): number {
    const matrices = this.widthMatrices;
    const owners = this.widthOwners;
    let n = 0;
    for (let u = 0; u < this.widths.length; u++) {
      const inverse = this.pending.inverseOf(u) ?? this.units[u]?.inverse;
      if (!inverse) continue;
      matrices[n] = inverse;
      owners[n++] = u;
    }
    if (n < this.widths.length) {
      matrices[n] = this.prior.inverse;
      owners[n++] = -1;
    }
    return n;
  }

  /** Every unit's width and mean from the forms and means of its matrix (at `at` in those arrays). */
  private fill(owners: Int32Array, n: number, forms: Float64Array, means: Float64Array, at: number): void {
    if (owners[n - 1]! < 0) {
      this.widths.fill(Math.sqrt(Math.max(0, forms[at + n - 1]!)));
      this.means.fill(means[at + n - 1]!);
    }
    for (let k = 0; k < n; k++) {
      const u = owners[k]!;
      if (u < 0) continue;
      this.widths[u] = Math.sqrt(Math.max(0, forms[at + k]!));
      this.means[u] = means[at + k]!;
    }
    this.widthsValid = true;
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
    this.prepared = undefined;
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
  }
}
