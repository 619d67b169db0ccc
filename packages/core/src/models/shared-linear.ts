import { z } from "zod";
import { MergeError, SnapshotMismatchError } from "../errors.js";
import { addOuter, choleskySolve, dot, dotAt, invertSpd, matVec, scaledIdentity } from "../linalg/dense.js";
import { MatrixArena } from "../linalg/matrix-arena.js";
import { normal } from "../rng.js";
import type { Blocks } from "./blocks.js";
import { contextNarrowing, meanContextOf } from "./context-narrowing.js";
import { HiddenTerms } from "./hidden-terms.js";
import { linearPriorOptions, NoiseEstimate } from "./noise-estimate.js";
import { PendingWidths } from "./pending-widths.js";
import { PriorPrecision, priorPrecisionSchema } from "./prior-precision.js";
import type { FrozenMeans, RewardModel, ScoreRequest } from "./reward-model.js";
import { UnitPosteriors } from "./unit-posteriors.js";
import { remapValues, type UnitRemap } from "./unit-remap.js";

/**
 * Largest joint system (units × context length) fitted exactly. Its Gram matrix and inverse cost 2·D²
 * numbers (16 MB at D = 1,024) and an update O(D²); beyond it the model backfits (see the class comment).
 */
export const EXACT_JOINT_LIMIT = 1_024;

export const sharedLinearOptionsSchema = z.strictObject({
  ...linearPriorOptions,
  /** Force the backfitting approximation even when the exact joint fit would fit (tests, comparisons). */
  backfit: z.boolean().default(false),
});
export type SharedLinearOptions = z.input<typeof sharedLinearOptionsSchema>;

const blockSchema = z.strictObject({
  row: z.number().int().nonnegative(),
  column: z.number().int().nonnegative(),
  values: z.array(z.number()),
});
const statsSchema = z.strictObject({
  mode: z.enum(["exact", "backfit"]),
  /** Exact: the non-zero d×d blocks of the joint Gram matrix (row unit ≤ column unit) and the joint target. */
  gram: z.array(blockSchema),
  target: z.array(z.number()),
  /** Backfit: per-unit Gram matrices (as `gram` blocks on the diagonal) and residual targets. */
  counts: z.array(z.number().nonnegative()),
  noise: z.strictObject({ sumSquares: z.number(), observations: z.number().nonnegative() }),
  observations: z.number().nonnegative(),
  /** The learned prior precisions (absent: the fixed λ). */
  prior: priorPrecisionSchema.optional(),
});

/**
 * One linear model fitted jointly over the blocks of a factorised action: an action's expected reward is
 * Σ_b θ_{u_b}·x (u_b its unit in block b), and every θ is estimated together, so an option's effect is
 * measured with the options it was shown with held fixed. Per-block regressions of the whole reward (the
 * old factorised model) confound options under adaptive selection: an option absorbs the effects of the
 * options it happened to be shown with.
 *
 * - Exact (units·d ≤ EXACT_JOINT_LIMIT): the joint ridge system (λI + Σ w·φφᵀ) θ = Σ w·r·φ over the sparse
 *   features φ(x, a) (x in each of the action's unit slots) is kept as exact sums, so update order, batch
 *   splits and merges give the same model. Its inverse follows by Sherman–Morrison, or by one Cholesky
 *   refactorisation when a batch is larger than D/3 observations (cheaper then), lazily before scoring.
 * - Backfit (larger systems): each unit regresses the residual of the other blocks' current estimates,
 *   r − Σ_{b'≠b} θ_{u_b'}·x, on the context. Memory is proportional to the number of units; residuals are
 *   taken at update time, so early updates carry the other blocks' early errors (their weight fades as data
 *   grow), and update order and merges are approximate.
 *
 * Uncertainty: Thompson draws and UCB widths use each unit's conditional posterior given the other blocks
 * (σ²·A_u⁻¹, A_u = λI + Σ_{u shown} w·xxᵀ), independent across units, so exact Thompson propensities still
 * factor over blocks. The joint marginals would not do: the split of the intercept between blocks is not
 * identified by data, so marginal widths never shrink.
 *
 * Option attributes (a discount's rate) add one hidden unit per attribute, shown with every action at
 * the action's value of it (its slot holds value·x), so options share what an attribute is worth. An
 * option's score is then its own unit's plus value·θ_attribute·x, with the width of the sum of
 * independent terms, √(w_u² + Σ value²·w_attribute²): each option's draw is still independent of the
 * others', so propensities stay exact.
 */
