import type { Blocks } from "../models/blocks.js";
import { normal } from "../rng.js";
import type { ScoredAction } from "../search/action-search.js";
import { normalCdfAccurate } from "./normal-cdf.js";
import { type Choice, chosenFirst, type DecisionScope, type ExplorationRule } from "./scope.js";

/** Z beyond `scale` × this has probability below 1e-17: the right end of the search for an interval. */
const Z_LIMIT = 8.5;
/** Z's scale by default: 1.0 and 1.6 did alike on the learning benchmark, 2.3 worse (the core README). */
export const RANDOMISED_UCB_SCALE = 1.6;
/** Newton steps per interval end; each step finds a new line of the upper envelope, so few are needed. */
const MAX_STEPS = 200;

/**
 * Randomised UCB (Vaswani et al., 2020): each decision draws one multiplier Z, shared by every option, and
 * takes the best action under mean + Z · width (the model's posterior mean and its noise-scaled confidence
 * width, summed over the action's units). Z = `scale` · max(0, N(0, 1)): half the decisions are greedy, the
 * others optimistic by a random amount. Thompson sampling draws each option independently, so the best of
 * K draws grows more optimistic as K grows; one shared Z keeps a decision's optimism the same whatever the
 * number of options, and an option whose mean and width are both below another's is never chosen (as with
 * UCB, whose widths shrink where it plays).
 *
 * Propensities are exact, under constraints, excluded actions and eligibility too: an action's score is a
 * line in Z (intercept M, its units' means; slope S, their widths), so the set of Z where it is the best is
 * an interval, and its probability is Z's mass there (plus its share of the greedy ties at Z = 0). A
 * decision finds its interval's ends by Newton steps on the upper envelope of the lines, each step one
 * search for the best action at a given Z; {@link distribution} builds the whole envelope from every
 * feasible action's line, an independent computation that the tests compare with it. Both are exact
 * wherever the search is (it is, unless constraints force its coordinate-ascent fallback).
 */
export class RandomisedUcbRule implements ExplorationRule {
  readonly name = "randomised-ucb";
  readonly scoresWithWidths = true;
  private means = new Float64Array(0);
  private widths = new Float64Array(0);
  private scores = new Float64Array(0);

  constructor(
    /** Z's scale: the width multiplier of a decision at N(0, 1)'s one-sigma draw. */
    private readonly scale = RANDOMISED_UCB_SCALE,
    /** Whether to compute propensities (a few searches per decision); NaN otherwise. */
    private readonly propensities = true,
  ) {}

  choose(scope: DecisionScope, topK: number): Choice {
    const blocks = this.readLines(scope);
    const z = this.scale * Math.max(0, normal(scope.rng));
    const best = scope.bestUnder(this.scoresAt(z));
    if (!best) return { ranked: [], propensity: Number.NaN };
    const ranked = topK > 1 ? chosenFirst(best.best, scope.rankUnder(this.scores, topK), topK) : [best.best];
    if (!this.propensities) return { ranked, propensity: Number.NaN };
    const p = this.probability(scope, blocks, best.best);
    // The action was chosen, so its probability is positive: never log a numerical 0 (IPS divides by it).
    return { ranked, propensity: Math.min(1, Math.max(p, Number.EPSILON)), propensityError: 0 };
  }

  /** Every feasible action's probability, from the upper envelope of all their lines (see the class comment). */
  distribution(scope: DecisionScope): Map<number, number> {
    const blocks = this.readLines(scope);
    const lines: Line[] = [];
    scope.space.forEachFeasible(scope.eligibility, (codes) => {
      const { m, s } = this.lineOf(blocks, codes);
      lines.push({ m, s, index: scope.space.indexOfCodes(codes) });
      return true;
    });
    const out = new Map<number, number>(lines.map((l) => [l.index, 0]));
    if (lines.length === 0) return out;
    // Z = 0 (half the mass): the greedy choice, ties at random.
    let top = Number.NEGATIVE_INFINITY;
    for (const l of lines) top = Math.max(top, l.m);
    const greedy = lines.filter((l) => l.m === top);
    for (const l of greedy) out.set(l.index, out.get(l.index)! + 0.5 / greedy.length);
    // Z > 0: the upper envelope over [0, ∞), identical lines sharing their segment's mass.
    for (const segment of upperEnvelope(lines)) {
      const mass = this.mass(segment.from, segment.to) / segment.lines.length;
      if (mass > 0) for (const l of segment.lines) out.set(l.index, out.get(l.index)! + mass);
    }
    return out;
  }

