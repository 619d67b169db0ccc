import { z } from "zod";
import { KairosError, MergeError, SnapshotMismatchError } from "../errors.js";
import {
  addOuter,
  dot,
  invertSpd,
  matVec,
  quadraticForm,
  scaledIdentity,
  shermanMorrison,
} from "../linalg/dense.js";
import type { Blocks } from "./blocks.js";
import type { RewardModel, ScoreRequest } from "./reward-model.js";

const armSchema = z.strictObject({
  unit: z.number().int().nonnegative(),
  gram: z.array(z.number()),
  cross: z.array(z.number()),
  target: z.array(z.number()),
  /** The cached A_a⁻¹, so a restored model scores bit-for-bit like the original. */
  inverse: z.array(z.number()),
});
const statsSchema = z.strictObject({
  sharedGram: z.array(z.number()),
  sharedTarget: z.array(z.number()),
  arms: z.array(armSchema),
  observations: z.number().nonnegative(),
});

/** Per-arm statistics: A_a (d×d), B_a (d×k), b_a (d), with cached A_a⁻¹ and the arm's pull on the shared part. */
class HybridArm {
  readonly gram: Float64Array;
  readonly inverse: Float64Array;
  readonly cross: Float64Array;
  readonly target: Float64Array;
  /** B_aᵀA_a⁻¹B_a (k×k) and B_aᵀA_a⁻¹b_a (k): what this arm subtracts from the shared statistics. */
  readonly pull: Float64Array;
  readonly pullTarget: Float64Array;

  constructor(d: number, k: number, lambda: number) {
    this.gram = scaledIdentity(d, lambda);
    this.inverse = scaledIdentity(d, 1 / lambda);
    this.cross = new Float64Array(d * k);
    this.target = new Float64Array(d);
    this.pull = new Float64Array(k * k);
    this.pullTarget = new Float64Array(k);
  }
}