export class SharedLinearModel implements RewardModel {
  readonly type = "shared-linear";
  readonly mode: "exact" | "backfit";
  private readonly options: z.output<typeof sharedLinearOptionsSchema>;
  private readonly d: number;
  /** Units of the blocks, then the hidden ones (HiddenTerms: the blocks' units absorb their terms). */
  private readonly unitCount: number;
  private readonly hiddenTerms: HiddenTerms;
  /** Per-unit A_u, its inverse, and (backfit) residual targets and coefficients. */
  private unitGram: Float64Array[];
  private unitInverse: Float64Array[];
  /** Where the units' inverses live (the SIMD widths kernel reads them there). */
  private readonly arena: MatrixArena;
  private unitTarget: Float64Array[];
  private counts: Float64Array;
  /** Exact mode: joint Gram G, inverse P, target t and coefficients θ (D = units·d). */
  private readonly jointGram: Float64Array;
  private readonly jointInverse: Float64Array;
  /** Where the joint system's D×D matrices live (the SIMD kernels factor and invert them there). */
  private readonly jointArena: MatrixArena;
  private jointTarget: Float64Array;
  private theta: Float64Array;
  /** Whether P = G⁻¹ is current (batch flushes solve by Cholesky and leave it stale). */
  private inverseValid = true;
  /** Observations folded into G and t but not yet into P and θ. */
  private unflushed: {
    x: Float64Array;
    units: Int32Array;
    /** Each slot's scale (absent: all 1, an action without attributes). */
    scales: Float64Array | undefined;
    reward: number;
    weight: number;
  }[] = [];
  private updatesSinceRefactor = 0;
  /** G⁻¹ for attribute reports while the model's own inverse is stale, and the revision it is of. */
  private covariance: { revision: number; inverse: Float64Array } | undefined;
  /** Scratch for P·φ when φ has scaled slots (attributes), and the one slot each kernel call takes. */
  private scaledProduct: Float64Array | undefined;
  private readonly oneSlot = new Int32Array(1);
  private readonly noiseEstimate: NoiseEstimate;
  /** Λ, per unit and column: the Gram matrices hold it on their diagonals. */
  private readonly precision: PriorPrecision;
  private readonly pending: PendingWidths;
  /** Each unit's θ, copied right after its inverse in the arena (one kernel call reads both), and when. */
  private readonly thetaSlots: Float64Array[];
  private thetaSlotsRevision = -1;
  /** Every unit's posterior mean and width for the context being scored. */
  private readonly posteriors: UnitPosteriors;
  /** The blocks' units' means in `posteriors` (their attribute terms included; the attribute units follow). */
  private readonly means: Float64Array;
  /** σ̂ of the exact fit, valid until the next change of the statistics. */
  private noiseCache: number | undefined;
  private revision = 0;
  observations = 0;

  constructor(
    readonly blocks: Blocks,
    readonly contextDimension: number,
    options: SharedLinearOptions = {},
    private readonly discount = 1,
  ) {
    this.options = sharedLinearOptionsSchema.parse(options);
    const d = contextDimension;
    this.d = d;
    this.hiddenTerms = new HiddenTerms(blocks);
    this.unitCount = blocks.unitCount + this.hiddenTerms.count;
    const D = this.unitCount * d;
    this.mode = !this.options.backfit && D <= EXACT_JOINT_LIMIT ? "exact" : "backfit";
    const lambda = this.options.lambda;
    this.unitGram = Array.from({ length: this.unitCount }, () => scaledIdentity(d, lambda));
    this.arena = new MatrixArena(d, this.unitCount, false, true);
    this.unitInverse = Array.from({ length: this.unitCount }, () => this.arena.allocate(1 / lambda));
    this.thetaSlots = this.unitInverse.map((m) => this.arena.vectorAfter(m));
    this.unitTarget =
      this.mode === "backfit" ? Array.from({ length: this.unitCount }, () => new Float64Array(d)) : [];
    this.counts = new Float64Array(this.unitCount);
    const exact = this.mode === "exact";
    this.jointArena = new MatrixArena(exact ? D : 0, exact ? 2 : 0, true);
    this.jointGram = exact ? this.jointArena.allocate(lambda) : new Float64Array(0);
    this.jointInverse = exact ? this.jointArena.allocate(1 / lambda) : new Float64Array(0);
    this.jointTarget = new Float64Array(exact ? D : 0);
    this.theta = new Float64Array(D);
    this.noiseEstimate = new NoiseEstimate(this.options.priorNoise);
    const { interceptColumn, learnPrior } = this.options;
    this.precision = new PriorPrecision(
      this.unitCount,
      d,
      lambda,
      interceptColumn,
      learnPrior,
      learnPrior ? this.hiddenTerms.pooledGroups() : [],
      this.hiddenTerms.constantUnits(),
    );
    // Held coefficients (interaction cells' context effects) start at their own prior, not λ.
    for (let u = 0; u < this.unitCount; u++)
      for (let i = 0; i < d; i++) {
        const precision = this.precision.of(u, i);
        if (precision === lambda) continue;
        this.addPrecision(u, i, precision - lambda);
        this.unitInverse[u]![i * d + i] = 1 / precision;
        if (exact) this.jointInverse[(u * d + i) * (D + 1)] = 1 / precision;
      }
    this.pending = new PendingWidths(this.arena);
    const terms = this.hiddenTerms;
    this.posteriors = new UnitPosteriors(
      this.arena,
      this.unitCount,
      d,
      (matrices, thetas, owners) => {
        for (let u = 0; u < this.unitCount; u++) {
          matrices[u] = this.pending.inverseOf(u) ?? this.unitInverse[u]!;
          thetas[u] = this.thetaSlots[u]!;
          owners[u] = u;
        }
        return this.unitCount;
      },
      terms.count > 0 ? (means, widths) => terms.fold(means, widths) : undefined,
      contextNarrowing(this.options.contextScale, interceptColumn, (out) =>
        meanContextOf(this.blockUnits(), interceptColumn!, d, out),
      ),
    );
    this.means = this.posteriors.means.subarray(0, blocks.unitCount);
  }

