import { z } from "zod";
import { KairosError, MergeError, SnapshotMismatchError } from "../errors.js";
import { addOuter, dot, invertSpd, matVec, scaledIdentity, shermanMorrison } from "../linalg/dense.js";
import { MatrixArena } from "../linalg/matrix-arena.js";
import type { Blocks } from "./blocks.js";
import { NoiseEstimate } from "./noise-estimate.js";
import { PendingWidths } from "./pending-widths.js";
import type { RewardModel, ScoreRequest } from "./reward-model.js";
import type { UnitRemap } from "./unit-remap.js";

const armSchema = z.strictObject({
  unit: z.number().int().nonnegative(),
  gram: z.array(z.number()),
  /** Σ w·x over the arm's observations: B_a = contextSum·z_aᵀ, since an arm's features z_a never change. */
  contextSum: z.array(z.number()),
  target: z.array(z.number()),
  /** The cached A_a⁻¹, so a restored model scores bit-for-bit like the original. */
  inverse: z.array(z.number()),
});
const statsSchema = z.strictObject({
  sharedGram: z.array(z.number()),
  sharedTarget: z.array(z.number()),
  arms: z.array(armSchema),
  observations: z.number().nonnegative(),
  noise: z.strictObject({ sumSquares: z.number(), observations: z.number().nonnegative() }),
});

/** An action's shared features z: the indexes of its non-zero entries and their values. */
interface SharedFeatures {
  index: Int32Array;
  value: Float64Array;
}

/** The hybrid model's settings; σ is estimated from the residuals (see NoiseEstimate) unless `noise` is set. */
export interface HybridLinearOptions {
  /** Prior precision λ of every coefficient, shared and per arm. */
  lambda?: number;
  /** Discount of past statistics at each batch (1: none). */
  discount?: number;
  /** Reward noise sd σ scaling the widths; estimated when absent. */
  noise?: number | undefined;
  /** Prior guess of σ when it is estimated, worth 10 observations. */
  priorNoise?: number;
}

/**
 * Per-arm statistics: A_a (d×d), b_a (d) and s_a = Σ w·x (d), with cached A_a⁻¹. Li et al.'s B_a (d×k) is
 * the rank-one s_a·z_aᵀ here, so the arm's pull on the shared system, B_aᵀA_a⁻¹B_a and B_aᵀA_a⁻¹b_a, is
 * z_a·z_aᵀ and z_a scaled by two scalars.
 */
class HybridArm {
  readonly gram: Float64Array;
  readonly inverse: Float64Array;
  readonly contextSum: Float64Array;
  readonly target: Float64Array;
  /** A_a⁻¹s_a and A_a⁻¹b_a: with them an action's mean costs O(d) (see scoreUnits). */
  readonly inverseContextSum: Float64Array;
  readonly inverseTarget: Float64Array;
  /** s_aᵀA_a⁻¹s_a and s_aᵀA_a⁻¹b_a. */
  pull = 0;
  pullTarget = 0;

  constructor(
    d: number,
    lambda: number,
    /** The arm's shared features z_a: an indicator per option it uses, and its options' attributes. */
    readonly features: SharedFeatures,
    arena: MatrixArena,
  ) {
    this.gram = scaledIdentity(d, lambda);
    this.inverse = arena.allocate(1 / lambda);
    this.contextSum = new Float64Array(d);
    this.target = new Float64Array(d);
    this.inverseContextSum = new Float64Array(d);
    this.inverseTarget = new Float64Array(d);
  }
}