  /** P(this rule chooses `chosen`), from the searches' answers at chosen values of Z. */
  private probability(scope: DecisionScope, blocks: Blocks, chosen: ScoredAction): number {
    const a = this.lineOf(blocks, chosen.codes);
    const rng = scope.propensityRng;
    const at = (z: number) => {
      const best = scope.bestUnder(this.scoresAt(z), rng)!;
      const line = this.lineOf(blocks, best.best.codes);
      return { line, tied: best.tied, gap: line.m + z * line.s - (a.m + z * a.s) };
    };
    const level = (z: number) => 1e-12 * (Math.abs(a.m) + z * Math.abs(a.s) + Number.MIN_VALUE);
    let p = 0;
    const greedy = at(0);
    if (greedy.gap <= level(0)) p += 0.5 / greedy.tied;
    // Left end: Newton steps rightwards from 0 on g(z) = best(z) − a(z), convex, ≥ 0, zero on the interval.
    let low = 0;
    let probe = greedy;
    for (let step = 0; probe.gap > level(low); step++) {
      if (probe.line.s >= a.s || step === MAX_STEPS) return p; // g only grows from here: a never wins
      low = (probe.line.m - a.m) / (a.s - probe.line.s);
      probe = at(low);
    }
    // Right end: Newton steps leftwards from the end of Z's support.
    let high = this.scale * Z_LIMIT;
    probe = at(high);
    if (probe.gap <= level(high)) high = Number.POSITIVE_INFINITY;
    for (let step = 0; probe.gap > level(high) && step < MAX_STEPS; step++) {
      high = (a.m - probe.line.m) / (probe.line.s - a.s);
      probe = at(high);
    }
    if (!(high > low)) return p;
    // Inside the interval only identical lines tie with a, and the search picks among them at random.
    const inside = Number.isFinite(high) ? (low + high) / 2 : low + this.scale;
    return p + this.mass(low, high) / at(inside).tied;
  }

  /** P(low < Z < high) for 0 ≤ low ≤ high. */
  private mass(low: number, high: number): number {
    const upper = Number.isFinite(high) ? normalCdfAccurate(high / this.scale) : 1;
    return Math.max(0, upper - normalCdfAccurate(low / this.scale));
  }

  /** Every unit's mean and width (its upper bound at one width minus its mean), for the scope's context. */
  private readLines(scope: DecisionScope): Blocks {
    const model = scope.model;
    if (!model) throw new Error("randomised UCB needs a reward model");
    const n = model.blocks.unitCount;
    if (this.means.length !== n) {
      this.means = new Float64Array(n);
      this.widths = new Float64Array(n);
      this.scores = new Float64Array(n);
    }
    model.scoreUnits(scope.x, { mode: "upper", alpha: 1 }, this.widths);
    model.scoreUnits(scope.x, { mode: "mean" }, this.means);
    for (let u = 0; u < n; u++) this.widths[u]! -= this.means[u]!;
    return model.blocks;
  }

  private scoresAt(z: number): Float64Array {
    for (let u = 0; u < this.scores.length; u++) this.scores[u] = this.means[u]! + z * this.widths[u]!;
    return this.scores;
  }

  private lineOf(blocks: Blocks, codes: ArrayLike<number>): { m: number; s: number } {
    let m = 0;
    let s = 0;
    for (let b = 0; b < blocks.count; b++) {
      const unit = blocks.offsets[b]! + blocks.blockCode(b, codes);
      m += this.means[unit]!;
      s += this.widths[unit]!;
    }
    return { m, s };
  }
}

interface Line {
  m: number;
  s: number;
  index: number;
}

/** One piece of the upper envelope: the lines (identical ones together) that are the best for z in (from, to). */
interface Segment {
  from: number;
  to: number;
  lines: Line[];
}

/** The upper envelope of lines m + z·s over z ≥ 0 (the convex-hull trick: slopes ascending, a stack). */
export function upperEnvelope(lines: readonly Line[]): Segment[] {
  const sorted = [...lines].sort((p, q) => p.s - q.s || p.m - q.m);
  // Identical lines tie everywhere: one group each.
  const groups: Line[][] = [];
  for (const l of sorted) {
    const last = groups.at(-1)?.[0];
    if (last && last.s === l.s && last.m === l.m) groups.at(-1)!.push(l);
    else groups.push([l]);
  }
  // Hull from the steepest down: each kept group starts where it overtakes the one below it on the stack.
  const stack: { group: Line[]; from: number }[] = [];
  for (const group of groups) {
    const l = group[0]!;
    let from = Number.NEGATIVE_INFINITY;
    while (stack.length > 0) {
      const top = stack.at(-1)!;
      const t = top.group[0]!;
      if (t.s === l.s) {
        stack.pop(); // same slope, lower intercept (sorted): never above l
        continue;
      }
      from = (t.m - l.m) / (l.s - t.s);
      if (from <= top.from) stack.pop();
      else break;
    }
    if (stack.length === 0) from = Number.NEGATIVE_INFINITY;
    stack.push({ group, from });
  }
  const out: Segment[] = [];
  for (let i = 0; i < stack.length; i++) {
    const to = i + 1 < stack.length ? stack[i + 1]!.from : Number.POSITIVE_INFINITY;
    const from = Math.max(0, stack[i]!.from);
    if (to > from) out.push({ from, to, lines: stack[i]!.group });
  }
  return out;
}