  /** Posterior mean coefficients of a unit. */
  coefficients(unit: number): Float64Array {
    this.flush();
    return this.theta.subarray(unit * this.d, (unit + 1) * this.d);
  }

  /** The reward noise sd in use: the `noise` setting, or its running estimate. */
  get noise(): number {
    this.flush();
    if (this.options.noise !== undefined) return this.options.noise;
    if (this.mode === "backfit") return this.noiseEstimate.sd();
    this.noiseCache ??= this.noiseEstimate.sd(
      dot(this.theta, this.jointTarget, this.theta.length),
      this.effectiveParameters(),
    );
    return this.noiseCache;
  }

  /**
   * Effective number of parameters of the fit, Σ_u (d − tr(Λ_u·A_u⁻¹)): the units' own ridge fits (the
   * joint hat matrix's trace would need G⁻¹, which batch flushes do not keep; the per-unit sum counts the
   * intercept once per block, so it errs towards more exploration).
   */
  private effectiveParameters(): number {
    const d = this.d;
    let parameters = 0;
    this.unitInverse.forEach((inverse, u) => {
      let trace = 0;
      for (let i = 0; i < d; i++) trace += this.precision.of(u, i) * inverse[i * d + i]!;
      parameters += d - trace;
    });
    return parameters;
  }

  scoreUnits(x: Float64Array, request: ScoreRequest, out: Float64Array): void {
    this.computePosterior(x);
    const { widths } = this.posteriors;
    const means = this.means;
    if (request.mode === "mean") {
      out.set(means);
      return;
    }
    const sigma = this.noise;
    if (request.mode === "upper") {
      const a = request.alpha * sigma;
      for (let u = 0; u < out.length; u++) out[u] = means[u]! + a * widths[u]!;
    } else {
      const scale = this.options.sampleScale * sigma;
      const floor = this.options.optimistic ? 0 : Number.NEGATIVE_INFINITY;
      for (let u = 0; u < out.length; u++)
        out[u] = means[u]! + scale * widths[u]! * Math.max(floor, normal(request.rng));
    }
  }

  get optimistic(): boolean {
    return this.options.optimistic;
  }

  gaussianScores(x: Float64Array, means: Float64Array, sds: Float64Array): void {
    this.computePosterior(x);
    const scale = this.options.sampleScale * this.noise;
    means.set(this.means);
    for (let u = 0; u < sds.length; u++) sds[u] = scale * this.posteriors.widths[u]!;
  }

  /**
   * Each attribute's θ·x and its marginal posterior sd, σ̂·√(xᵀP_aa·x) with P the joint system's inverse:
   * not the conditional width a draw uses, which takes the other units as known and so understates how
   * well the data separate an attribute from the options' own effects. NaN when backfitting (no joint
   * inverse). Leaves the model as it was (its own inverse may be stale: a copy is inverted).
   */
  attributeScores(x: Float64Array, means: Float64Array, sds: Float64Array): void {
    this.computePosterior(x);
    const d = this.d;
    const first = this.blocks.unitCount;
    const sigma = this.noise;
    const covariance = this.mode === "exact" ? this.jointCovariance() : undefined;
    const D = this.unitCount * d;
    for (let j = 0; j < this.hiddenTerms.attributeCount; j++) {
      means[j] = this.posteriors.means[first + j]!;
      if (!covariance) {
        sds[j] = Number.NaN;
        continue;
      }
      const at = (first + j) * d;
      let form = 0;
      for (let a = 0; a < d; a++) form += x[a]! * dotAt(covariance, (at + a) * D + at, x, 0, d);
      sds[j] = sigma * Math.sqrt(Math.max(0, form));
    }
  }