/**
 * Hybrid linear model of LinUCB (Li et al., 2010, algorithm 2): each action has its own coefficients on
 * the context, and all actions share coefficients β on action features z — here one indicator per option
 * of every dimension, so what is learned about "sms" helps every action that uses sms, and the options'
 * numeric attributes (a discount's rate), so what a unit of discount is worth is learned once. Raw sums are
 * stored (exact merges and snapshots); the shared system is kept as A₀ = λI + Σzzᵀ − Σ_a B_aᵀA_a⁻¹B_a.
 * Because an action's features are fixed, B_a is rank one: an action's upper bound costs O(d² + D²) for D
 * dimensions, as for plain LinUCB, and its mean O(d + D²), instead of O(d² + dk + k²) for both.
 * Supports means and upper bounds (LinUCB); Thompson sampling is not offered for this model. The upper
 * bounds count the decisions made since the last update as if observed (see {@link PendingWidths}), in the
 * arm's A_a and s_a and in the shared A₀ alike: without that, a daily batch sends every customer to the
 * same most-uncertain action, and with 576 of them hybrid LinUCB was still trying one new action per batch
 * after 20,000 decisions. Widths are in reward units, α·σ·√(…) with σ the reward noise (estimated from the
 * joint fit's residuals), as for LinUCB: with σ taken as 1, conversions (σ ≈ 0.3) were explored ten times
 * longer than the data warrant.
 */
export class HybridLinearModel implements RewardModel {
  readonly type = "hybrid-linear";
  private readonly k: number;
  private arms: (HybridArm | undefined)[];
  private sharedRawGram: Float64Array;
  private sharedRawTarget: Float64Array;
  private readonly sharedGram: Float64Array;
  private readonly sharedTarget: Float64Array;
  private readonly sharedInverse: Float64Array;
  private readonly beta: Float64Array;
  private readonly optionOffsets: number[];
  /** Where each dimension's attributes start among the shared features (after every option's indicator). */
  private readonly attributeOffsets: number[];
  private readonly codes: Int32Array;
  /** Arms observed since the shared system was last solved. */
  private readonly dirtyArms = new Set<HybridArm>();
  /** A_a⁻¹ of an arm never observed: λ⁻¹I. */
  private readonly priorInverse: Float64Array;
  /** Where the arms' inverses live (the SIMD kernels work on them there). */
  private readonly arena: MatrixArena;
  /** A_a⁻¹ with the pending decisions counted, per arm. */
  private readonly pending: PendingWidths;
  /** s_a with the pending decisions' contexts added, per arm that has some. */
  private readonly pendingSums = new Map<number, Float64Array>();
  /** A₀⁻¹ with the pending decisions counted, or undefined when there are none. */
  private pendingShared: Float64Array | undefined;
  private readonly scratchK: Float64Array;
  private readonly denseZ: Float64Array;
  private readonly lambda: number;
  private readonly discount: number;
  private readonly fixedNoise: number | undefined;
  private readonly noiseEstimate: NoiseEstimate;
  /** σ in use: the `noise` setting, or its estimate as of the last solve of the shared system. */
  private noise = 1;
  observations = 0;

  constructor(
    readonly blocks: Blocks,
    readonly contextDimension: number,
    options: HybridLinearOptions = {},
  ) {
    const lambda = options.lambda ?? 1;
    this.lambda = lambda;
    this.discount = options.discount ?? 1;
    this.fixedNoise = options.noise;
    this.noiseEstimate = new NoiseEstimate(options.priorNoise ?? 0.5);
    const space = blocks.space;
    this.optionOffsets = [];
    this.attributeOffsets = [];
    let k = 0;
    for (let dim = 0; dim < space.dimensions.length; dim++) {
      this.optionOffsets.push(k);
      k += space.optionCount(dim);
    }
    for (const a of space.attributes) {
      this.attributeOffsets.push(k);
      k += a.names.length;
    }
    this.k = k;
    const d = contextDimension;
    this.arms = new Array(blocks.unitCount);
    this.sharedRawGram = scaledIdentity(k, lambda);
    this.sharedRawTarget = new Float64Array(k);
    this.sharedGram = new Float64Array(k * k);
    this.sharedTarget = new Float64Array(k);
    this.sharedInverse = new Float64Array(k * k);
    this.beta = new Float64Array(k);
    this.codes = new Int32Array(space.dimensions.length);
    this.arena = new MatrixArena(d, blocks.unitCount + 1);
    this.priorInverse = this.arena.allocate(1 / lambda);
    this.pending = new PendingWidths(this.arena);
    this.scratchK = new Float64Array(k);
    this.denseZ = new Float64Array(k);
    this.deriveShared();
  }

