import { type Rng, SnapshotMismatchError } from "@kairos/core";
import { z } from "zod";

/**
 * One small MLP with a linear head per unit: the context goes through ReLU layers to a representation
 * z(x), and unit u scores heads[u]·z(x) + headBias[u]; an action scores the sum of its units (one per
 * block), as every Kairos model does, so the action search and constraints apply unchanged.
 *
 * Weights are float32 (what TensorFlow.js trains); inference runs here in plain JavaScript on float64
 * copies, so deciding never touches TensorFlow.js (no tensors to dispose, no per-call overhead, and the
 * same weights give the same scores on every backend).
 */
export class Network {
  /** Layer sizes: input, then each hidden layer (the last one is the representation). */
  readonly sizes: readonly number[];
  /** weights[l]: sizes[l] × sizes[l+1], row-major (input-major); biases[l]: sizes[l+1]. */
  readonly weights: Float32Array[];
  readonly biases: Float32Array[];
  /** unitCount × representation, row-major. */
  readonly heads: Float32Array;
  readonly headBias: Float32Array;
  private readonly w64: Float64Array[];
  private readonly b64: Float64Array[];
  private readonly h64: Float64Array;
  private readonly hb64: Float64Array;
  private readonly activations: Float64Array[];

  constructor(
    sizes: readonly number[],
    readonly unitCount: number,
    parameters?: {
      weights: Float32Array[];
      biases: Float32Array[];
      heads: Float32Array;
      headBias: Float32Array;
    },
  ) {
    this.sizes = [...sizes];
    const layers = sizes.length - 1;
    const rep = sizes[layers]!;
    this.weights = parameters?.weights ?? sizes.slice(1).map((out, l) => new Float32Array(sizes[l]! * out));
    this.biases = parameters?.biases ?? sizes.slice(1).map((out) => new Float32Array(out));
    this.heads = parameters?.heads ?? new Float32Array(unitCount * rep);
    this.headBias = parameters?.headBias ?? new Float32Array(unitCount);
    this.w64 = this.weights.map((w) => Float64Array.from(w));
    this.b64 = this.biases.map((b) => Float64Array.from(b));
    this.h64 = Float64Array.from(this.heads);
    this.hb64 = Float64Array.from(this.headBias);
    this.activations = sizes.slice(1).map((n) => new Float64Array(n));
  }

  /** Glorot-uniform weights and zero biases, from a seeded stream (same seed, same network). */
  static initial(sizes: readonly number[], unitCount: number, rng: Rng): Network {
    const glorot = (fanIn: number, fanOut: number, n: number) => {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      return Float32Array.from({ length: n }, () => (2 * rng.next() - 1) * limit);
    };
    const layers = sizes.length - 1;
    const rep = sizes[layers]!;
    return new Network(sizes, unitCount, {
      weights: sizes.slice(1).map((out, l) => glorot(sizes[l]!, out, sizes[l]! * out)),
      // A small positive bias keeps ReLU units alive at the start (He et al. practice for ReLU nets).
      biases: sizes.slice(1).map((out) => new Float32Array(out).fill(0.01)),
      heads: glorot(rep, 1, unitCount * rep),
      headBias: new Float32Array(unitCount),
    });
  }

  get inputSize(): number {
    return this.sizes[0]!;
  }

  get representationSize(): number {
    return this.sizes[this.sizes.length - 1]!;
  }

  /** z(x): the last hidden layer's activations (a view reused by the next call). */
  represent(x: Float64Array): Float64Array {
    let input: Float64Array = x;
    for (let l = 0; l < this.w64.length; l++) {
      const nIn = this.sizes[l]!;
      const nOut = this.sizes[l + 1]!;
      const w = this.w64[l]!;
      const out = this.activations[l]!;
      out.set(this.b64[l]!);
      for (let i = 0; i < nIn; i++) {
        const v = input[i]!;
        if (v === 0) continue;
        const row = i * nOut;
        for (let j = 0; j < nOut; j++) out[j]! += v * w[row + j]!;
      }
      for (let j = 0; j < nOut; j++) if (out[j]! < 0) out[j] = 0;
      input = out;
    }
    return input;
  }

  /** Every unit's predicted reward for context x, written to `out` (in network units). */
  unitScores(x: Float64Array, out: Float64Array): void {
    const z = this.represent(x);
    const rep = this.representationSize;
    const heads = this.h64;
    for (let u = 0; u < this.unitCount; u++) {
      let s = this.hb64[u]!;
      const row = u * rep;
      for (let j = 0; j < rep; j++) s += heads[row + j]! * z[j]!;
      out[u] = s;
    }
  }

  toJSON(): z.infer<typeof networkSchema> {
    return {
      sizes: [...this.sizes],
      weights: this.weights.map((w) => Array.from(w)),
      biases: this.biases.map((b) => Array.from(b)),
      heads: Array.from(this.heads),
      headBias: Array.from(this.headBias),
    };
  }

  /**
   * A network from its JSON, checked against the expected layer sizes; with a remap (a snapshot over an
   * earlier action space), each unit's head moves to its new unit and added units start at zero.
   */
  static fromJSON(
    json: unknown,
    sizes: readonly number[],
    unitCount: number,
    remap?: Int32Array,
    field = "network",
  ): Network {
    const n = networkSchema.parse(json);
    if (n.sizes.length !== sizes.length || n.sizes.some((s, i) => s !== sizes[i])) {
      throw new SnapshotMismatchError(`${field}: layer sizes ${n.sizes} differ from ${sizes}`);
    }
    const rep = sizes[sizes.length - 1]!;
    const snapshotUnits = remap ? remap.length : unitCount;
    const bad =
      n.weights.length !== sizes.length - 1 ||
      n.biases.length !== sizes.length - 1 ||
      n.weights.some((w, l) => w.length !== sizes[l]! * sizes[l + 1]!) ||
      n.biases.some((b, l) => b.length !== sizes[l + 1]!) ||
      n.heads.length !== snapshotUnits * rep ||
      n.headBias.length !== snapshotUnits;
    if (bad) throw new SnapshotMismatchError(`${field}: weight shapes do not fit the network`);
    let heads = Float32Array.from(n.heads);
    let headBias = Float32Array.from(n.headBias);
    if (remap) {
      heads = new Float32Array(unitCount * rep);
      headBias = new Float32Array(unitCount);
      remap.forEach((to, from) => {
        if (to < 0) return;
        heads.set(n.heads.slice(from * rep, (from + 1) * rep), to * rep);
        headBias[to] = n.headBias[from]!;
      });
    }
    return new Network(sizes, unitCount, {
      weights: n.weights.map((w) => Float32Array.from(w)),
      biases: n.biases.map((b) => Float32Array.from(b)),
      heads,
      headBias,
    });
  }
}

const finite = z.number().refine(Number.isFinite, "must be finite");
export const networkSchema = z.strictObject({
  sizes: z.array(z.number().int().positive()),
  weights: z.array(z.array(finite)),
  biases: z.array(z.array(finite)),
  heads: z.array(finite),
  headBias: z.array(finite),
});
