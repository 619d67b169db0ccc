import type { ActionSpace } from "../action-space.js";
import { ValidationError } from "../errors.js";

/**
 * How a reward model splits an action into units it learns about. A block is a group of dimensions; a
 * unit is one combination of options within a block. An action's score is the sum of its units' scores.
 *
 * - joint: one block holding every dimension, so a unit is a whole action (per-arm models).
 * - factorised: one block per dimension, so what is learned about "sms" is shared by every action using
 *   sms; a declared interaction (channel × hour) joins those dimensions into one block, whose units are
 *   its cells (the shared model learns each cell as its options' effects plus a constant: see HiddenTerms).
 * - with a baseline: first a block of no dimension, whose one unit every action uses (what the context
 *   predicts whatever is chosen, e.g. who converts at all), so the option units learn differences from it.
 */
export class Blocks {
  /** Dimension indexes of each block. */
  readonly dims: readonly (readonly number[])[];
  /** Number of units in each block. */
  readonly sizes: readonly number[];
  /** Offset of each block's first unit in the global unit numbering. */
  readonly offsets: readonly number[];
  /** Whether each block is a declared interaction (dimensions joined by `interactions`). */
  readonly interactions: readonly boolean[];
  readonly unitCount: number;
  /** For each dimension: its block and its stride within the block code. */
  private readonly blockOfDim: Int32Array;
  private readonly strideOfDim: Float64Array;

  constructor(
    readonly space: ActionSpace,
    groups: readonly (readonly number[])[],
    interactions: readonly boolean[] = groups.map(() => false),
  ) {
    const n = space.dimensions.length;
    this.blockOfDim = new Int32Array(n).fill(-1);
    this.strideOfDim = new Float64Array(n);
    const sizes: number[] = [];
    const offsets: number[] = [];
    let total = 0;
    groups.forEach((group, b) => {
      let size = 1;
      for (let i = group.length - 1; i >= 0; i--) {
        const k = group[i]!;
        if (this.blockOfDim[k] !== -1)
          throw new ValidationError("model.interactions", "a dimension is in two blocks");
        this.blockOfDim[k] = b;
        this.strideOfDim[k] = size;
        size *= space.optionCount(k);
      }
      sizes.push(size);
      offsets.push(total);
      total += size;
    });
    if (this.blockOfDim.includes(-1)) throw new Error("every dimension must belong to a block");
    this.dims = groups.map((g) => [...g]);
    this.interactions = [...interactions];
    this.sizes = sizes;
    this.offsets = offsets;
    this.unitCount = total;
  }

  /** One block per action: per-arm models. */
  static joint(space: ActionSpace): Blocks {
    return new Blocks(space, [space.dimensions.map((_, k) => k)]);
  }

  /**
   * One block per dimension, except that dimensions linked by declared interactions share a block
   * (connected components of the interaction graph).
   */
  static factorised(space: ActionSpace, interactions: readonly (readonly string[])[] = []): Blocks {
    const n = space.dimensions.length;
    const parent = Array.from({ length: n }, (_, k) => k);
    const find = (k: number): number => (parent[k] === k ? k : (parent[k] = find(parent[k]!)));
    interactions.forEach((pair, i) => {
      const ks = pair.map((name) => {
        const k = space.dimensionIndex(name);
        if (k < 0) throw new ValidationError(`model.interactions[${i}]`, `unknown dimension ${name}`);
        return k;
      });
      for (const k of ks.slice(1)) parent[find(k)] = find(ks[0]!);
    });
    const groups = new Map<number, number[]>();
    for (let k = 0; k < n; k++) {
      const root = find(k);
      if (!groups.has(root)) groups.set(root, []);
      groups.get(root)!.push(k);
    }
    const blocks = [...groups.values()];
    return new Blocks(
      space,
      blocks,
      blocks.map((dims) => dims.length > 1),
    );
  }

  /** These blocks after a baseline block: one unit, of no dimension, that every action uses. */
  withBaseline(): Blocks {
    return new Blocks(this.space, [[], ...this.dims], [false, ...this.interactions]);
  }

  get count(): number {
    return this.dims.length;
  }

  /** Block code of an action (given its per-dimension codes) in block b. */
  blockCode(b: number, codes: ArrayLike<number>): number {
    let code = 0;
    for (const k of this.dims[b]!) code += codes[k]! * this.strideOfDim[k]!;
    return code;
  }

  /** Global unit ids of an action, one per block, written to `out`. */
  unitsOf(codes: ArrayLike<number>, out: Int32Array): Int32Array {
    for (let b = 0; b < this.dims.length; b++) out[b] = this.offsets[b]! + this.blockCode(b, codes);
    return out;
  }

  /** Writes the dimension codes that a block code stands for into `codes`. */
  decode(b: number, blockCode: number, codes: Int32Array): void {
    for (const k of this.dims[b]!) {
      const stride = this.strideOfDim[k]!;
      codes[k] = Math.floor(blockCode / stride) % this.space.optionCount(k);
    }
  }

  /** Whether every option of a block code is allowed by per-dimension masks. */
  allowed(b: number, blockCode: number, masks: readonly Uint8Array[]): boolean {
    for (const k of this.dims[b]!) {
      const stride = this.strideOfDim[k]!;
      if (masks[k]![Math.floor(blockCode / stride) % this.space.optionCount(k)] === 0) return false;
    }
    return true;
  }
}