  /** The action's shared features z (its options' indicators, then their attributes) into `out`. */
  private features(unit: number, out: SharedFeatures = this.newFeatures()): SharedFeatures {
    const space = this.blocks.space;
    space.codesOf(unit, this.codes);
    let n = 0;
    for (let dim = 0; dim < this.codes.length; dim++) {
      out.index[n] = this.optionOffsets[dim]! + this.codes[dim]!;
      out.value[n++] = 1;
    }
    space.attributes.forEach(({ names, values }, dim) => {
      for (let j = 0; j < names.length; j++) {
        out.index[n] = this.attributeOffsets[dim]! + j;
        out.value[n++] = values[this.codes[dim]! * names.length + j]!;
      }
    });
    return out;
  }

  private newFeatures(): SharedFeatures {
    const n = this.codes.length + this.blocks.space.attributeCount;
    return { index: new Int32Array(n), value: new Float64Array(n) };
  }

  private newArm(unit: number): HybridArm {
    return new HybridArm(this.contextDimension, this.lambda, this.features(unit), this.arena);
  }

  scoreUnits(x: Float64Array, request: ScoreRequest, out: Float64Array): void {
    if (request.mode === "sample") {
      throw new KairosError(
        "unsupported",
        "the hybrid linear model supports mean and upper scores, not sampling",
      );
    }
    this.refreshShared();
    const d = this.contextDimension;
    const k = this.k;
    const z = this.newFeatures();
    const xx = dot(x, x, d);
    this.arena.load(x);
    const sharedInverse = this.pendingShared ?? this.sharedInverse;
    for (let u = 0; u < out.length; u++) {
      const arm = this.arms[u];
      // zᵀβ and q = zᵀA₀⁻¹z over the action's few non-zero features.
      const features = arm ? arm.features : this.features(u, z);
      const shared = this.sharedMean(features);
      const q = request.mode === "mean" ? 0 : quadraticForm(features, sharedInverse, k);
      let mean = shared;
      // θ_a = A_a⁻¹(b_a − s_a·zᵀβ), so xᵀθ_a = xᵀA_a⁻¹b_a − c·zᵀβ with c = xᵀA_a⁻¹s_a. An unseen arm has
      // A_a = λI, B_a = 0, b_a = 0, so θ_a = 0 and only the shared part speaks.
      const c = arm ? dot(x, arm.inverseContextSum, d) : 0;
      if (arm) mean += dot(x, arm.inverseTarget, d) - c * shared;
      if (request.mode === "mean") {
        out[u] = mean;
        continue;
      }
      // Li et al.'s width zᵀA₀⁻¹z − 2zᵀA₀⁻¹B_aᵀA_a⁻¹x + xᵀA_a⁻¹x + xᵀA_a⁻¹B_aA₀⁻¹B_aᵀA_a⁻¹x becomes
      // q·(1 − c)² + xᵀA_a⁻¹x, with the pending decisions counted in A₀, A_a and s_a when there are any.
      const inverse = this.pending.inverseOf(u);
      let variance: number;
      if (inverse) {
        const cPending = dot(this.arena.matVec(inverse, x), this.pendingSums.get(u)!, d);
        variance = q * (1 - cPending) * (1 - cPending) + this.arena.quadraticForm(inverse);
      } else if (arm) variance = q * (1 - c) * (1 - c) + this.arena.quadraticForm(arm.inverse);
      else variance = q + xx / this.lambda;
      out[u] = mean + request.alpha * this.noise * Math.sqrt(Math.max(0, variance));
    }
  }

  /** zᵀβ: the part of an action's mean its shared features give. */
  private sharedMean({ index, value }: SharedFeatures): number {
    let mean = 0;
    for (let a = 0; a < index.length; a++) mean += value[a]! * this.beta[index[a]!]!;
    return mean;
  }

  /** The attributes' shared coefficients: what one unit adds to every action, the same for every context. */
  attributeScores(_x: Float64Array, means: Float64Array, sds: Float64Array): void {
    this.refreshShared();
    const k = this.k;
    let j = 0;
    this.blocks.space.attributes.forEach(({ names }, dim) => {
      for (let a = 0; a < names.length; a++, j++) {
        const i = this.attributeOffsets[dim]! + a;
        means[j] = this.beta[i]!;
        sds[j] = this.noise * Math.sqrt(this.sharedInverse[i * k + i]!);
      }
    });
  }