  /** P = G⁻¹ of the exact joint system as it is now: the model's own when current, else a fresh copy. */
  private jointCovariance(): Float64Array {
    this.flush();
    if (this.inverseValid) return this.jointInverse;
    const D = this.unitCount * this.d;
    if (this.covariance?.revision !== this.revision) {
      const inverse = this.covariance?.inverse ?? new Float64Array(D * D);
      if (!invertSpd(this.jointGram, D, inverse, new Float64Array(D))) {
        throw new Error("joint Gram matrix lost positive definiteness; this is a bug in Kairos");
      }
      this.covariance = { revision: this.revision, inverse };
    }
    return this.covariance.inverse;
  }

  /** Per-unit means θ_u·x and conditional widths √(xᵀA_u⁻¹x), cached while x and the model are unchanged. */
  private computePosterior(x: Float64Array): void {
    this.syncThetaSlots();
    this.posteriors.update(x, this.revision + this.pending.revision, true);
  }

  freezeMeans(): FrozenMeans {
    this.syncThetaSlots();
    return this.posteriors.frozen(this.revision, this.revision + this.pending.revision);
  }

  /**
   * A batch of contexts' means and widths, computed together (see {@link UnitPosteriors.prepare}); scoring
   * one of these arrays reads them while the model is unchanged.
   */
  prepareContexts(contexts: readonly Float64Array[]): void {
    this.syncThetaSlots();
    this.posteriors.prepare(contexts, this.revision + this.pending.revision);
  }

  /** Brings θ up to date (flush) and copies each unit's after its inverse, once per revision. */
  private syncThetaSlots(): void {
    this.flush();
    if (this.thetaSlotsRevision === this.revision) return;
    for (let u = 0; u < this.unitCount; u++) this.thetaSlots[u]!.set(this.unitTheta(u));
    this.pending.refreshThetas((u) => this.unitTheta(u));
    this.thetaSlotsRevision = this.revision;
  }

  observe(x: Float64Array, actionUnits: Int32Array, reward: number, weight: number): void {
    const d = this.d;
    // The action's slots: its units, then its hidden units (scaled by its values of them).
    const { slots: units, scales } = this.hiddenTerms.slotsOf(actionUnits);
    const scale = (b: number) => (scales ? scales[b]! : 1);
    this.revision++;
    this.noiseCache = undefined;
    if (this.mode === "exact") {
      this.noiseEstimate.add(reward, weight);
      // Joint sums now; the inverse and θ follow lazily (flush), by rank-one updates or one refactorisation.
      for (let a = 0; a < units.length; a++) {
        const ua = units[a]! * d;
        const wa = weight * scale(a);
        for (let i = 0; i < d; i++) this.jointTarget[ua + i]! += wa * reward * x[i]!;
        for (let b = 0; b < units.length; b++)
          addOuterAt(this.jointGram, x, wa * scale(b), d, ua, units[b]! * d);
      }
      this.unflushed.push({
        x: Float64Array.from(x.subarray(0, d)),
        units: Int32Array.from(units),
        scales: scales && Float64Array.from(scales),
        reward,
        weight,
      });
    } else {
      // Out-of-sample residual for the noise estimate, before this observation moves the fit.
      let predicted = 0;
      for (let b = 0; b < units.length; b++)
        predicted += scale(b) * dotAt(this.theta, units[b]! * d, x, 0, d);
      this.noiseEstimate.add(reward - predicted, weight);
      for (let b = 0; b < units.length; b++) {
        let residual = reward;
        for (let c = 0; c < units.length; c++) {
          if (c !== b) residual -= scale(c) * dotAt(this.theta, units[c]! * d, x, 0, d);
        }
        const u = units[b]!;
        // The unit's slot holds scale·x: its residual regression is on that.
        const w = weight * scale(b);
        for (let i = 0; i < d; i++) this.unitTarget[u]![i]! += w * residual * x[i]!;
      }
    }
    for (let b = 0; b < units.length; b++) {
      const u = units[b]!;
      const w = weight * scale(b) ** 2;
      addOuter(this.unitGram[u]!, x, w, d);
      this.arena.shermanMorrison(this.unitInverse[u]!, x, w);
      this.counts[u]! += weight;
      if (this.mode === "backfit") matVec(this.unitInverse[u]!, this.unitTarget[u]!, d, this.unitTheta(u));
    }
    this.observations += weight;
  }

  /** The blocks' units' statistics (attribute units hold value·x, not x: they are left out). */
  private *blockUnits(): Generator<{ gram: Float64Array; count: number }> {
    for (let u = 0; u < this.blocks.unitCount; u++) yield { gram: this.unitGram[u]!, count: this.counts[u]! };
  }

  private unitTheta(u: number): Float64Array {
    return this.theta.subarray(u * this.d, (u + 1) * this.d);
  }