/**
 * Hybrid linear model of LinUCB (Li et al., 2010, algorithm 2): each action has its own coefficients on
 * the context, and all actions share coefficients β on action features z — here one indicator per option
 * of every dimension, so what is learned about "sms" helps every action that uses sms. Raw sums are
 * stored (exact merges and snapshots); the shared system is kept as A₀ = λI + Σzzᵀ − Σ_a B_aᵀA_a⁻¹B_a.
 * Supports means and upper bounds (LinUCB); Thompson sampling is not offered for this model.
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
  private readonly scratchD: Float64Array;
  private readonly scratchD2: Float64Array;
  private readonly scratchK: Float64Array;
  private readonly scratchK2: Float64Array;
  private readonly scratchMatrix: Float64Array;
  private readonly codes: Int32Array;
  /** Arms observed since the shared system was last solved. */
  private readonly dirtyArms = new Set<HybridArm>();
  observations = 0;

  constructor(
    readonly blocks: Blocks,
    readonly contextDimension: number,
    private readonly lambda = 1,
    private readonly discount = 1,
  ) {
    const space = blocks.space;
    this.optionOffsets = [];
    let k = 0;
    for (let dim = 0; dim < space.dimensions.length; dim++) {
      this.optionOffsets.push(k);
      k += space.optionCount(dim);
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
    this.scratchD = new Float64Array(d);
    this.scratchD2 = new Float64Array(d);
    this.scratchK = new Float64Array(k);
    this.scratchK2 = new Float64Array(k);
    this.scratchMatrix = new Float64Array(Math.max(k, d) ** 2);
    this.codes = new Int32Array(space.dimensions.length);
    this.deriveShared();
  }

  /** Writes the action features z of an action (one indicator per dimension) into `z`. */
  private features(unit: number, z: Float64Array): void {
    z.fill(0);
    this.blocks.space.codesOf(unit, this.codes);
    for (let dim = 0; dim < this.codes.length; dim++) z[this.optionOffsets[dim]! + this.codes[dim]!] = 1;
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
    const z = this.scratchK;
    const bz = this.scratchK2;
    for (let u = 0; u < out.length; u++) {
      this.features(u, z);
      const arm = this.arms[u];
      let mean = dot(z, this.beta, k);
      // Unseen arm: A_a = λI, B_a = 0, b_a = 0, so θ_a = 0 and only the shared part speaks.
      let variance = quadraticForm(this.sharedInverse, z, k);
      if (arm) {
        const ainvX = matVec(arm.inverse, x, d, this.scratchD);
        // θ_a = A_a⁻¹(b_a − B_a β)
        const resid = this.scratchD2;
        for (let i = 0; i < d; i++) {
          let s = arm.target[i]!;
          for (let j = 0; j < k; j++) s -= arm.cross[i * k + j]! * this.beta[j]!;
          resid[i] = s;
        }
        mean += dot(ainvX, resid, d);
        // w = B_aᵀA_a⁻¹x (k)
        for (let j = 0; j < k; j++) {
          let s = 0;
          for (let i = 0; i < d; i++) s += arm.cross[i * k + j]! * ainvX[i]!;
          bz[j] = s;
        }
        let cross = 0;
        for (let i = 0; i < k; i++) {
          if (z[i] === 0) continue;
          for (let j = 0; j < k; j++) cross += this.sharedInverse[i * k + j]! * bz[j]!;
        }
        variance += -2 * cross + dot(x, ainvX, d) + quadraticForm(this.sharedInverse, bz, k);
      } else {
        variance += dot(x, x, d) / this.lambda;
      }
      out[u] = request.mode === "mean" ? mean : mean + request.alpha * Math.sqrt(Math.max(0, variance));
    }
  }

  observe(x: Float64Array, units: Int32Array, reward: number, weight: number): void {
    const d = this.contextDimension;
    const k = this.k;
    const u = units[0]!;
    let arm = this.arms[u];
    if (!arm) arm = this.arms[u] = new HybridArm(d, k, this.lambda);
    const z = this.scratchK;
    this.features(u, z);
    addOuter(arm.gram, x, weight, d);
    shermanMorrison(arm.inverse, x, weight, d, this.scratchD);
    for (let i = 0; i < d; i++) for (let j = 0; j < k; j++) arm.cross[i * k + j]! += weight * x[i]! * z[j]!;
    for (let i = 0; i < d; i++) arm.target[i]! += weight * reward * x[i]!;
    addOuter(this.sharedRawGram, z, weight, k);
    for (let j = 0; j < k; j++) this.sharedRawTarget[j]! += weight * reward * z[j]!;
    this.observations += weight;
    // The shared system is re-solved lazily, once before the next scoring, not per observation.
    this.dirtyArms.add(arm);
  }

  /** Recomputes one arm's pull B_aᵀA_a⁻¹B_a and B_aᵀA_a⁻¹b_a from its statistics. */
  private computePull(arm: HybridArm): void {
    const d = this.contextDimension;
    const k = this.k;
    // M = A_a⁻¹B_a (d×k), then pull = B_aᵀM and pullTarget = Mᵀb_a.
    const m = new Float64Array(d * k);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let l = 0; l < d; l++) s += arm.inverse[i * d + l]! * arm.cross[l * k + j]!;
        m[i * k + j] = s;
      }
    }
    for (let a = 0; a < k; a++) {
      for (let b = 0; b < k; b++) {
        let s = 0;
        for (let i = 0; i < d; i++) s += arm.cross[i * k + a]! * m[i * k + b]!;
        arm.pull[a * k + b] = s;
      }
      let t = 0;
      for (let i = 0; i < d; i++) t += m[i * k + a]! * arm.target[i]!;
      arm.pullTarget[a] = t;
    }
  }

  /** Recomputes the pulls of arms observed since the last solve, then the shared system. */
  private refreshShared(): void {
    if (this.dirtyArms.size === 0) return;
    for (const arm of this.dirtyArms) this.computePull(arm);
    this.dirtyArms.clear();
    this.deriveShared();
  }

  /**
   * A₀ = raw − Σ_a pulls and b₀ likewise, recomputed in full (O(arms·k²)) rather than patched, so the
   * same statistics always give bit-identical shared coefficients, whatever the history.
   */
  private deriveShared(): void {
    const k = this.k;
    this.sharedGram.set(this.sharedRawGram);
    this.sharedTarget.set(this.sharedRawTarget);
    for (const arm of this.arms) {
      if (!arm) continue;
      for (let i = 0; i < k * k; i++) this.sharedGram[i]! -= arm.pull[i]!;
      for (let j = 0; j < k; j++) this.sharedTarget[j]! -= arm.pullTarget[j]!;
    }
    this.solveShared();
  }

  private solveShared(): void {
    if (!invertSpd(this.sharedGram, this.k, this.sharedInverse, this.scratchMatrix)) {
      throw new Error("shared Gram matrix lost positive definiteness; this is a bug in Kairos");
    }
    matVec(this.sharedInverse, this.sharedTarget, this.k, this.beta);
  }

  /** Rebuilds every derived quantity from the raw sums (after merge or discount). */
  private rebuildShared(): void {
    const d = this.contextDimension;
    this.dirtyArms.clear();
    for (const arm of this.arms) {
      if (!arm) continue;
      if (!invertSpd(arm.gram, d, arm.inverse, this.scratchMatrix)) {
        throw new SnapshotMismatchError("arm Gram matrix is not positive definite");
      }
      this.computePull(arm);
    }
    this.deriveShared();
  }

  startBatch(): void {
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
      for (let i = 0; i < arm.cross.length; i++) arm.cross[i]! *= g;
      for (let i = 0; i < arm.target.length; i++) arm.target[i]! *= g;
    }
    this.observations *= g;
    this.rebuildShared();
  }

  toJSON(): z.infer<typeof statsSchema> {
    const arms: z.infer<typeof armSchema>[] = [];
    this.arms.forEach((arm, unit) => {
      if (arm)
        arms.push({
          unit,
          gram: [...arm.gram],
          cross: [...arm.cross],
          target: [...arm.target],
          inverse: [...arm.inverse],
        });
    });
    return {
      sharedGram: [...this.sharedRawGram],
      sharedTarget: [...this.sharedRawTarget],
      arms,
      observations: this.observations,
    };
  }

  load(json: unknown): void {
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
        a.cross.length !== d * k ||
        a.target.length !== d
      ) {
        throw new SnapshotMismatchError(`hybrid arm ${a.unit} does not fit this model`);
      }
      const arm = new HybridArm(d, k, this.lambda);
      arm.gram.set(a.gram);
      arm.cross.set(a.cross);
      arm.target.set(a.target);
      if (!invertSpd(arm.gram, d, arm.inverse, this.scratchMatrix)) {
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
      if (!mine) mine = this.arms[unit] = new HybridArm(d, this.k, this.lambda);
      addMinusPrior(mine.gram, theirs.gram, d);
      for (let i = 0; i < mine.cross.length; i++) mine.cross[i]! += theirs.cross[i]!;
      for (let i = 0; i < d; i++) mine.target[i]! += theirs.target[i]!;
    });
    this.observations += other.observations;
    this.rebuildShared();
  }
}
