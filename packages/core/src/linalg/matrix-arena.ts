// Where a linear model keeps its d×d matrices (inverses, and the per-action units' Gram matrices): in
// WebAssembly memory, so that the posterior widths √(x'A⁻¹x) of every unit, A⁻¹x and the rank-one updates
// (the largest costs of a linear Thompson or UCB decision and update) run in the SIMD kernels of
// simd-kernels.wat: the widths about 2× (d = 17) to 3.5× (d = 32) faster than in JavaScript. The matrices
// stay ordinary Float64Arrays for every other use (refactorisations, snapshots, merges).
//
// A WebAssembly memory that grows detaches the arrays viewing it, so an arena never grows one: it adds
// chunks, each its own memory and kernel instance (see addChunk for their sizes). Where WebAssembly or its
// SIMD is unavailable, or a memory cannot be had, matrices are plain arrays and the same methods run the
// JavaScript twins in dense.ts, which perform the same operations in the same order: results are
// identical to the bit either way, so decisions never depend on which path ran.

import {
  addOuter,
  cholesky,
  dot,
  inverseDiagonal,
  invertSpd,
  learnObservation,
  matVec,
  quadraticForm,
  slotMatVec,
  subtractOuter,
  subtractOuterRows,
} from "./dense.js";
import { SIMD_KERNELS_WASM_BASE64 } from "./simd-kernels-binary.js";

/** The part of the WebAssembly JavaScript API used here (the ES2023 library typings do not declare it). */
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Memory {
    constructor(descriptor: { initial: number; maximum: number });
    readonly buffer: ArrayBuffer;
  }
  class Instance {
    constructor(module: Module, imports: object);
    readonly exports: Record<string, unknown>;
  }
}

const PAGE_BYTES = 65_536;
/** The first memory holds every expected matrix up to this size; later ones double, up to what is left. */
const FIRST_CHUNK_BYTES = 4 * 1024 * 1024;
/**
 * Below this context length the call into WebAssembly costs more than it saves: plain arrays. Measured per
 * quadratic form: d = 4, 13 ns in JavaScript against 19 ns through the kernel; d = 6, 46 against 27.
 */
const MIN_DIMENSION = 6;
/** Contexts per call of {@link MatrixArena.posteriors}' kernel (their room in every memory). */
const BATCH_ROWS = 16;

