import type { CompiledEligibility } from "../action-space.js";
import type { Blocks } from "../models/blocks.js";
import { type Rng, randomInt } from "../rng.js";
import type { ActionSearch, ScoredAction } from "./action-search.js";

/** Largest tie set enumerated through the best-first search before counting inside the per-block ties. */
const ENUMERATION_LIMIT = 4_096;

/** The best action with ties broken uniformly at random, and how many feasible actions were tied with it. */
export interface TiedBest {
  best: ScoredAction;
  /** Size of the tie set: the chosen action's probability under the rule "argmax, ties at random" is 1/tied. */
  tied: number;
}

/**
 * Ties among the best feasible actions, broken uniformly at random. Untried options all score the prior
 * exactly alike; breaking their ties by code makes two dimensions with as many options move in lockstep
 * (option i of one always shown with option i of the other), so the best combination may never be tried.
 *
 * Without constraints or excluded combinations, the tie set is the product of each block's tied units, and
 * one uniform pick per block is uniform over it. Otherwise the best-first search enumerates it (up to
 * 4,096 actions), or, when it is larger and lies within the per-block ties, it is counted there. The one
 * approximate case (more than 4,096 ties, none of them the per-block best) picks among the first 4,096.
 */
export class TieBreaker {
  private readonly space;

  constructor(
    private readonly blocks: Blocks,
    private readonly search: ActionSearch,
  ) {
    this.space = blocks.space;
  }

  /** The best feasible action, ties at random, or undefined when nothing is feasible. */
  pick(unitScores: Float64Array, eligibility: CompiledEligibility, rng: Rng): TiedBest | undefined {
    const ties = this.blockTies(unitScores, eligibility);
    if (!ties) return undefined;
    if (!this.coupled(eligibility)) {
      const codes = new Int32Array(this.space.dimensions.length);
      let tied = 1;
      for (let b = 0; b < this.blocks.count; b++) {
        const units = ties.units[b]!;
        this.blocks.decode(b, units[randomInt(rng, units.length)]!, codes);
        tied *= units.length;
      }
      return { best: { codes, index: this.space.indexOfCodes(codes), score: ties.score }, tied };
    }
    const listed = this.enumerate(unitScores, eligibility, rng, ENUMERATION_LIMIT);
    if (listed.length === 0) return undefined;
    if (listed.length <= ENUMERATION_LIMIT) {
      return { best: listed[randomInt(rng, listed.length)]!, tied: listed.length };
    }
    if (listed[0]!.score === ties.score) {
      const tied = this.countWithin(ties.units, eligibility);
      const best = this.nthWithin(ties.units, eligibility, randomInt(rng, tied), ties.score);
      return { best, tied };
    }
    const first = listed.slice(0, ENUMERATION_LIMIT);
    return { best: first[randomInt(rng, first.length)]!, tied: first.length };
  }

  /** Every feasible action tied for the best score, when there are at most `limit` (else undefined). */
  all(
    unitScores: Float64Array,
    eligibility: CompiledEligibility,
    rng: Rng,
    limit: number,
  ): ScoredAction[] | undefined {
    const listed = this.enumerate(unitScores, eligibility, rng, limit);
    return listed.length > limit ? undefined : listed;
  }

  /** Whether constraints or excluded combinations couple the blocks. */
  private coupled(eligibility: CompiledEligibility): boolean {
    return this.space.hasConstraints || eligibility.deniedActions.size > 0;
  }

  /** Each block's allowed units tied for its best score, and the sum of those best scores. */
  private blockTies(
    unitScores: Float64Array,
    eligibility: CompiledEligibility,
  ): { units: number[][]; score: number } | undefined {
    const restricted = eligibility.key !== "*";
    const units: number[][] = [];
    let score = 0;
    for (let b = 0; b < this.blocks.count; b++) {
      const offset = this.blocks.offsets[b]!;
      let best = Number.NEGATIVE_INFINITY;
      let tied: number[] = [];
      for (let c = 0; c < this.blocks.sizes[b]!; c++) {
        if (restricted && !this.blocks.allowed(b, c, eligibility.masks)) continue;
        const s = unitScores[offset + c]!;
        if (s > best || tied.length === 0) {
          best = s;
          tied = [c];
        } else if (s === best) tied.push(c);
      }
      if (tied.length === 0) return undefined;
      units.push(tied);
      score += best;
    }
    return { units, score };
  }

  /**
   * The feasible actions tied for the best score, in full when at most `limit` (one more is returned to
   * say "more than limit"); without coupling they are the product of the per-block ties.
   */
  private enumerate(
    unitScores: Float64Array,
    eligibility: CompiledEligibility,
    rng: Rng,
    limit: number,
  ): ScoredAction[] {
    if (!this.coupled(eligibility)) {
      const ties = this.blockTies(unitScores, eligibility);
      if (!ties) return [];
      const out: ScoredAction[] = [];
      this.forEachWithin(ties.units, (codes) => {
        out.push({ codes: Int32Array.from(codes), index: this.space.indexOfCodes(codes), score: ties.score });
        return out.length <= limit;
      });
      return out;
    }
    for (let k = 2; ; k = Math.min(4 * k, limit + 1)) {
      const top = this.search.topK(unitScores, eligibility, k, rng);
      const tied = top.filter((a) => a.score === top[0]?.score);
      if (tied.length < top.length || top.length < k || k > limit) return tied;
    }
  }

  /** Visits every combination of the per-block tied units (codes reused between calls) until told to stop. */
  private forEachWithin(units: number[][], visit: (codes: Int32Array) => boolean): void {
    const codes = new Int32Array(this.space.dimensions.length);
    const positions = new Int32Array(units.length);
    for (;;) {
      for (let b = 0; b < units.length; b++) this.blocks.decode(b, units[b]![positions[b]!]!, codes);
      if (!visit(codes)) return;
      let b = units.length - 1;
      while (b >= 0 && ++positions[b]! === units[b]!.length) positions[b--] = 0;
      if (b < 0) return;
    }
  }

  private countWithin(units: number[][], eligibility: CompiledEligibility): number {
    let count = 0;
    this.forEachWithin(units, (codes) => {
      if (this.space.isFeasible(codes, eligibility)) count++;
      return true;
    });
    return count;
  }

  private nthWithin(
    units: number[][],
    eligibility: CompiledEligibility,
    n: number,
    score: number,
  ): ScoredAction {
    let found: ScoredAction | undefined;
    let seen = 0;
    this.forEachWithin(units, (codes) => {
      if (!this.space.isFeasible(codes, eligibility) || seen++ < n) return true;
      found = { codes: Int32Array.from(codes), index: this.space.indexOfCodes(codes), score };
      return false;
    });
    return found!;
  }
}