  /**
   * Brings θ up to date with the sums (exact mode). A few observations: rank-one updates of the inverse,
   * n·D²; many (a daily batch): one Cholesky solve, D³/6, which leaves the inverse stale until the next
   * few-observation flush rebuilds it. Rank-one drift is wiped by a rebuild every 4·D updates.
   */
  private flush(): void {
    const n = this.unflushed.length;
    if (n === 0) return;
    const D = this.unitCount * this.d;
    this.updatesSinceRefactor += n;
    if (6 * n >= D) this.solveJoint();
    else if (!this.inverseValid || this.updatesSinceRefactor > 4 * D) this.refactorJoint();
    else {
      for (const o of this.unflushed) this.jointRankOne(o.x, o.units, o.scales, o.reward, o.weight);
    }
    this.unflushed = [];
  }

  /** θ = G⁻¹t by Cholesky, its factor written over the (now stale) inverse's storage. */
  private solveJoint(): void {
    const D = this.unitCount * this.d;
    if (!this.jointArena.cholesky(this.jointGram, this.jointInverse)) {
      throw new Error("joint Gram matrix lost positive definiteness; this is a bug in Kairos");
    }
    choleskySolve(this.jointInverse, this.jointTarget, D, this.theta);
    this.inverseValid = false;
    this.updatesSinceRefactor = 0;
  }

  /**
   * One observation (φ = x in each of the action's unit slots, times the slot's scale; reward r, weight w)
   * into P = G⁻¹ and θ = P·t:
   * with v = Pφ and f = w/(1 + w·φᵀv), P ← P − f·v·vᵀ, and θ ← θ + w·r·v − f·v·(φᵀθ + w·r·φᵀv), which is
   * P′t′ expanded (t′ = t + w·r·φ, vᵀt = φᵀθ): O(D) for θ instead of a D² product.
   */
  private jointRankOne(
    x: Float64Array,
    units: Int32Array,
    scales: Float64Array | undefined,
    reward: number,
    weight: number,
  ): void {
    const d = this.d;
    const D = this.unitCount * d;
    const v = scales
      ? this.scaledSlotMatVec(units, scales, x)
      : this.jointArena.slotMatVec(this.jointInverse, units, x, d);
    const scale = (b: number) => (scales ? scales[b]! : 1);
    let quad = 0;
    let fitted = 0;
    for (let b = 0; b < units.length; b++) {
      quad += scale(b) * dotAt(v, units[b]! * d, x, 0, d);
      fitted += scale(b) * dotAt(this.theta, units[b]! * d, x, 0, d);
    }
    const f = weight / (1 + weight * quad);
    const gain = weight * reward;
    const pull = f * (fitted + gain * quad);
    const theta = this.theta;
    for (let i = 0; i < D; i++) theta[i]! += (gain - pull) * v[i]!;
    this.jointArena.subtractOuterRows(this.jointInverse, v, f);
  }

  /** P·φ for φ holding scale·x at each slot: the kernel's product slot by slot, scaled and summed. */
  private scaledSlotMatVec(units: Int32Array, scales: Float64Array, x: Float64Array): Float64Array {
    const v = (this.scaledProduct ??= new Float64Array(this.unitCount * this.d));
    v.fill(0);
    const one = this.oneSlot;
    for (let b = 0; b < units.length; b++) {
      const s = scales[b]!;
      if (s === 0) continue;
      one[0] = units[b]!;
      const column = this.jointArena.slotMatVec(this.jointInverse, one, x, this.d);
      for (let i = 0; i < v.length; i++) v[i]! += s * column[i]!;
    }
    return v;
  }

  private refactorJoint(): void {
    const D = this.unitCount * this.d;
    if (!this.jointArena.invertSpd(this.jointGram, this.jointInverse)) {
      throw new Error("joint Gram matrix lost positive definiteness; this is a bug in Kairos");
    }
    matVec(this.jointInverse, this.jointTarget, D, this.theta);
    this.inverseValid = true;
    this.updatesSinceRefactor = 0;
  }

  private refactorUnits(): void {
    const d = this.d;
    for (let u = 0; u < this.unitCount; u++) {
      if (!this.arena.invertSpd(this.unitGram[u]!, this.unitInverse[u]!)) {
        throw new SnapshotMismatchError(`shared-linear unit ${u}: Gram matrix is not positive definite`);
      }
      if (this.mode === "backfit") matVec(this.unitInverse[u]!, this.unitTarget[u]!, d, this.unitTheta(u));
    }
  }