  countPending(x: Float64Array, units: Int32Array): void {
    this.refreshShared();
    const d = this.contextDimension;
    for (let b = 0; b < units.length; b++) {
      const u = units[b]!;
      const arm = this.arms[u];
      const base = arm?.inverse ?? this.priorInverse;
      let sum = this.pendingSums.get(u);
      if (!sum)
        this.pendingSums.set(u, (sum = arm ? Float64Array.from(arm.contextSum) : new Float64Array(d)));
      this.arena.load(sum);
      const pullBefore = this.arena.quadraticForm(this.pending.inverseOf(u) ?? base);
      this.pending.add(u, base, x);
      for (let i = 0; i < d; i++) sum[i]! += x[i]!;
      this.arena.load(sum);
      const pullAfter = this.arena.quadraticForm(this.pending.inverseOf(u)!);
      // A₀ = λI + Σzzᵀ − Σ_a pull_a·zzᵀ gains (1 − the rise of the arm's pull)·zzᵀ: a Schur complement of
      // the joint Gram matrix, it never shrinks as data arrive, so the weight is ≥ 0 but for round-off.
      const gain = Math.max(0, 1 - (pullAfter - pullBefore));
      this.pendingShared ??= Float64Array.from(this.sharedInverse);
      const { index, value } = arm?.features ?? this.features(u);
      index.forEach((i, a) => {
        this.denseZ[i] = value[a]!;
      });
      shermanMorrison(this.pendingShared, this.denseZ, gain, this.k, this.scratchK);
      for (const i of index) this.denseZ[i] = 0;
    }
  }

  clearPending(): void {
    this.pending.clear();
    this.pendingSums.clear();
    this.pendingShared = undefined;
  }

  observe(x: Float64Array, units: Int32Array, reward: number, weight: number): void {
    const d = this.contextDimension;
    const k = this.k;
    const u = units[0]!;
    let arm = this.arms[u];
    if (!arm) arm = this.arms[u] = this.newArm(u);
    addOuter(arm.gram, x, weight, d);
    this.arena.shermanMorrison(arm.inverse, x, weight);
    for (let i = 0; i < d; i++) {
      arm.contextSum[i]! += weight * x[i]!;
      arm.target[i]! += weight * reward * x[i]!;
    }
    const { index, value } = arm.features;
    for (let a = 0; a < index.length; a++) {
      const wa = weight * value[a]!;
      for (let b = 0; b < index.length; b++) this.sharedRawGram[index[a]! * k + index[b]!]! += wa * value[b]!;
      this.sharedRawTarget[index[a]!]! += wa * reward;
    }
    this.observations += weight;
    this.noiseEstimate.add(reward, weight);
    // The shared system is re-solved lazily, once before the next scoring, not per observation.
    this.dirtyArms.add(arm);
  }

  /** Recomputes one arm's A_a⁻¹s_a, A_a⁻¹b_a and pulls s_aᵀA_a⁻¹s_a, s_aᵀA_a⁻¹b_a from its statistics. */
  private computePull(arm: HybridArm): void {
    const d = this.contextDimension;
    matVec(arm.inverse, arm.contextSum, d, arm.inverseContextSum);
    matVec(arm.inverse, arm.target, d, arm.inverseTarget);
    arm.pull = dot(arm.contextSum, arm.inverseContextSum, d);
    arm.pullTarget = dot(arm.target, arm.inverseContextSum, d);
  }

  /** Recomputes the pulls of arms observed since the last solve, then the shared system. */
  private refreshShared(): void {
    if (this.dirtyArms.size === 0) return;
    for (const arm of this.dirtyArms) this.computePull(arm);
    this.dirtyArms.clear();
    this.deriveShared();
  }

