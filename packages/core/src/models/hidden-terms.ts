import type { ActionSpace } from "../action-space.js";
import type { Blocks } from "./blocks.js";
import type { UnitRemap } from "./unit-remap.js";

/**
 * Terms of a linear model that the blocks' units share through hidden units (numbered after the blocks'
 * units), so an action's features and a unit's score can both be read off each unit's list of terms:
 *
 * - **Option attributes**: one hidden unit per attribute, which an action uses at its options' values of
 *   the attribute (a discount's rate), so options share what an attribute is worth.
 * - **Option effects within a declared interaction**: one hidden unit per option of each dimension of an
 *   interaction block, used at 1 by every cell holding that option. A cell (email at 8) then scores its
 *   options' effects (email's, 8's, each depending on the customer) plus its own unit, which the model
 *   holds to a constant (see {@link constantUnits}): what is learned about email at 8 also tells about
 *   email at 12, and the cell only learns how it differs from the sum. The cells stay one block, so a
 *   constraint across the interaction's dimensions stays inside it (exact Thompson propensities).
 *
 * Hidden units: the attributes' in dimension order (each dimension's in its attribute order), then the
 * option effects, block by block, each block's dimensions in order, each dimension's options in order.
 */
export class HiddenTerms {
  /** Number of hidden units. */
  readonly count: number;
  /** Number of attribute units (the first hidden units). */
  readonly attributeCount: number;
  /** Per unit of the blocks, where its terms start in `units` and `values` (one more entry at the end). */
  private readonly start: Int32Array;
  private readonly units: Int32Array;
  private readonly values: Float64Array;
  /** What {@link slotsOf} returns, reused: an action's units (scale 1), then its hidden units. */
  private readonly slots: { slots: Int32Array; scales: Float64Array | undefined };

  constructor(private readonly blocks: Blocks) {
    const space = blocks.space;
    const firstAttribute = new Int32Array(space.dimensions.length);
    let count = 0;
    space.attributes.forEach((a, k) => {
      firstAttribute[k] = blocks.unitCount + count;
      count += a.names.length;
    });
    this.attributeCount = count;
    const effects = optionEffectLayout(space, blocks);
    const firstEffect = effects.first.map((first) => (first < 0 ? -1 : blocks.unitCount + count + first));
    count += effects.count;
    this.count = count;
    const start = [0];
    const units: number[] = [];
    const values: number[] = [];
    const codes = new Int32Array(space.dimensions.length);
    // Every unit of a block has as many terms (one option per dimension, the same attributes per option),
    // so every action has `width` slots: one per block, then each block's terms.
    let width = blocks.count;
    for (let b = 0; b < blocks.count; b++) {
      for (let c = 0; c < blocks.sizes[b]!; c++) {
        const from = units.length;
        blocks.decode(b, c, codes);
        for (const k of blocks.dims[b]!) {
          const { names, values: table } = space.attributes[k]!;
          names.forEach((_, j) => {
            units.push(firstAttribute[k]! + j);
            values.push(table[codes[k]! * names.length + j]!);
          });
          if (blocks.interactions[b]) {
            units.push(firstEffect[k]! + codes[k]!);
            values.push(1);
          }
        }
        start.push(units.length);
        if (c === 0) width += units.length - from;
      }
    }
    this.start = Int32Array.from(start);
    this.units = Int32Array.from(units);
    this.values = Float64Array.from(values);
    this.slots = {
      slots: new Int32Array(width),
      scales: count > 0 ? new Float64Array(width) : undefined,
    };
  }

  /**
   * The cells of declared interactions: units whose coefficients other than the intercept the model holds
   * at 0, so each cell is a constant on top of its options' effects.
   */
  constantUnits(): number[] {
    const { blocks } = this;
    const out: number[] = [];
    blocks.dims.forEach((_, b) => {
      if (!blocks.interactions[b]) return;
      for (let c = 0; c < blocks.sizes[b]!; c++) out.push(blocks.offsets[b]! + c);
    });
    return out;
  }