  /**
   * Every derived quantity recomputed from the sums: the canonical state snapshots and merges leave. The
   * joint system is inverted, or with `solveOnly` only factored to solve θ (its inverse then stale until an
   * update needs it).
   */
  private refactorAll(solveOnly = false): void {
    this.unflushed = [];
    this.refactorUnits();
    if (this.mode === "exact") {
      if (solveOnly) this.solveJoint();
      else this.refactorJoint();
    }
    this.revision++;
    this.noiseCache = undefined;
  }

  countPending(x: Float64Array, actionUnits: Int32Array): void {
    // A pending inverse is a copy of the unit's, with the θ after it.
    this.syncThetaSlots();
    const { slots, scales } = this.hiddenTerms.slotsOf(actionUnits);
    for (let b = 0; b < slots.length; b++) {
      this.pending.add(slots[b]!, this.unitInverse[slots[b]!]!, x, scales ? scales[b]! ** 2 : 1);
    }
  }

  clearPending(): void {
    this.pending.clear();
  }

  startBatch(): void {
    this.pending.clear();
    this.posteriors.dropPrepared();
    if (this.discount === 1) return;
    this.flush();
    const g = this.discount;
    const d = this.d;
    // Forget the data part of every Gram matrix, keep the prior: A ← Λ + γ(A − Λ).
    const forget = (m: Float64Array, n: number, unit?: number) => {
      for (let i = 0; i < n * n; i++) m[i]! *= g;
      for (let i = 0; i < n; i++) {
        const precision = unit === undefined ? this.precision.values[i]! : this.precision.of(unit, i);
        m[i * n + i]! += precision * (1 - g);
      }
    };
    this.unitGram.forEach((m, u) => {
      forget(m, d, u);
    });
    for (const t of this.unitTarget) for (let i = 0; i < d; i++) t[i]! *= g;
    if (this.mode === "exact") {
      forget(this.jointGram, this.unitCount * d);
      for (let i = 0; i < this.jointTarget.length; i++) this.jointTarget[i]! *= g;
    }
    for (let u = 0; u < this.unitCount; u++) this.counts[u]! *= g;
    this.noiseEstimate.scale(g);
    this.observations *= g;
    this.refactorAll();
  }

  toJSON(): z.infer<typeof statsSchema> {
    // Snapshots are taken from the canonical state, so the original and a restored copy score alike.
    this.flush();
    this.refactorAll();
    const d = this.d;
    const gram: z.infer<typeof blockSchema>[] = [];
    if (this.mode === "exact") {
      const D = this.unitCount * d;
      for (let r = 0; r < this.unitCount; r++) {
        for (let c = r; c < this.unitCount; c++) {
          const values = readBlock(this.jointGram, D, r * d, c * d, d);
          if (r === c || values.some((v) => v !== 0)) gram.push({ row: r, column: c, values });
        }
      }
    } else {
      this.unitGram.forEach((m, u) => {
        gram.push({ row: u, column: u, values: [...m] });
      });
    }
    const target = this.mode === "exact" ? [...this.jointTarget] : this.unitTarget.flatMap((t) => [...t]);
    return {
      mode: this.mode,
      gram,
      target,
      counts: [...this.counts],
      noise: this.noiseEstimate.toJSON(),
      observations: this.observations,
      ...(this.precision.stored ? { prior: this.precision.toJSON() } : {}),
    };
  }

  endBatch(): void {
    if (!this.precision.due(this.observations)) return;
    this.flush();
    const d = this.d;
    const D = this.unitCount * d;
    const exact = this.mode === "exact";
    // Each step needs the posterior's diagonal, O(D³) when exact, so large systems take one step per
    // estimate; warm starts carry the fixed point on from one estimate to the next. The diagonal comes
    // from the inverse when it is current, else from the Cholesky factor of the Gram matrix (a third of
    // the cost of inverting it); each step then re-solves θ by Cholesky, whose factor serves the next step,
    // and leaves the inverse to be rebuilt only if a later update needs it.
    const steps = exact && D > 300 ? 1 : 3;
    const diagonal = exact ? new Float64Array(D) : undefined;
    for (let step = 0; step < steps; step++) {
      if (diagonal) this.jointInverseDiagonal(diagonal, step > 0);
      const noiseVariance = this.noise ** 2;
      for (let u = 0; u < this.unitCount; u++) {
        const theta = this.unitTheta(u);
        for (let i = 0; i < d; i++) {
          const inverse = diagonal ? diagonal[u * d + i]! : this.unitInverse[u]![i * d + i]!;
          this.addPrecision(u, i, this.precision.step(u, i, theta[i]!, inverse, noiseVariance));
        }
      }
      const i = this.options.interceptColumn;
      for (const group of i === undefined ? [] : this.precision.pooled) {
        const changes = new Float64Array(group.length);
        const at = (u: number) => ({
          theta: this.unitTheta(u)[i!]!,
          inverseDiagonal: diagonal ? diagonal[u * d + i!]! : this.unitInverse[u]![i! * d + i!]!,
        });
        this.precision.stepPooled(group, at, noiseVariance, changes);
        group.forEach((u, k) => {
          this.addPrecision(u, i!, changes[k]!);
        });
      }
      this.refactorAll(true);
    }
  }

