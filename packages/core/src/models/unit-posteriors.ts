import { dot, dotAt, sameVector } from "../linalg/dense.js";
import type { MatrixArena } from "../linalg/matrix-arena.js";
import type { ContextNarrowing } from "./context-narrowing.js";
import type { FrozenMeans } from "./reward-model.js";

/**
 * The matrices a linear model scores with, in its current state: writes each one (a unit's A⁻¹, its
 * pending one if any, with θ right after it in the arena) into `matrices`, that θ into `thetas` and its
 * unit into `owners` (−1: one matrix shared by every unit without one of its own, the prior), and returns
 * their number.
 */
export type CollectMatrices = (
  matrices: Float64Array[],
  thetas: Float64Array[],
  owners: Int32Array,
) => number;

/**
 * Turns the units' own numbers into what the model scores (means, and widths when given), in place: a model
 * whose units share terms (option attributes) adds them to the units that use them.
 */
export type FoldUnits = (means: Float64Array, widths: Float64Array | undefined) => void;

/** The numbers of a batch of contexts, computed together in one model state ({@link UnitPosteriors.prepare}). */
interface PreparedContexts {
  contexts: readonly Float64Array[];
  revision: number;
  /** The context whose numbers are in the means and widths (−1: none), and the one expected next. */
  current: number;
  next: number;
  /** The unit of each matrix, and per context its matrices' forms x'A⁻¹x and means θ·x. */
  owners: Int32Array;
  forms: Float64Array;
  means: Float64Array;
}

/**
 * Every unit's posterior mean θ·x and width √(x'A⁻¹x) for a context, as a linear model scores it: one
 * kernel call per run of matrices, kept while neither the context nor the model's revision changes (a
 * Thompson propensity or an explanation then costs O(units), not O(units·d²)). For a batch of contexts,
 * {@link prepare} computes them all together; each number is to the bit what the context alone gives.
 */
export class UnitPosteriors {
  readonly means: Float64Array;
  readonly widths: Float64Array;
  private readonly matrices: Float64Array[] = [];
  private readonly thetas: Float64Array[] = [];
  private readonly owners: Int32Array;
  private readonly forms: Float64Array;
  private readonly formMeans: Float64Array;
  private readonly cachedX: Float64Array;
  /** The context being scored, as the one-element batch the arena takes. */
  private readonly context: Float64Array[] = [];
  private cachedRevision = -1;
  private widthsValid = false;
  /** The revision the matrices were collected in, and their number. */
  private collectedRevision = -1;
  private count = 0;
  private prepared: PreparedContexts | undefined;
  /** The means frozen in means revision `frozenRevision` ({@link frozen}). */
  private frozenMeans: FrozenMeans | undefined;
  private frozenRevision = -1;

  /** The context as the widths read it, v = x̄ + c·(x − x̄), when draws narrow the context's part. */
  private readonly narrowedX: Float64Array;
  /** x̄ of the revision the matrices were collected in (when narrowing). */
  private readonly centre: Float64Array;

  constructor(
    private readonly arena: MatrixArena,
    unitCount: number,
    private readonly d: number,
    private readonly collect: CollectMatrices,
    private readonly fold?: FoldUnits,
    /** How the widths read a context when draws narrow its part (the means read it as it is). */
    private readonly narrowing?: ContextNarrowing,
  ) {
    this.narrowedX = new Float64Array(narrowing ? d : 0);
    this.centre = new Float64Array(narrowing ? d : 0);
    this.means = new Float64Array(unitCount);
    this.widths = new Float64Array(unitCount);
    this.owners = new Int32Array(unitCount + 1);
    this.forms = new Float64Array(unitCount + 1);
    this.formMeans = new Float64Array(unitCount + 1);
    this.cachedX = new Float64Array(d);
  }

  /** Brings the means, and the widths when `needWidth`, up to date for `x` in model state `revision`. */
  update(x: Float64Array, revision: number, needWidth: boolean): void {
    const prepared = this.prepared;
    if (prepared?.revision === revision && this.fromPrepared(prepared, x)) return;
    const same = this.cachedRevision === revision && sameVector(this.cachedX, x, this.d);
    if (same && (this.widthsValid || !needWidth)) return;
    // The means and widths are about to hold another context's numbers.
    if (prepared) prepared.current = -1;
    if (!same) {
      for (let i = 0; i < this.d; i++) this.cachedX[i] = x[i]!;
      this.cachedRevision = revision;
      this.widthsValid = false;
    }
    const n = this.collected(revision);
    if (needWidth) {
      this.context[0] = this.narrowing ? this.narrowed(x, this.narrowedX) : x;
      this.arena.posteriors(this.matrices, n, this.context, this.forms, this.formMeans);
      if (this.narrowing) for (let k = 0; k < n; k++) this.formMeans[k] = dot(this.thetas[k]!, x, this.d);
    } else {
      // The kernel's dot products, without its quadratic forms.
      for (let k = 0; k < n; k++) this.formMeans[k] = dot(this.thetas[k]!, x, this.d);
    }
    this.fill(this.owners, n, needWidth ? this.forms : undefined, this.formMeans, 0);
  }