  /**
   * The units of every block holding a dimension with attributes, or a declared interaction: their
   * intercepts (how far each one is from what its terms predict) share a prior precision.
   */
  pooledGroups(): Int32Array[] {
    const { blocks } = this;
    const attributes = blocks.space.attributes;
    const groups: Int32Array[] = [];
    blocks.dims.forEach((dims, b) => {
      if (!blocks.interactions[b] && !dims.some((k) => attributes[k]!.names.length > 0)) return;
      groups.push(Int32Array.from({ length: blocks.sizes[b]! }, (_, c) => blocks.offsets[b]! + c));
    });
    return groups;
  }

  /**
   * The slots of an action given its units (one per block): those units at scale 1, then its hidden
   * units at its values. Without hidden units, the units themselves. The result is reused by the next call.
   */
  slotsOf(actionUnits: Int32Array): { slots: Int32Array; scales: Float64Array | undefined } {
    if (this.count === 0) {
      this.slots.slots = actionUnits;
      return this.slots;
    }
    const { slots, scales } = this.slots;
    let n = 0;
    for (let b = 0; b < actionUnits.length; b++) {
      slots[n] = actionUnits[b]!;
      scales![n++] = 1;
    }
    for (let b = 0; b < actionUnits.length; b++) {
      const u = actionUnits[b]!;
      for (let t = this.start[u]!; t < this.start[u + 1]!; t++) {
        slots[n] = this.units[t]!;
        scales![n++] = this.values[t]!;
      }
    }
    return this.slots;
  }

  /**
   * Adds each unit's hidden terms to its mean (value·mean of the hidden unit) and, when given, its width
   * (the sd of a sum of independent terms): what an option (or a cell) scores with.
   */
  fold(means: Float64Array, widths: Float64Array | undefined): void {
    const own = this.blocks.unitCount;
    for (let u = 0; u < own; u++) {
      let mean = means[u]!;
      let variance = widths ? widths[u]! ** 2 : 0;
      for (let t = this.start[u]!; t < this.start[u + 1]!; t++) {
        const a = this.units[t]!;
        const v = this.values[t]!;
        mean += v * means[a]!;
        if (widths) variance += (v * widths[a]!) ** 2;
      }
      means[u] = mean;
      if (widths) widths[u] = Math.sqrt(variance);
    }
  }
}

/** Per dimension, where its option effects start among the option-effect units (−1: none), and how many. */
function optionEffectLayout(space: ActionSpace, blocks: Blocks): { first: number[]; count: number } {
  const first = space.dimensions.map(() => -1);
  let count = 0;
  blocks.dims.forEach((dims, b) => {
    if (!blocks.interactions[b]) return;
    for (const k of dims) {
      first[k] = count;
      count += space.optionCount(k);
    }
  });
  return { first, count };
}

/**
 * Where the hidden units of a model learned over an earlier action space go in this one (as unit ids
 * here, in the old hidden order; see {@link UnitRemap}): attribute units in place (`unitRemap` checked
 * that they mean the same), option effects by option (−1 for a removed option; an added one starts at the prior). `old.blocks` lists
 * the same blocks over the snapshot's dimensions; `dimensionHere[ko]` is where its dimension ko is here and
 * `optionHere[ko][o]` the code here of its option o (−1 if gone).
 */
export function hiddenRemap(
  old: { space: ActionSpace; blocks: Blocks },
  blocks: Blocks,
  dimensionHere: readonly number[],
  optionHere: readonly (readonly number[])[],
): UnitRemap {
  const attributes = blocks.space.attributes.reduce((n, a) => n + a.names.length, 0);
  const oldEffects = optionEffectLayout(old.space, old.blocks);
  const out = new Int32Array(attributes + oldEffects.count).fill(-1);
  const firstHidden = blocks.unitCount;
  for (let i = 0; i < attributes; i++) out[i] = firstHidden + i;
  const { first } = optionEffectLayout(blocks.space, blocks);
  oldEffects.first.forEach((from, ko) => {
    const to = first[dimensionHere[ko]!]!;
    if (from < 0 || to < 0) return;
    optionHere[ko]!.forEach((here, o) => {
      if (here >= 0) out[attributes + from + o] = firstHidden + attributes + to + here;
    });
  });
  return out;
}