  /** Adds a change of a coefficient's prior precision to the Gram matrices, whose diagonals hold the prior. */
  private addPrecision(u: number, i: number, change: number): void {
    if (change === 0) return;
    const d = this.d;
    this.unitGram[u]![i * d + i]! += change;
    if (this.mode === "exact") this.jointGram[(u * d + i) * (this.unitCount * d + 1)]! += change;
  }

  /**
   * diag(G⁻¹) of the joint system into `out`: read off the inverse when it is current; else from G's
   * Cholesky factor, which the inverse's storage already holds when `factored` (after solveJoint).
   */
  private jointInverseDiagonal(out: Float64Array, factored: boolean): void {
    const D = this.unitCount * this.d;
    if (this.inverseValid) {
      for (let i = 0; i < D; i++) out[i] = this.jointInverse[i * (D + 1)]!;
      return;
    }
    if (!factored && !this.jointArena.cholesky(this.jointGram, this.jointInverse)) {
      throw new Error("joint Gram matrix lost positive definiteness; this is a bug in Kairos");
    }
    this.jointArena.inverseDiagonal(this.jointInverse, out);
  }

  /**
   * Where the stored units go: the blocks' units by `remap`, then the hidden units by `remap.hidden` (or
   * in place without a remap). A snapshot from before interactions learned their options' effects stores
   * none of those (the last hidden units): they start at the prior.
   */
  private storedUnits(stored: number, remap: UnitRemap | undefined): UnitRemap | undefined {
    const { count, attributeCount } = this.hiddenTerms;
    if (!remap) {
      const effects = count - attributeCount;
      if (effects === 0 || stored !== this.unitCount - effects) return undefined;
      return Int32Array.from({ length: stored }, (_, u) => u);
    }
    const hidden = remap.hidden ?? new Int32Array(0);
    const all = new Int32Array(remap.length + hidden.length);
    all.set(remap);
    all.set(hidden, remap.length);
    const oldEffects = hidden.length - attributeCount;
    return oldEffects > 0 && stored === all.length - oldEffects ? all.subarray(0, stored) : all;
  }

  load(json: unknown, remap?: UnitRemap): void {
    const stats = statsSchema.parse(json);
    const d = this.d;
    const D = this.unitCount * d;
    remap = this.storedUnits(stats.counts.length, remap);
    if (stats.mode !== this.mode) {
      throw new SnapshotMismatchError(`shared-linear snapshot is ${stats.mode}, this model is ${this.mode}`);
    }
    const from = remap ? remap.length : this.unitCount;
    const to = (u: number) => (remap ? remap[u]! : u);
    if (stats.target.length !== from * d || stats.counts.length !== from) {
      throw new SnapshotMismatchError(
        `shared-linear model has ${from} units of dimension ${d}, snapshot ${stats.counts.length}`,
      );
    }
    for (const b of stats.gram) {
      if (b.row >= from || b.column >= from || b.values.length !== d * d) {
        throw new SnapshotMismatchError(`shared-linear Gram block (${b.row}, ${b.column}) does not fit`);
      }
    }
    const lambda = this.options.lambda;
    // The stored Gram matrices hold the prior they were learned with; added units start at λ.
    const heldChanges = this.precision.load(stats.prior, remap);
    const target = Float64Array.from(stats.target);
    if (this.mode === "exact" && remap?.includes(-1)) foldRemovedUnits(stats.gram, target, remap, d, lambda);
    const targets = Array.from({ length: this.unitCount }, () => new Float64Array(d));
    for (let u = 0; u < from; u++) {
      if (to(u) >= 0) targets[to(u)]!.set(target.subarray(u * d, (u + 1) * d));
    }
    // Units of added options keep the prior λI; every block Σ w·xxᵀ is symmetric, so it sits as is on both
    // sides of the diagonal.
    this.unitGram = Array.from({ length: this.unitCount }, () => scaledIdentity(d, lambda));
    if (this.mode === "exact") {
      this.jointGram.fill(0);
      for (let i = 0; i < D; i++) this.jointGram[i * (D + 1)] = lambda;
      for (const b of stats.gram) {
        const r = to(b.row);
        const c = to(b.column);
        if (r < 0 || c < 0) continue;
        writeBlock(this.jointGram, D, r * d, c * d, d, b.values);
        writeBlock(this.jointGram, D, c * d, r * d, d, b.values);
        if (r === c) this.unitGram[r]!.set(b.values);
      }
      this.jointTarget = new Float64Array(D);
      targets.forEach((t, u) => {
        this.jointTarget.set(t, u * d);
      });
    } else {
      for (const b of stats.gram) if (to(b.row) >= 0) this.unitGram[to(b.row)]!.set(b.values);
      this.unitTarget = targets;
    }
    // Added units start at the prior precisions, which for a pooled intercept is the group's, not λ.
    const loaded = new Uint8Array(this.unitCount);
    for (let u = 0; u < from; u++) if (to(u) >= 0) loaded[to(u)] = 1;
    for (let u = 0; u < this.unitCount; u++) {
      for (let i = 0; i < d; i++)
        this.addPrecision(u, i, loaded[u] === 1 ? heldChanges[u * d + i]! : this.precision.of(u, i) - lambda);
    }
    this.counts = remapValues(stats.counts, this.unitCount, remap);
    this.noiseEstimate.load(stats.noise);
    this.observations = stats.observations;
    this.pending.clear();
    this.refactorAll();
  }