/** The kernels' exports (byte offsets into the chunk's memory). */
interface Kernels {
  quadraticForm(matrix: number, vector: number, d: number): number;
  posteriors(table: number, count: number, xs: number, rows: number, d: number, out: number): void;
  matVec(matrix: number, vector: number, out: number, d: number): void;
  learnObservation(
    gram: number,
    inverse: number,
    x: number,
    w: number,
    r: number,
    d: number,
    u: number,
  ): void;
  addOuter(matrix: number, vector: number, f: number, d: number): void;
  cholesky(matrix: number, out: number, d: number): number;
  inverseDiagonal(factor: number, d: number, out: number, scratch: number): void;
  invertSpd(matrix: number, d: number, out: number, scratch: number): number;
  sparseMatVec(
    matrix: number,
    n: number,
    slots: number,
    count: number,
    x: number,
    d: number,
    out: number,
  ): void;
  subtractOuterRows(matrix: number, vector: number, f: number, d: number): void;
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled kernels, or null where this runtime cannot run them (compiled once per process). */
function kernels(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      const bytes = Uint8Array.from(atob(SIMD_KERNELS_WASM_BASE64), (c) => c.charCodeAt(0));
      compiled = new WebAssembly.Module(bytes);
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/**
 * One WebAssembly memory: the loaded x of the quadratic forms, the input of {@link MatrixArena.matVec} and
 * two vectors of output; in an arena with trailing vectors, room for a block of contexts and their results
 * ({@link MatrixArena.posteriors}); then matrices.
 */
interface Chunk {
  /** Holds scratch matrices, all given back at once by {@link MatrixArena.releaseScratch}. */
  scratch: boolean;
  buffer: ArrayBuffer;
  vector: Float64Array;
  input: Float64Array;
  output: Float64Array;
  /** The input vector's bytes as d matrix offsets, for {@link MatrixArena.posteriors}. */
  table: Int32Array;
  /** The loaded vector's bytes as 2d unit slots, for {@link MatrixArena.slotMatVec}. */
  slots: Int32Array;
  /** A block of contexts, and two numbers per matrix and context, for {@link MatrixArena.posteriors}. */
  rows: Float64Array;
  rowOutputs: Float64Array;
  /** Which block of contexts `rows` holds (see {@link MatrixArena.posteriors}). */
  rowsBlock: number;
  kernels: Kernels;
  /** Byte offset of the next free matrix. */
  next: number;
  end: number;
}

/**
 * The d×d matrices of one model, and the kernels over them: x'·M·x against one loaded vector, M·x, the
 * rank-one updates M ± f·u·u', and Cholesky factors and inverses.
 */
export class MatrixArena {
  private readonly chunks: Chunk[] = [];
  private readonly matrixBytes: number;
  /** Numbers per matrix: d², plus d when each matrix is followed by its vector (see the constructor). */
  private readonly slotSize: number;
  private readonly trailingVector: boolean;
  /** Bytes before a chunk's first matrix: its four vectors, and the contexts' block and results if any. */
  private readonly headerBytes: number;
  /** Byte offsets of a chunk's input and output vectors (the loaded vector is at 0). */
  private readonly inputAt: number;
  private readonly outputAt: number;
  /** Contexts a chunk holds for {@link posteriors} (0 without trailing vectors), and where. */
  private readonly batchRows: number;
  private readonly rowsAt: number;
  private readonly rowOutputsAt: number;
  /** Numbers the blocks of contexts of {@link posteriors}: a chunk whose `rowsBlock` is the current one holds it. */
  private rowsBlock = 0;
  /** The loaded vector, for matrices outside the arena's memories. */
  private readonly vector: Float64Array;
  /** {@link matVec}'s result for matrices outside the arena's memories. */
  private readonly product: Float64Array;
  private enabled: boolean;
  /** Kept (not scratch) matrices handed out. */
  private kept = 0;

  /**
   * `expected`: how many matrices the model may hold. A memory takes at least 64 KiB, so a model whose
   * matrices fill less than a quarter of that keeps plain arrays (same results, no SIMD). Matrices in
   * different memories still work with every method, by the JavaScript path.
   */
  constructor(
    private readonly d: number,
    private readonly expected: number,
    /**
     * The model allocates all its matrices at once (the joint system): one memory for all of them, whatever
     * their size, since the kernels that take several matrices need them in the same memory.
     */
    private readonly eager = false,
    /**
     * Every matrix is followed by a vector of d numbers in the same memory ({@link vectorAfter}): a linear
     * unit's coefficients after its inverse, so that {@link posteriors} reads both in one kernel call.
     */
    trailingVector = false,
  ) {
    this.trailingVector = trailingVector;
    this.slotSize = d * d + (trailingVector ? d : 0);
    // 16-byte steps keep every matrix and the vector aligned for the kernel's two-lane loads.
    this.matrixBytes = Math.ceil((this.slotSize * 8) / 16) * 16;
    const vectorBytes = Math.ceil((d * 8) / 16) * 16;
    this.inputAt = vectorBytes;
    this.outputAt = 2 * vectorBytes;
    this.batchRows = trailingVector ? BATCH_ROWS : 0;
    this.rowsAt = 4 * vectorBytes;
    this.rowOutputsAt = this.rowsAt + Math.ceil((this.batchRows * d * 8) / 16) * 16;
    // A call's results: two numbers per matrix (at most d of them) and context.
    this.headerBytes = this.rowOutputsAt + 2 * this.batchRows * vectorBytes;
    this.vector = new Float64Array(d);
    this.product = new Float64Array(d);
    this.enabled = d >= MIN_DIMENSION && expected * this.matrixBytes >= PAGE_BYTES / 4 && kernels() !== null;
  }

  /** A new d×d matrix, `diagonal`·I (zero by default), kept as long as the arena. */
  allocate(diagonal = 0): Float64Array {
    const matrix = this.take(false);
    this.kept++;
    if (diagonal !== 0) for (let i = 0; i < this.d; i++) matrix[i * (this.d + 1)] = diagonal;
    return matrix;
  }

  /**
   * A zero d×d matrix valid until the next {@link releaseScratch} (pending decisions' inverses, dropped at
   * every update): its memory is then reused.
   */
  allocateScratch(): Float64Array {
    return this.take(true).fill(0);
  }

  /** Gives back every scratch matrix: none of them may be used after this. */
  releaseScratch(): void {
    for (const chunk of this.chunks) if (chunk.scratch) chunk.next = this.headerBytes;
  }

  private take(scratch: boolean): Float64Array {
    const size = this.d * this.d;
    if (!this.enabled) return new Float64Array(this.slotSize).subarray(0, size);
    let chunk = this.chunks.find((c) => c.scratch === scratch && c.next + this.matrixBytes <= c.end);
    if (!chunk) {
      chunk = this.addChunk(scratch);
      if (!chunk) return new Float64Array(this.slotSize).subarray(0, size);
    }
    const matrix = new Float64Array(chunk.buffer, chunk.next, size);
    chunk.next += this.matrixBytes;
    return matrix;
  }

  /** The d numbers that follow a matrix of this arena (built with `trailingVector`), as a view. */
  vectorAfter(m: Float64Array): Float64Array {
    if (!this.trailingVector) throw new Error("this arena keeps no vector after its matrices");
    return new Float64Array(m.buffer, m.byteOffset + this.d * this.d * 8, this.d);
  }

  /** Copies a matrix of this arena into another, with the vector that follows it when there is one. */
  copy(from: Float64Array, to: Float64Array): void {
    to.set(from);
    if (this.trailingVector) this.vectorAfter(to).set(this.vectorAfter(from));
  }

  /** Sets the vector x of the following {@link quadraticForm} calls. */
  load(x: Float64Array): void {
    const d = this.d;
    for (let i = 0; i < d; i++) this.vector[i] = x[i]!;
    for (const chunk of this.chunks) chunk.vector.set(this.vector);
  }

  /** x'·M·x for a symmetric M (any d×d matrix; the kernel's when it lives in this arena), x as loaded. */
  quadraticForm(m: Float64Array): number {
    const chunk = this.chunkOf(m);
    if (chunk) return chunk.kernels.quadraticForm(m.byteOffset, 0, this.d);
    return quadraticForm(m, this.vector, this.d);
  }

  /**
   * The widths² and means of linear units for one context or several: x_r'·Mₖ·x_r into `forms[r·count + k]`
   * and vₖ·x_r into `means[r·count + k]` for the r-th context and the first `count` matrices (vₖ the vector
   * after Mₖ: the arena has trailing vectors), as quadraticForm and dot in dense.ts give them (to the bit),
   * in one kernel call per run of up to d matrices in one memory and block of 16 contexts.
   */
  posteriors(
    matrices: readonly Float64Array[],
    count: number,
    contexts: readonly Float64Array[],
    forms: Float64Array,
    means: Float64Array,
  ): void {
    if (!this.trailingVector) throw new Error("this arena keeps no vector after its matrices");
    const d = this.d;
    const rows = contexts.length;
    for (let r0 = 0; r0 < rows; r0 += this.batchRows) {
      const n = Math.min(this.batchRows, rows - r0);
      const block = ++this.rowsBlock;
      for (let k = 0; k < count; ) {
        const chunk = this.chunkOf(matrices[k]!);
        if (!chunk) {
          const m = matrices[k]!;
          const v = this.vectorAfter(m);
          for (let r = r0; r < r0 + n; r++) {
            forms[r * count + k] = quadraticForm(m, contexts[r]!, d);
            means[r * count + k] = dot(v, contexts[r]!, d);
          }
          k++;
          continue;
        }
        if (chunk.rowsBlock !== block) {
          // The kernel's layout: the first 4·⌊n/4⌋ contexts as columns (x_r,i at i·fours + r), the rest
          // row by row after them.
          const into = chunk.rows;
          const fours = n & ~3;
          for (let r = 0; r < fours; r++) {
            const x = contexts[r0 + r]!;
            for (let i = 0; i < d; i++) into[i * fours + r] = x[i]!;
          }
          for (let r = fours; r < n; r++) {
            const x = contexts[r0 + r]!;
            for (let i = 0; i < d; i++) into[r * d + i] = x[i]!;
          }
          chunk.rowsBlock = block;
        }
        let runs = 0;
        for (; runs < d && k + runs < count && matrices[k + runs]!.buffer === chunk.buffer; runs++)
          chunk.table[runs] = matrices[k + runs]!.byteOffset;
        chunk.kernels.posteriors(this.inputAt, runs, this.rowsAt, n, d, this.rowOutputsAt);
        const outputs = chunk.rowOutputs;
        for (let r = 0; r < n; r++) {
          const from = 2 * runs * r;
          const to = (r0 + r) * count + k;
          for (let i = 0; i < runs; i++) {
            forms[to + i] = outputs[from + i]!;
            means[to + i] = outputs[from + runs + i]!;
          }
        }
        k += runs;
      }
    }
  }

  /**
   * M·x (as matVec in dense.ts, to the bit), in an array valid until the next call (in the chunk's memory
   * when M lives in this arena, so {@link subtractOuter} takes it without a copy).
   */
  matVec(m: Float64Array, x: Float64Array): Float64Array {
    const chunk = this.chunkOf(m);
    if (!chunk) return matVec(m, x, this.d, this.product);
    copyInto(chunk.input, x, this.d);
    chunk.kernels.matVec(m.byteOffset, this.inputAt, this.outputAt, this.d);
    return chunk.output;
  }

  /** M += w·x·x' for a symmetric M (as addOuter in dense.ts, to the bit). */
  addOuter(m: Float64Array, x: Float64Array, w: number): void {
    const chunk = this.chunkOf(m);
    if (!chunk) {
      addOuter(m, x, w, this.d);
      return;
    }
    copyInto(chunk.input, x, this.d);
    chunk.kernels.addOuter(m.byteOffset, this.inputAt, w, this.d);
  }

  /** M −= f·u·u' for a symmetric M (as subtractOuter in dense.ts, to the bit: the kernel adds −f). */
  subtractOuter(m: Float64Array, u: Float64Array, f: number): void {
    const chunk = this.chunkOf(m);
    if (!chunk) {
      subtractOuter(m, u, f, this.d);
      return;
    }
    if (u !== chunk.output) copyInto(chunk.output, u, this.d);
    chunk.kernels.addOuter(m.byteOffset, this.outputAt, -f, this.d);
  }

  /**
   * One observation of a linear unit whose Gram matrix is followed by its target and whose inverse by its
   * coefficients (an arena with trailing vectors), as learnObservation in dense.ts (to the bit): one kernel
   * call when both matrices live in the same memory.
   */
  learnObservation(gram: Float64Array, inverse: Float64Array, x: Float64Array, w: number, r: number): void {
    const chunk = this.chunkOf(gram);
    if (!chunk || chunk !== this.chunkOf(inverse)) {
      const { d } = this;
      learnObservation(
        gram,
        this.vectorAfter(gram),
        inverse,
        this.vectorAfter(inverse),
        x,
        w,
        r,
        d,
        this.product,
      );
      return;
    }
    copyInto(chunk.input, x, this.d);
    chunk.kernels.learnObservation(
      gram.byteOffset,
      inverse.byteOffset,
      this.inputAt,
      w,
      r,
      this.d,
      this.outputAt,
    );
  }

  /** (M + w·x·x')⁻¹ from M = A⁻¹ in place, as shermanMorrison in dense.ts (to the bit). */
  shermanMorrison(m: Float64Array, x: Float64Array, w: number): void {
    const u = this.matVec(m, x);
    this.subtractOuter(m, u, w / (1 + w * dot(x, u, this.d)));
  }

  /** The Cholesky factor of an SPD A into `out`, as cholesky in dense.ts (to the bit); false if A is not. */
  cholesky(a: Float64Array, out: Float64Array): boolean {
    const chunk = this.chunkOf(a);
    if (!chunk || chunk !== this.chunkOf(out)) return cholesky(a, this.d, out);
    return chunk.kernels.cholesky(a.byteOffset, out.byteOffset, this.d) === 1;
  }

  /** diag((L·Lᵀ)⁻¹) into `out` from a Cholesky factor L, as inverseDiagonal in dense.ts (to the bit). */
  inverseDiagonal(l: Float64Array, out: Float64Array): void {
    const chunk = this.chunkOf(l);
    if (!chunk) {
      inverseDiagonal(l, this.d, out, this.product);
      return;
    }
    chunk.kernels.inverseDiagonal(l.byteOffset, this.d, this.outputAt, this.inputAt);
    out.set(chunk.output);
  }

  /** A⁻¹ of an SPD A into `out`, as invertSpd in dense.ts (to the bit); false if A is not SPD. */
  invertSpd(a: Float64Array, out: Float64Array): boolean {
    const chunk = this.chunkOf(a);
    if (!chunk || chunk !== this.chunkOf(out)) return invertSpd(a, this.d, out, this.product);
    return chunk.kernels.invertSpd(a.byteOffset, this.d, out.byteOffset, this.inputAt) === 1;
  }

  /**
   * M·φ for the sparse φ holding `x` (its first `width` numbers) at each slot, as slotMatVec in dense.ts
   * (to the bit), in an array valid until the next call (the chunk's, for {@link subtractOuterRows}).
   */
  slotMatVec(m: Float64Array, slots: Int32Array, x: Float64Array, width: number): Float64Array {
    const chunk = this.chunkOf(m);
    if (!chunk || slots.length > 2 * this.d) return slotMatVec(m, this.d, slots, x, width, this.product);
    // The slots go where the widths' vector would (this use has none), x where matVec's input goes.
    chunk.slots.set(slots);
    copyInto(chunk.input, x, width);
    chunk.kernels.sparseMatVec(m.byteOffset, this.d, 0, slots.length, this.inputAt, width, this.outputAt);
    return chunk.output;
  }

  /** M −= f·u·u' row by row over the whole matrix, as subtractOuterRows in dense.ts (to the bit). */
  subtractOuterRows(m: Float64Array, u: Float64Array, f: number): void {
    const chunk = this.chunkOf(m);
    if (!chunk) {
      subtractOuterRows(m, u, f, this.d);
      return;
    }
    if (u !== chunk.output) copyInto(chunk.output, u, this.d);
    chunk.kernels.subtractOuterRows(m.byteOffset, this.outputAt, f, this.d);
  }

  private chunkOf(m: Float64Array): Chunk | undefined {
    const buffer = m.buffer;
    const chunks = this.chunks;
    for (let i = 0; i < chunks.length; i++) if (chunks[i]!.buffer === buffer) return chunks[i];
    return undefined;
  }

  /**
   * A new chunk of at least one matrix, or undefined when no memory can be had. Kept matrices: room for
   * the expected ones not yet handed out, the first chunk at most 4 MiB and each later one at most twice
   * the last (so a large model that touches few units reserves little); scratch chunks double.
   */
  private addChunk(scratch: boolean): Chunk | undefined {
    const last = this.chunks.findLast((c) => c.scratch === scratch);
    const oneMatrix = this.headerBytes + this.matrixBytes;
    let wanted: number;
    if (scratch) wanted = last ? 2 * last.end : oneMatrix;
    else {
      // Room for what the model may still hold (at most twice the last chunk), or double once past it.
      const room = this.headerBytes + this.matrixBytes * (this.expected - this.kept);
      if (!last) wanted = this.eager ? room : Math.min(room, this.headerBytes + FIRST_CHUNK_BYTES);
      else wanted = this.kept < this.expected ? Math.min(room, 2 * last.end) : 2 * last.end;
    }
    const pages = Math.ceil(Math.max(oneMatrix, wanted) / PAGE_BYTES);
    try {
      const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
      const instance = new WebAssembly.Instance(kernels()!, { env: { memory } });
      const buffer = memory.buffer;
      const chunk: Chunk = {
        scratch,
        buffer,
        vector: new Float64Array(buffer, 0, this.d),
        input: new Float64Array(buffer, this.inputAt, this.d),
        output: new Float64Array(buffer, this.outputAt, this.d),
        table: new Int32Array(buffer, this.inputAt, this.d),
        slots: new Int32Array(buffer, 0, 2 * this.d),
        rows: new Float64Array(buffer, this.rowsAt, this.batchRows * this.d),
        rowOutputs: new Float64Array(buffer, this.rowOutputsAt, 2 * this.batchRows * this.d),
        rowsBlock: 0,
        kernels: instance.exports as unknown as Kernels,
        next: this.headerBytes,
        end: pages * PAGE_BYTES,
      };
      chunk.vector.set(this.vector);
      this.chunks.push(chunk);
      return chunk;
    } catch {
      // Out of address space for memories (many models in one process): plain arrays from now on.
      this.enabled = false;
      return undefined;
    }
  }
}

/** The first n numbers of `from` into the start of `into` (a chunk's vector slot). */
function copyInto(into: Float64Array, from: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) into[i] = from[i]!;
}
