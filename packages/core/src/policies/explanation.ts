// The explanation attached to every decision: per dimension, per option, the best posterior mean of any
// allowed unit that uses the option, in the model state of the decision. What it needs is taken when the
// decision is made: the context and the model's frozen means (a copy of a linear model's coefficients,
// shared by every decision until the model changes), or else one pass over the units' means. The numbers
// and the nested record of names are computed only if `decision.scores` is read: most callers never read
// it, and taking it eagerly cost a tenth of a batched linear Thompson round.
import type { ActionSpace, CompiledEligibility } from "../action-space.js";
import type { Blocks } from "../models/blocks.js";
import type { FrozenMeans } from "../models/reward-model.js";

/** Per dimension name, per option (as text): the best mean of any allowed unit using it. */
export type Explanation = Record<string, Record<string, number>>;

/** What a decision keeps of its explanation: the best mean per option, or what to compute it from. */
export type CapturedScores = readonly number[] | FrozenScores;

/** A decision's context (an array nobody writes again) and the model's means when it was made. */
export interface FrozenScores {
  means: FrozenMeans;
  x: Float64Array;
  eligibility: CompiledEligibility;
}

/** Captures explanations as numbers and turns them into records on demand. */
export class Explainer {
  private readonly space: ActionSpace;
  /** Flat index of each dimension's first option (flat = offset + code), and the total. */
  private readonly dimOffset: Int32Array;
  private readonly size: number;
  /** Per block, per unit code, per dimension of the block: the option's flat index (built on first use). */
  private flat: Int32Array[] | undefined;

  constructor(private readonly blocks: Blocks) {
    this.space = blocks.space;
    const n = this.space.dimensions.length;
    this.dimOffset = new Int32Array(n);
    let total = 0;
    for (let k = 0; k < n; k++) {
      this.dimOffset[k] = total;
      total += this.space.optionCount(k);
    }
    this.size = total;
  }

  /**
   * Best mean per option (flat index), −∞ where no allowed unit uses the option, from the units' means for
   * one decision.
   */
  capture(means: Float64Array, eligibility: CompiledEligibility): number[] {
    const blocks = this.blocks;
    const flat = this.flatIndexes();
    // A plain array: a small Float64Array per decision costs an off-heap allocation.
    const best: number[] = new Array(this.size).fill(Number.NEGATIVE_INFINITY);
    const restricted = eligibility.key !== "*";
    for (let b = 0; b < blocks.count; b++) {
      const width = blocks.dims[b]!.length;
      const offset = blocks.offsets[b]!;
      const table = flat[b]!;
      for (let c = 0; c < blocks.sizes[b]!; c++) {
        if (restricted && !blocks.allowed(b, c, eligibility.masks)) continue;
        const s = means[offset + c]!;
        for (let i = c * width; i < (c + 1) * width; i++) {
          const f = table[i]!;
          if (s > best[f]!) best[f] = s;
        }
      }
    }
    return best;
  }

  /** The record of a capture: dimensions in block order, options in declaration order. */
  record(captured: CapturedScores): Explanation {
    let best: readonly number[];
    if (Array.isArray(captured)) best = captured;
    else {
      const { means, x, eligibility } = captured as FrozenScores;
      const unitMeans = new Float64Array(this.blocks.unitCount);
      means(x, unitMeans);
      best = this.capture(unitMeans, eligibility);
    }
    const out: Explanation = {};
    for (const dims of this.blocks.dims) {
      for (const k of dims) {
        const perOption: Record<string, number> = {};
        const at = this.dimOffset[k]!;
        this.space.options[k]!.forEach((o, c) => {
          const s = best[at + c]!;
          if (s > Number.NEGATIVE_INFINITY) perOption[String(o)] = s;
        });
        out[this.space.dimensions[k]!] = perOption;
      }
    }
    return out;
  }

  private flatIndexes(): Int32Array[] {
    if (this.flat) return this.flat;
    const blocks = this.blocks;
    const codes = new Int32Array(this.space.dimensions.length);
    this.flat = blocks.dims.map((dims, b) => {
      const table = new Int32Array(blocks.sizes[b]! * dims.length);
      for (let c = 0; c < blocks.sizes[b]!; c++) {
        blocks.decode(b, c, codes);
        dims.forEach((k, i) => {
          table[c * dims.length + i] = this.dimOffset[k]! + codes[k]!;
        });
      }
      return table;
    });
    return this.flat;
  }
}