  merge(other: RewardModel): void {
    if (
      !(other instanceof SharedLinearModel) ||
      other.unitCount !== this.unitCount ||
      other.d !== this.d ||
      other.mode !== this.mode
    ) {
      throw new MergeError("can only merge a shared-linear model over the same units and context dimension");
    }
    this.flush();
    other.flush();
    const d = this.d;
    // Both Gram matrices hold a prior: keep mine only.
    const add = (mine: Float64Array, theirs: Float64Array, n: number, unit?: number) => {
      for (let i = 0; i < mine.length; i++) mine[i]! += theirs[i]!;
      for (let i = 0; i < n; i++) {
        mine[i * n + i]! -= unit === undefined ? other.precision.values[i]! : other.precision.of(unit, i);
      }
    };
    this.unitGram.forEach((m, u) => {
      add(m, other.unitGram[u]!, d, u);
    });
    this.unitTarget.forEach((t, u) => {
      for (let i = 0; i < d; i++) t[i]! += other.unitTarget[u]![i]!;
    });
    if (this.mode === "exact") {
      add(this.jointGram, other.jointGram, this.unitCount * d);
      for (let i = 0; i < this.jointTarget.length; i++) this.jointTarget[i]! += other.jointTarget[i]!;
    }
    for (let u = 0; u < this.unitCount; u++) this.counts[u]! += other.counts[u]!;
    this.noiseEstimate.merge(other.noiseEstimate);
    this.observations += other.observations;
    this.refactorAll();
    this.endBatch();
  }
}

/**
 * Removing options from an exact joint fit: their effects are fixed at their estimates and moved into the
 * targets of the units they were shown with (t_v −= G_vr·θ_r), so every kept unit's estimate is exactly
 * what it was; without this, the data that used a removed option would be re-explained by the others.
 */
function foldRemovedUnits(
  gram: readonly { row: number; column: number; values: number[] }[],
  target: Float64Array,
  remap: UnitRemap,
  d: number,
  lambda: number,
): void {
  const D = remap.length * d;
  const full = scaledIdentity(D, lambda);
  for (const b of gram) {
    writeBlock(full, D, b.row * d, b.column * d, d, b.values);
    writeBlock(full, D, b.column * d, b.row * d, d, b.values);
  }
  const inverse = new Float64Array(D * D);
  if (!invertSpd(full, D, inverse, new Float64Array(D))) {
    throw new SnapshotMismatchError("shared-linear snapshot: Gram matrix is not positive definite");
  }
  const theta = new Float64Array(D);
  matVec(inverse, target, D, theta);
  const fold = (kept: number, removed: number, values: number[]) => {
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += values[i * d + j]! * theta[removed * d + j]!;
      target[kept * d + i]! -= s;
    }
  };
  for (const b of gram) {
    if (remap[b.row]! < 0 && remap[b.column]! >= 0) fold(b.column, b.row, b.values);
    if (remap[b.column]! < 0 && remap[b.row]! >= 0) fold(b.row, b.column, b.values);
  }
}

/** m[r.., c..] += w·x·xᵀ on the d×d block at (r, c) of an n×n matrix. */
function addOuterAt(m: Float64Array, x: Float64Array, w: number, d: number, r: number, c: number): void {
  const n = Math.sqrt(m.length);
  for (let i = 0; i < d; i++) {
    const xi = w * x[i]!;
    if (xi === 0) continue;
    const row = (r + i) * n + c;
    for (let j = 0; j < d; j++) m[row + j]! += xi * x[j]!;
  }
}

function readBlock(m: Float64Array, n: number, r: number, c: number, d: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) out.push(m[(r + i) * n + c + j]!);
  return out;
}

function writeBlock(m: Float64Array, n: number, r: number, c: number, d: number, values: number[]): void {
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) m[(r + i) * n + c + j] = values[i * d + j]!;
}
