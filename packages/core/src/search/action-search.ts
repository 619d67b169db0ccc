import { z } from "zod";
import type { ActionSpace, CompiledEligibility } from "../action-space.js";
import type { Blocks } from "../models/blocks.js";
import type { Rng } from "../rng.js";
import { TieBreaker } from "./tied-best.js";

export const searchOptionsSchema = z.strictObject({
  /** Best-first candidates examined before falling back to coordinate ascent (heavily constrained spaces). */
  maxVisits: z.number().int().positive().default(20_000),
  /** Random feasible starting points of the coordinate-ascent fallback. */
  restarts: z.number().int().positive().default(8),
});
export type SearchOptions = z.input<typeof searchOptionsSchema>;

/** A feasible action with the additive score the search ranked it by. */
export interface ScoredAction {
  codes: Int32Array;
  index: number;
  score: number;
}

interface HeapEntry {
  score: number;
  positions: Int32Array;
  /** Last block whose position was advanced: children only advance blocks from here on (no duplicates). */
  last: number;
}

/**
 * Finds the best feasible actions when an action's score is the sum of one unit score per block.
 *
 * 1. Each block's allowed units are ranked by score. With one block per dimension this costs the sum
 *    of option counts, never their product.
 * 2. Combinations are enumerated best-first (a max-heap over rank positions, each combination reached
 *    from exactly one parent), skipping those a constraint or an excluded action forbids. This is exact:
 *    the first k feasible combinations popped are the top k.
 * 3. If constraints reject more than `maxVisits` candidates in a row, coordinate ascent with random
 *    feasible restarts finishes the job. That fallback is approximate (a local optimum per restart).
 */
export class ActionSearch {
  private readonly options: z.output<typeof searchOptionsSchema>;
  private readonly space: ActionSpace;
  /** The best action with its ties broken at random (deterministic rules). */
  readonly ties: TieBreaker;

  constructor(
    private readonly blocks: Blocks,
    options: SearchOptions = {},
  ) {
    this.options = searchOptionsSchema.parse(options);
    this.space = blocks.space;
    this.ties = new TieBreaker(blocks, this);
  }

  /** The k best feasible actions (fewer when fewer exist), best first. */
  topK(unitScores: Float64Array, eligibility: CompiledEligibility, k: number, rng: Rng): ScoredAction[] {
    if (k === 1) {
      const best = this.bestIfFeasible(unitScores, eligibility);
      if (best) return [best];
    }
    const ranked = this.rankBlocks(unitScores, eligibility);
    if (ranked.some((r) => r.length === 0)) return [];
    const found: ScoredAction[] = [];
    const seen = new Set<number>();
    const exhausted = this.bestFirst(ranked, unitScores, eligibility, k, found, seen);
    if (found.length < k && !exhausted) this.coordinateAscent(unitScores, eligibility, k, rng, found, seen);
    found.sort((a, b) => b.score - a.score || a.index - b.index);
    return found.slice(0, k);
  }