  /**
   * Computes the means and widths of a batch of contexts together in model state `revision` (each matrix
   * read once for a block of contexts): {@link update} then reads them for these arrays, by identity.
   */
  prepare(contexts: readonly Float64Array[], revision: number): void {
    const n = this.collected(revision);
    const forms = new Float64Array(contexts.length * n);
    const means = new Float64Array(contexts.length * n);
    if (this.narrowing) {
      // One buffer for the batch: a small Float64Array of its own costs many times a view of a shared one.
      const buffer = new Float64Array(contexts.length * this.d);
      const narrowed = contexts.map((x, c) =>
        this.narrowed(x, buffer.subarray(c * this.d, (c + 1) * this.d)),
      );
      this.arena.posteriors(this.matrices, n, narrowed, forms, means);
      contexts.forEach((x, c) => {
        for (let k = 0; k < n; k++) means[c * n + k] = dot(this.thetas[k]!, x, this.d);
      });
    } else this.arena.posteriors(this.matrices, n, contexts, forms, means);
    const owners = this.owners.slice(0, n);
    this.prepared = { contexts, revision, current: -1, next: 0, owners, forms, means };
  }

  /** The model's matrices in state `revision`, collected once per revision; returns their number. */
  private collected(revision: number): number {
    if (this.collectedRevision !== revision) {
      this.count = this.collect(this.matrices, this.thetas, this.owners);
      this.narrowing?.meanContext(this.centre);
      this.collectedRevision = revision;
    }
    return this.count;
  }

  /**
   * The means of model state `revision` for any context, from a copy of each matrix's θ: the numbers
   * {@link update} gives (the same dot products), whatever the model does afterwards. Made once per
   * `meansRevision`, the part of the revision that moves means (pending decisions move only widths).
   */
  frozen(meansRevision: number, revision: number): FrozenMeans {
    if (this.frozenRevision === meansRevision && this.frozenMeans) return this.frozenMeans;
    const n = this.collected(revision);
    const d = this.d;
    const owners = this.owners.slice(0, n);
    const thetas = new Float64Array(n * d);
    for (let k = 0; k < n; k++) thetas.set(this.thetas[k]!, k * d);
    const values = new Float64Array(n);
    const fold = this.fold;
    const all = fold ? new Float64Array(this.means.length) : undefined;
    this.frozenMeans = (x, out) => {
      for (let k = 0; k < n; k++) values[k] = dotAt(thetas, k * d, x, 0, d);
      if (!all || !fold) {
        spread(owners, n, values, 0, out);
        return;
      }
      spread(owners, n, values, 0, all);
      fold(all, undefined);
      out.set(all.subarray(0, out.length));
    };
    this.frozenRevision = meansRevision;
    return this.frozenMeans;
  }

  /** v = x̄ + c·(x − x̄) into `out` (the intercept's entry stays 1: x̄ and x are both 1 there). */
  private narrowed(x: Float64Array, out: Float64Array): Float64Array {
    const c = this.narrowing!.factor;
    const centre = this.centre;
    for (let i = 0; i < this.d; i++) out[i] = centre[i]! + c * (x[i]! - centre[i]!);
    return out;
  }

  /** Forgets a prepared batch (its state is gone). */
  dropPrepared(): void {
    this.prepared = undefined;
  }

  /** Whether `x` is one of the prepared contexts (looked up in decision order first): its numbers are then in place. */
  private fromPrepared(p: PreparedContexts, x: Float64Array): boolean {
    if (p.current >= 0 && p.contexts[p.current] === x) return true;
    const row = p.contexts[p.next] === x ? p.next : p.contexts.indexOf(x);
    if (row < 0) return false;
    p.current = row;
    p.next = row + 1;
    // The per-context cache now holds another context's numbers.
    this.cachedRevision = -1;
    this.fill(p.owners, p.owners.length, p.forms, p.means, row * p.owners.length);
    return true;
  }

  /** Every unit's mean (and width, given forms) from its matrix's numbers at `at` in those arrays. */
  private fill(
    owners: Int32Array,
    n: number,
    forms: Float64Array | undefined,
    means: Float64Array,
    at: number,
  ): void {
    spread(owners, n, means, at, this.means);
    if (forms) {
      const widths = this.widths;
      spread(owners, n, forms, at, widths);
      for (let u = 0; u < widths.length; u++) widths[u] = Math.sqrt(Math.max(0, widths[u]!));
    }
    this.fold?.(this.means, forms ? this.widths : undefined);
    this.widthsValid = forms !== undefined;
  }
}

/**
 * Each unit's number from its matrix's, `values[at + k]` for matrix k of unit `owners[k]`, into `out`; a
 * last matrix of owner −1 (the prior) gives its number to every unit without a matrix of its own.
 */
function spread(owners: Int32Array, n: number, values: Float64Array, at: number, out: Float64Array): void {
  if (owners[n - 1]! < 0) out.fill(values[at + n - 1]!);
  for (let k = 0; k < n; k++) {
    const u = owners[k]!;
    if (u >= 0) out[u] = values[at + k]!;
  }
}
