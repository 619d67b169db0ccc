import type { Blocks } from "./blocks.js";
import type { UnitRemap } from "./unit-remap.js";

/**
 * The option attributes of an action space as terms of a linear model: one hidden unit per attribute
 * (numbered after the blocks' units), which an action uses at its options' values of the attribute. Each
 * of the blocks' units lists the attribute units its options bring and their values, so an action's
 * features and a unit's score can both be read off it.
 */
export class AttributeTerms {
  /** Number of attribute units. */
  readonly count: number;
  /** Per unit of the blocks, where its terms start in `units` and `values` (one more entry at the end). */
  private readonly start: Int32Array;
  private readonly units: Int32Array;
  private readonly values: Float64Array;
  /** What {@link slotsOf} returns, reused: an action's units (scale 1), then its attribute units. */
  private readonly slots: { slots: Int32Array; scales: Float64Array | undefined };

  constructor(private readonly blocks: Blocks) {
    const space = blocks.space;
    // Attribute units in dimension order, then in each dimension's attribute order.
    const firstUnit = new Int32Array(space.dimensions.length);
    let count = 0;
    space.attributes.forEach((a, k) => {
      firstUnit[k] = blocks.unitCount + count;
      count += a.names.length;
    });
    this.count = count;
    const start = [0];
    const units: number[] = [];
    const values: number[] = [];
    const codes = new Int32Array(space.dimensions.length);
    for (let b = 0; b < blocks.count; b++) {
      for (let c = 0; c < blocks.sizes[b]!; c++) {
        blocks.decode(b, c, codes);
        for (const k of blocks.dims[b]!) {
          const { names, values: table } = space.attributes[k]!;
          names.forEach((_, j) => {
            units.push(firstUnit[k]! + j);
            values.push(table[codes[k]! * names.length + j]!);
          });
        }
        start.push(units.length);
      }
    }
    this.start = Int32Array.from(start);
    this.units = Int32Array.from(units);
    this.values = Float64Array.from(values);
    const width = blocks.count + count;
    this.slots = {
      slots: new Int32Array(width),
      scales: count > 0 ? new Float64Array(width) : undefined,
    };
  }

  /** The units of every block holding a dimension with attributes: their intercepts share a prior precision. */
  pooledGroups(): Int32Array[] {
    const { blocks } = this;
    const attributes = blocks.space.attributes;
    const groups: Int32Array[] = [];
    blocks.dims.forEach((dims, b) => {
      if (!dims.some((k) => attributes[k]!.names.length > 0)) return;
      groups.push(Int32Array.from({ length: blocks.sizes[b]! }, (_, c) => blocks.offsets[b]! + c));
    });
    return groups;
  }

  /**
   * The slots of an action given its units (one per block): those units at scale 1, then its attribute
   * units at its values. Without attributes, the units themselves. The result is reused by the next call.
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
   * Adds each unit's attribute terms to its mean (value·mean of the attribute unit) and, when given, its
   * width (the sd of a sum of independent terms): what an option scores with.
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

  /**
   * A remap of the blocks' units (from a snapshot over other options) extended to the attribute units,
   * which follow them in both models in the same order.
   */
  extend(remap: UnitRemap, ownUnits: number): UnitRemap {
    const out = new Int32Array(remap.length + this.count);
    out.set(remap);
    for (let i = 0; i < this.count; i++) out[remap.length + i] = ownUnits + i;
    return out;
  }
}