  /** Per-block argmax: the answer whenever it happens to be feasible (the common case for k = 1). */
  private bestIfFeasible(
    unitScores: Float64Array,
    eligibility: CompiledEligibility,
  ): ScoredAction | undefined {
    const blocks = this.blocks;
    const codes = new Int32Array(this.space.dimensions.length);
    const restricted = eligibility.key !== "*";
    let score = 0;
    for (let b = 0; b < blocks.count; b++) {
      const offset = blocks.offsets[b]!;
      const size = blocks.sizes[b]!;
      let best = -1;
      let bestScore = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < size; c++) {
        const s = unitScores[offset + c]!;
        if ((best < 0 || s > bestScore) && (!restricted || blocks.allowed(b, c, eligibility.masks))) {
          best = c;
          bestScore = s;
        }
      }
      if (best < 0) return undefined;
      blocks.decode(b, best, codes);
      score += bestScore;
    }
    // Each block's pick respects the masks already: only constraints and excluded actions can object.
    const checked = this.space.hasConstraints || eligibility.deniedActions.size > 0;
    if (checked && !this.space.isFeasible(codes, eligibility)) return undefined;
    return { codes, index: this.space.indexOfCodes(codes), score };
  }

  /** Allowed unit codes of each block, best first (ties by code). */
  private rankBlocks(unitScores: Float64Array, eligibility: CompiledEligibility): Int32Array[] {
    const out: Int32Array[] = [];
    for (let b = 0; b < this.blocks.count; b++) {
      const offset = this.blocks.offsets[b]!;
      const allowed: number[] = [];
      for (let c = 0; c < this.blocks.sizes[b]!; c++)
        if (this.blocks.allowed(b, c, eligibility.masks)) allowed.push(c);
      allowed.sort((p, q) => unitScores[offset + q]! - unitScores[offset + p]! || p - q);
      out.push(Int32Array.from(allowed));
    }
    return out;
  }

  /** Returns true when every combination was examined (nothing left for the fallback to find). */
  private bestFirst(
    ranked: Int32Array[],
    unitScores: Float64Array,
    eligibility: CompiledEligibility,
    k: number,
    found: ScoredAction[],
    seen: Set<number>,
  ): boolean {
    const blocks = this.blocks;
    const scoreAt = (b: number, pos: number) => unitScores[blocks.offsets[b]! + ranked[b]![pos]!]!;
    const heap: HeapEntry[] = [];
    const start = new Int32Array(blocks.count);
    let startScore = 0;
    for (let b = 0; b < blocks.count; b++) startScore += scoreAt(b, 0);
    heapPush(heap, { score: startScore, positions: start, last: 0 });
    const codes = new Int32Array(this.space.dimensions.length);
    let visits = 0;
    while (heap.length > 0 && found.length < k) {
      if (visits++ >= this.options.maxVisits) return false;
      const entry = heapPop(heap)!;
      for (let b = 0; b < blocks.count; b++) blocks.decode(b, ranked[b]![entry.positions[b]!]!, codes);
      if (this.space.isFeasible(codes, eligibility)) {
        const index = this.space.indexOfCodes(codes);
        seen.add(index);
        found.push({ codes: Int32Array.from(codes), index, score: entry.score });
      }
      for (let b = entry.last; b < blocks.count; b++) {
        const pos = entry.positions[b]!;
        if (pos + 1 >= ranked[b]!.length) continue;
        const positions = Int32Array.from(entry.positions);
        positions[b] = pos + 1;
        heapPush(heap, { score: entry.score - scoreAt(b, pos) + scoreAt(b, pos + 1), positions, last: b });
      }
    }
    return heap.length === 0;
  }

  private coordinateAscent(
    unitScores: Float64Array,
    eligibility: CompiledEligibility,
    k: number,
    rng: Rng,
    found: ScoredAction[],
    seen: Set<number>,
  ): void {
    const blocks = this.blocks;
    for (let r = 0; r < this.options.restarts; r++) {
      let codes: Int32Array;
      try {
        codes = this.space.sampleFeasible(rng, eligibility);
      } catch {
        return; // nothing feasible at all
      }
      const trial = new Int32Array(codes.length);
      for (let improved = true; improved; ) {
        improved = false;
        for (let b = 0; b < blocks.count; b++) {
          const current = blocks.blockCode(b, codes);
          let best = current;
          let bestScore = unitScores[blocks.offsets[b]! + current]!;
          for (let c = 0; c < blocks.sizes[b]!; c++) {
            const s = unitScores[blocks.offsets[b]! + c]!;
            if (s <= bestScore) continue;
            trial.set(codes);
            blocks.decode(b, c, trial);
            if (this.space.isFeasible(trial, eligibility)) {
              best = c;
              bestScore = s;
            }
          }
          if (best !== current) {
            blocks.decode(b, best, codes);
            improved = true;
          }
        }
      }
      const index = this.space.indexOfCodes(codes);
      if (seen.has(index)) continue;
      seen.add(index);
      let score = 0;
      for (let b = 0; b < blocks.count; b++)
        score += unitScores[blocks.offsets[b]! + blocks.blockCode(b, codes)]!;
      found.push({ codes, index, score });
      if (found.length >= 4 * k) return;
    }
  }
}

function heapPush(heap: HeapEntry[], entry: HeapEntry): void {
  heap.push(entry);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heap[parent]!.score >= entry.score) break;
    heap[i] = heap[parent]!;
    i = parent;
  }
  heap[i] = entry;
}

function heapPop(heap: HeapEntry[]): HeapEntry | undefined {
  const top = heap[0];
  const last = heap.pop();
  if (heap.length === 0 || !last) return top;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= heap.length) break;
    const r = l + 1;
    const child = r < heap.length && heap[r]!.score > heap[l]!.score ? r : l;
    if (heap[child]!.score <= last.score) break;
    heap[i] = heap[child]!;
    i = child;
  }
  heap[i] = last;
  return top;
}