  /**
   * A₀ = raw − Σ_a pulls and b₀ likewise, recomputed in full (O(arms·D²)) rather than patched, so the
   * same statistics always give bit-identical shared coefficients, whatever the history.
   */
  private deriveShared(): void {
    const k = this.k;
    this.sharedGram.set(this.sharedRawGram);
    this.sharedTarget.set(this.sharedRawTarget);
    for (const arm of this.arms) {
      if (!arm) continue;
      const { index, value } = arm.features;
      for (let a = 0; a < index.length; a++) {
        const va = value[a]!;
        for (let b = 0; b < index.length; b++)
          this.sharedGram[index[a]! * k + index[b]!]! -= arm.pull * va * value[b]!;
        this.sharedTarget[index[a]!]! -= arm.pullTarget * va;
      }
    }
    this.solveShared();
    this.noise = this.fixedNoise ?? this.estimateNoise();
  }

  /**
   * σ̂ from the joint ridge fit w = (β, θ_a…): what it explains of Σ w·r² is wᵀΦᵀr = βᵀΣz·r + Σ_a θ_aᵀb_a,
   * and its effective parameter count is tr(ΦP⁻¹Φᵀ) = dim − λ·tr(P⁻¹), P the joint Gram matrix, whose
   * inverse has A₀⁻¹ for the shared block and A_a⁻¹ + q_a·(A_a⁻¹s_a)(A_a⁻¹s_a)ᵀ for an arm's (an unseen arm
   * adds d − λ·tr(λ⁻¹I) = 0).
   */
  private estimateNoise(): number {
    const d = this.contextDimension;
    const k = this.k;
    let explained = dot(this.beta, this.sharedRawTarget, k);
    let parameters = k;
    for (let i = 0; i < k; i++) parameters -= this.lambda * this.sharedInverse[i * k + i]!;
    for (const arm of this.arms) {
      if (!arm) continue;
      const shared = this.sharedMean(arm.features);
      const q = quadraticForm(arm.features, this.sharedInverse, k);
      // θ_a = A_a⁻¹b_a − zᵀβ·A_a⁻¹s_a.
      explained += dot(arm.target, arm.inverseTarget, d) - shared * arm.pullTarget;
      let trace = q * dot(arm.inverseContextSum, arm.inverseContextSum, d);
      for (let i = 0; i < d; i++) trace += arm.inverse[i * d + i]!;
      parameters += d - this.lambda * trace;
    }
    return this.noiseEstimate.sd(explained, parameters);
  }

  private solveShared(): void {
    if (!invertSpd(this.sharedGram, this.k, this.sharedInverse, this.scratchK)) {
      throw new Error("shared Gram matrix lost positive definiteness; this is a bug in Kairos");
    }
    matVec(this.sharedInverse, this.sharedTarget, this.k, this.beta);
  }

  /** Rebuilds every derived quantity from the raw sums (after merge or discount). */
  private rebuildShared(): void {
    this.dirtyArms.clear();
    for (const arm of this.arms) {
      if (!arm) continue;
      if (!this.arena.invertSpd(arm.gram, arm.inverse)) {
        throw new SnapshotMismatchError("arm Gram matrix is not positive definite");
      }
      this.computePull(arm);
    }
    this.deriveShared();
  }

  startBatch(): void {
    this.clearPending();
    if (this.discount === 1) return;
    const g = this.discount;
    const forget = (m: Float64Array, n: number) => {
      for (let i = 0; i < n * n; i++) m[i]! *= g;
      for (let i = 0; i < n; i++) m[i * n + i]! += this.lambda * (1 - g);
    };
    forget(this.sharedRawGram, this.k);
    for (let j = 0; j < this.k; j++) this.sharedRawTarget[j]! *= g;
    for (const arm of this.arms) {
      if (!arm) continue;
      forget(arm.gram, this.contextDimension);
      for (let i = 0; i < arm.contextSum.length; i++) arm.contextSum[i]! *= g;
      for (let i = 0; i < arm.target.length; i++) arm.target[i]! *= g;
    }
    this.observations *= g;
    this.noiseEstimate.scale(g);
    this.rebuildShared();
  }

