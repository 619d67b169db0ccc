import { SnapshotMismatchError } from "@kairos/core";
import { z } from "zod";

/**
 * The bounded replay buffer networks retrain on: the latest `capacity` observations (first in, first out),
 * each with its encoded context, its units (one per block), reward, weight (decayed by the policy's
 * discount) and, for ensembles, one bootstrap weight per member fixed when it arrived.
 */
export class ReplayBuffer {
  readonly xs: Float64Array;
  readonly units: Int32Array;
  readonly rewards: Float64Array;
  readonly weights: Float64Array;
  readonly boot: Float32Array;
  /** Slot of the oldest sample. */
  private start = 0;
  size = 0;
  /** Samples ever added (numbers bootstrap draws). */
  added = 0;

  constructor(
    readonly capacity: number,
    readonly dimension: number,
    readonly blockCount: number,
    readonly members: number,
  ) {
    this.xs = new Float64Array(capacity * dimension);
    this.units = new Int32Array(capacity * blockCount);
    this.rewards = new Float64Array(capacity);
    this.weights = new Float64Array(capacity);
    this.boot = new Float32Array(capacity * members);
  }

  add(x: Float64Array, units: Int32Array, reward: number, weight: number, boot?: ArrayLike<number>): void {
    let slot: number;
    if (this.size < this.capacity) slot = (this.start + this.size++) % this.capacity;
    else {
      slot = this.start;
      this.start = (this.start + 1) % this.capacity;
    }
    this.xs.set(x.subarray(0, this.dimension), slot * this.dimension);
    this.units.set(units.subarray(0, this.blockCount), slot * this.blockCount);
    this.rewards[slot] = reward;
    this.weights[slot] = weight;
    if (boot) for (let m = 0; m < this.members; m++) this.boot[slot * this.members + m] = boot[m]!;
    this.added++;
  }

  /** Storage slot of the i-th sample, oldest first. */
  slot(i: number): number {
    return (this.start + i) % this.capacity;
  }

  /** Multiplies every weight by the forgetting factor. */
  scale(factor: number): void {
    if (factor === 1) return;
    for (let i = 0; i < this.capacity; i++) this.weights[i]! *= factor;
  }

  toJSON(): z.infer<typeof bufferSchema> {
    const xs: number[] = [];
    const units: number[] = [];
    const rewards: number[] = [];
    const weights: number[] = [];
    const boot: number[] = [];
    for (let i = 0; i < this.size; i++) {
      const s = this.slot(i);
      for (let k = 0; k < this.dimension; k++) xs.push(this.xs[s * this.dimension + k]!);
      for (let b = 0; b < this.blockCount; b++) units.push(this.units[s * this.blockCount + b]!);
      rewards.push(this.rewards[s]!);
      weights.push(this.weights[s]!);
      for (let m = 0; m < this.members; m++) boot.push(this.boot[s * this.members + m]!);
    }
    return { size: this.size, added: this.added, xs, units, rewards, weights, boot };
  }

  /**
   * Refills from JSON (validated); with a remap, units move to their new numbers and samples whose action
   * used a removed option are dropped.
   */
  load(json: unknown, unitCount: number, remap?: Int32Array): void {
    const j = bufferSchema.parse(json);
    const n = j.size;
    if (
      j.xs.length !== n * this.dimension ||
      j.units.length !== n * this.blockCount ||
      j.rewards.length !== n ||
      j.weights.length !== n ||
      j.boot.length !== n * this.members
    ) {
      throw new SnapshotMismatchError("replay buffer: array lengths do not fit its size and dimensions");
    }
    const limit = remap ? remap.length : unitCount;
    if (j.units.some((u) => u >= limit)) throw new SnapshotMismatchError("replay buffer: unit out of range");
    this.start = 0;
    this.size = 0;
    const first = Math.max(0, n - this.capacity);
    const units = new Int32Array(this.blockCount);
    sample: for (let i = first; i < n; i++) {
      for (let b = 0; b < this.blockCount; b++) {
        const u = j.units[i * this.blockCount + b]!;
        units[b] = remap ? remap[u]! : u;
        if (units[b]! < 0) continue sample;
      }
      this.add(
        Float64Array.from(j.xs.slice(i * this.dimension, (i + 1) * this.dimension)),
        units,
        j.rewards[i]!,
        j.weights[i]!,
        j.boot.slice(i * this.members, (i + 1) * this.members),
      );
    }
    this.added = j.added;
  }
}

const finite = z.number().refine(Number.isFinite, "must be finite");
export const bufferSchema = z.strictObject({
  size: z.number().int().nonnegative(),
  added: z.number().int().nonnegative(),
  xs: z.array(finite),
  units: z.array(z.number().int().nonnegative()),
  rewards: z.array(finite),
  weights: z.array(z.number().nonnegative()),
  boot: z.array(z.number().nonnegative()),
});