  toJSON(): z.infer<typeof statsSchema> {
    const arms: z.infer<typeof armSchema>[] = [];
    this.arms.forEach((arm, unit) => {
      if (arm)
        arms.push({
          unit,
          gram: [...arm.gram],
          contextSum: [...arm.contextSum],
          target: [...arm.target],
          inverse: [...arm.inverse],
        });
    });
    return {
      sharedGram: [...this.sharedRawGram],
      sharedTarget: [...this.sharedRawTarget],
      arms,
      observations: this.observations,
      noise: this.noiseEstimate.toJSON(),
    };
  }

  load(json: unknown, remap?: UnitRemap): void {
    if (remap) {
      // Its shared part is indexed by option features that a change of options would reorder.
      throw new SnapshotMismatchError("a hybrid-linucb snapshot cannot follow a change of options");
    }
    const stats = statsSchema.parse(json);
    const d = this.contextDimension;
    const k = this.k;
    if (stats.sharedGram.length !== k * k || stats.sharedTarget.length !== k) {
      throw new SnapshotMismatchError(
        `hybrid model has ${k} shared features, snapshot ${stats.sharedTarget.length}`,
      );
    }
    const arms: (HybridArm | undefined)[] = new Array(this.blocks.unitCount);
    for (const a of stats.arms) {
      if (
        a.unit >= arms.length ||
        a.gram.length !== d * d ||
        a.contextSum.length !== d ||
        a.target.length !== d
      ) {
        throw new SnapshotMismatchError(`hybrid arm ${a.unit} does not fit this model`);
      }
      const arm = this.newArm(a.unit);
      arm.gram.set(a.gram);
      arm.contextSum.set(a.contextSum);
      arm.target.set(a.target);
      if (!this.arena.invertSpd(arm.gram, arm.inverse)) {
        throw new SnapshotMismatchError(`hybrid arm ${a.unit}: Gram matrix is not positive definite`);
      }
      arm.inverse.set(a.inverse);
      this.computePull(arm);
      arms[a.unit] = arm;
    }
    this.arms = arms;
    this.dirtyArms.clear();
    this.sharedRawGram = Float64Array.from(stats.sharedGram);
    this.sharedRawTarget = Float64Array.from(stats.sharedTarget);
    this.observations = stats.observations;
    this.noiseEstimate.load(stats.noise);
    this.clearPending();
    this.deriveShared();
  }

  merge(other: RewardModel): void {
    if (
      !(other instanceof HybridLinearModel) ||
      other.k !== this.k ||
      other.arms.length !== this.arms.length
    ) {
      throw new MergeError("can only merge a hybrid linear model over the same actions");
    }
    const d = this.contextDimension;
    const addMinusPrior = (mine: Float64Array, theirs: Float64Array, n: number) => {
      for (let i = 0; i < n * n; i++) mine[i]! += theirs[i]!;
      for (let i = 0; i < n; i++) mine[i * n + i]! -= this.lambda;
    };
    addMinusPrior(this.sharedRawGram, other.sharedRawGram, this.k);
    for (let j = 0; j < this.k; j++) this.sharedRawTarget[j]! += other.sharedRawTarget[j]!;
    other.arms.forEach((theirs, unit) => {
      if (!theirs) return;
      let mine = this.arms[unit];
      if (!mine) mine = this.arms[unit] = this.newArm(unit);
      addMinusPrior(mine.gram, theirs.gram, d);
      for (let i = 0; i < d; i++) mine.contextSum[i]! += theirs.contextSum[i]!;
      for (let i = 0; i < d; i++) mine.target[i]! += theirs.target[i]!;
    });
    this.observations += other.observations;
    this.noiseEstimate.merge(other.noiseEstimate);
    this.clearPending();
    this.rebuildShared();
  }
}

/** zᵀMz for the sparse z of an action's shared features and a k×k matrix M. */
function quadraticForm({ index, value }: SharedFeatures, m: Float64Array, k: number): number {
  let q = 0;
  for (let a = 0; a < index.length; a++) {
    for (let b = 0; b < index.length; b++) q += value[a]! * value[b]! * m[index[a]! * k + index[b]!]!;
  }
  return q;
}
