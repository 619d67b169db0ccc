// Thompson-sampling propensities when blocks are coupled (constraints across blocks, excluded actions of a
// multi-block model): a Rao–Blackwellised, self-normalised Monte-Carlo estimator around the exact
// unconstrained probability.
//
// Notation: a component C of coupled blocks; U = the per-block argmax of the draws (the choice if nothing
// forbade combinations), A = the feasible argmax (the policy's choice), B = {U infeasible}; P₀(a) =
// Π_b P(U_b = a_b), exact, and q = P(B), exact (inclusion–exclusion over the constraints). For a feasible a,
//   P(A = a) = P₀(a) + P(A = a, B),   and  P₀(a) ≤ 1 − q,  P(A = a, B) ≤ q.
// Pick one block b* of C; given the draws θ of C's other blocks, the rest is a one-dimensional argmax over
// b*'s units with shifted scores: unit c scores θ_c + R(c), R(c) = the best feasible completion of c among
// the other blocks. So, integrating b* exactly (c = a_{b*}):
//   d(θ) = P(A = a, B | θ) = 1{c's best completion is a's}·P(c wins shifted) − 1{U_{−b*} = a_{−b*}}·P(c wins),
//   w(θ) = P(B | θ) = Σ_{c' : (c', U_{−b*}) infeasible} P(c' wins),   0 ≤ d ≤ w,  E[w] = q.
// Both are 0 in draws where no constraint binds. The estimate is
//   p̂(a) = P₀(a) + q · Σ_m d(θ_m) / Σ_m w(θ_m)
// over M independent draws: consistent (a ratio estimator: bias O(1/M)), always within [P₀(a), P₀(a) + q]
// — so |p̂ − p| ≤ q whatever the draws, and p̂ > 0 for every feasible action — and exact when a takes all
// of the constrained mass (then d = w). Its standard error is q·√Var(R), R = Σd/Σw, Var(R) the delta-method
// Σ(d − R·w)²/(Σw)² floored by R̃(1 − R̃)/(n + 1): n = (Σw)²/Σw² binding draws, R̃ = R smoothed by one
// draw at P₀/(1 − q) (each d/w lies in [0, 1], so a Bernoulli variance bounds it: a rare correction that
// no draw showed is not reported as exact).
import { normal, type Rng } from "../rng.js";
import { argmaxProbability } from "./argmax-probability.js";
import { optimisticArgmaxProbability } from "./optimistic-argmax-probability.js";
import { posteriorArgmaxProbability, type UnitDraws } from "./posterior-argmax-probability.js";
import { type Component, forEachAssignment, type ThompsonStructure } from "./thompson-structure.js";
import { winProbabilities } from "./win-probabilities.js";

/** Standard error, relative to the estimate, beyond which an estimate takes more draws (up to ROUNDS×). */
const RELATIVE_ERROR = 0.25;
/** Most rounds of draws an estimate takes (each as many as asked for). */
export const ROUNDS = 10;
/** Most candidate completions one best-first search examines (as the action search's `maxVisits`). */
const COMPLETION_VISITS = 20_000;

/** A completion search ran out of budget: this decision is estimated another way. */
export class CompletionBudgetExceeded extends Error {}

/** The law of every unit's draw for one decision, with its one-dimensional argmax integrals. */
export interface UnitLaw {
  /** P(unit u's draw is the largest among block b's allowed units: the unconstrained choice). */
  win(b: number, u: number): number;
  /** P(each unit's draw + shift[unit] is the largest among `units`), aligned with `units`. */
  shiftedWins(units: readonly number[], shift: Float64Array): Float64Array;
  /** The same for one target unit. */
  shiftedWin(units: readonly number[], target: number, shift: Float64Array): number;
  sample(u: number, rng: Rng): number;
}

/**
 * Independent normal draws (linear models), or their optimistic version max(draw, mean): win probabilities
 * by {@link argmaxProbability} or {@link optimisticArgmaxProbability}.
 */
export class GaussianLaw implements UnitLaw {
  private memo: Map<number, number> | undefined;
  private shiftedMeans: Float64Array | undefined;
  private readonly argmax: typeof argmaxProbability;

  constructor(
    private readonly means: Float64Array,
    private readonly sds: Float64Array,
    private readonly allowed: readonly (readonly number[])[],
    private readonly optimistic = false,
  ) {
    this.argmax = optimistic ? optimisticArgmaxProbability : argmaxProbability;
  }

  win(b: number, u: number): number {
    this.memo ??= new Map();
    let p = this.memo.get(u);
    if (p === undefined) {
      p = this.argmax(this.means, this.sds, this.allowed[b]!, u);
      this.memo.set(u, p);
    }
    return p;
  }

  shiftedWin(units: readonly number[], target: number, shift: Float64Array): number {
    return this.argmax(this.shift(units, shift), this.sds, units, target);
  }

  shiftedWins(units: readonly number[], shift: Float64Array): Float64Array {
    const means = this.shift(units, shift);
    return Float64Array.from(units, (u) => this.argmax(means, this.sds, units, u));
  }

  sample(u: number, rng: Rng): number {
    const s = this.sds[u]!;
    if (s === 0) return this.means[u]!;
    const z = normal(rng);
    return this.means[u]! + s * (this.optimistic ? Math.max(0, z) : z);
  }

  private shift(units: readonly number[], shift: Float64Array): Float64Array {
    this.shiftedMeans ??= new Float64Array(this.means.length);
    for (const u of units) this.shiftedMeans[u] = this.means[u]! + shift[u]!;
    return this.shiftedMeans;
  }
}

/**
 * Context-free draws (Beta, Student-t): win probabilities by the panel quadrature where the laws are
 * regular, else by adaptive quadrature for the whole block at once; `cache` keeps them per model revision.
 */
export class ContextFreeLaw implements UnitLaw {
  /** Tolerance of shifted integrals: far below the Monte-Carlo error they enter. */
  private static readonly SHIFTED_TOLERANCE = 1e-8;

  constructor(
    private readonly draws: () => UnitDraws,
    private readonly allowed: readonly (readonly number[])[],
    private readonly cache: Map<number, number>,
  ) {}

  win(b: number, u: number): number {
    const cached = this.cache.get(u);
    if (cached !== undefined) return cached;
    const draws = this.draws();
    const units = this.allowed[b]!;
    if (units.every((v) => draws.regular(v))) {
      const p = posteriorArgmaxProbability(draws, units, u);
      this.cache.set(u, p);
      return p;
    }
    const { probabilities } = winProbabilities(draws, units);
    units.forEach((v, i) => {
      this.cache.set(v, probabilities[i]!);
    });
    return this.cache.get(u)!;
  }

  shiftedWins(units: readonly number[], shift: Float64Array): Float64Array {
    return winProbabilities(this.draws(), units, shift, ContextFreeLaw.SHIFTED_TOLERANCE).probabilities;
  }

  shiftedWin(units: readonly number[], target: number, shift: Float64Array): number {
    const i = units.indexOf(target);
    return winProbabilities(this.draws(), units, shift, ContextFreeLaw.SHIFTED_TOLERANCE, i).probabilities[
      i
    ]!;
  }

  sample(u: number, rng: Rng): number {
    return this.draws().sample(u, rng);
  }
}

/** One estimate and its standard error. */
export interface Estimate {
  value: number;
  error: number;
}

/**
 * Draws of a component's blocks other than b*, their argmax U, which of b*'s units U makes infeasible, and
 * (on demand, once per draw) each such unit's best feasible completion. Scratch space is reused across
 * draws.
 */
class ConditionalDraws {
  readonly others: number[];
  /** Draws by unit (only the other blocks' allowed units are written). */
  readonly theta: Float64Array;
  /** U per block (the b* entry is scratch). */
  readonly argmax: Int32Array;
  readonly starUnits: readonly number[];
  /** Per position in `starUnits`: whether (unit, U_{−b*}) is infeasible. */
  readonly bad: Uint8Array;
  badCount = 0;
  /** Σ of the other blocks' maximum draws. */
  top = 0;
  /** Per position in `starUnits`: its best completion this draw (units per block) and its score. */
  private readonly completion: Int32Array[];
  private readonly completionScore: Float64Array;
  private readonly completedAt: Int32Array;
  private draw = 0;
  private sorted: Int32Array[];
  private sortedAt = -1;
  private readonly units: Int32Array;
  private readonly heap = new PositionHeap();

  constructor(
    readonly component: Component,
    readonly structure: ThompsonStructure,
    readonly law: UnitLaw,
    readonly star: number,
    unitCount: number,
  ) {
    const blocks = structure.allowed.length;
    this.others = component.blocks.filter((b) => b !== star);
    this.theta = new Float64Array(unitCount);
    this.argmax = new Int32Array(blocks);
    this.starUnits = structure.allowed[star]!;
    this.bad = new Uint8Array(this.starUnits.length);
    this.completion = this.starUnits.map(() => new Int32Array(blocks));
    this.completionScore = new Float64Array(this.starUnits.length);
    this.completedAt = new Int32Array(this.starUnits.length).fill(-1);
    this.sorted = this.others.map((b) => Int32Array.from(structure.allowed[b]!));
    this.units = new Int32Array(blocks);
  }

  next(rng: Rng): void {
    this.draw++;
    const { allowed } = this.structure;
    this.top = 0;
    for (const b of this.others) {
      let best = Number.NEGATIVE_INFINITY;
      let arg = -1;
      for (const u of allowed[b]!) {
        const t = this.law.sample(u, rng);
        this.theta[u] = t;
        if (t > best || arg < 0) {
          best = t;
          arg = u;
        }
      }
      this.argmax[b] = arg;
      this.top += best;
    }
    this.badCount = 0;
    for (let i = 0; i < this.starUnits.length; i++) {
      this.argmax[this.star] = this.starUnits[i]!;
      const infeasible = this.component.feasible(this.argmax) ? 0 : 1;
      this.bad[i] = infeasible;
      this.badCount += infeasible;
    }
  }

  /** Whether U_{−b*} is `target`'s units on the other blocks. */
  argmaxIs(target: ArrayLike<number>): boolean {
    for (const b of this.others) if (this.argmax[b] !== target[b]) return false;
    return true;
  }

  /**
   * The best feasible completion of the unit at position i of b*, among the other blocks' allowed units:
   * its units (per block; those of U when U completes it) and the sum of their draws (−∞ when none is
   * feasible). Best-first over the draws in decreasing order, each combination reached from one parent.
   */
  complete(i: number): { units: Int32Array; score: number } {
    const units = this.completion[i]!;
    if (this.completedAt[i] === this.draw) return { units, score: this.completionScore[i]! };
    this.completedAt[i] = this.draw;
    let score: number;
    if (!this.bad[i]) {
      units.set(this.argmax);
      units[this.star] = this.starUnits[i]!;
      score = this.top;
    } else {
      score = this.search(this.starUnits[i]!, units);
    }
    this.completionScore[i] = score;
    return { units, score };
  }

  private search(c: number, out: Int32Array): number {
    if (this.sortedAt !== this.draw) {
      const theta = this.theta;
      for (const list of this.sorted) list.sort((p, q) => theta[q]! - theta[p]! || p - q);
      this.sortedAt = this.draw;
    }
    const sorted = this.sorted;
    const others = this.others;
    const m = others.length;
    const units = this.units;
    units[this.star] = c;
    if (m === 1) {
      // Two blocks: the first feasible unit of the other block in decreasing order of its draw.
      const b = others[0]!;
      for (const u of sorted[0]!) {
        units[b] = u;
        if (this.component.feasible(units)) {
          out.set(units);
          return this.theta[u]!;
        }
      }
      return Number.NEGATIVE_INFINITY;
    }
    const at = (k: number, pos: number): number => this.theta[sorted[k]![pos]!]!;
    const heap = this.heap;
    heap.clear();
    heap.push(this.top, new Int32Array(m), 0);
    for (let visits = 0; heap.size > 0; visits++) {
      if (visits >= COMPLETION_VISITS) throw new CompletionBudgetExceeded();
      const { score, positions, last } = heap.pop();
      for (let k = 0; k < m; k++) units[others[k]!] = sorted[k]![positions[k]!]!;
      if (this.component.feasible(units)) {
        out.set(units);
        return score;
      }
      for (let k = last; k < m; k++) {
        const pos = positions[k]!;
        if (pos + 1 >= sorted[k]!.length) continue;
        const child = Int32Array.from(positions);
        child[k] = pos + 1;
        heap.push(score - at(k, pos) + at(k, pos + 1), child, k);
      }
    }
    return Number.NEGATIVE_INFINITY;
  }

  /**
   * Shifts of b*'s units for the current draws — R(c) − R₀, 0 where U completes c — written into `shift`,
   * and the units that can still be chosen (those with a feasible completion), into `candidates`.
   */
  shifts(shift: Float64Array, candidates: number[]): void {
    candidates.length = 0;
    for (let i = 0; i < this.starUnits.length; i++) {
      const { score } = this.complete(i);
      if (score === Number.NEGATIVE_INFINITY) continue;
      const c = this.starUnits[i]!;
      shift[c] = score - this.top;
      candidates.push(c);
    }
  }
}

/**
 * P(the per-block argmax U of the component's blocks is an infeasible combination) = q, exactly: by
 * inclusion–exclusion over its constraints (each forbids a product of per-block unit sets, and so does every
 * intersection of them), plus its excluded actions (none of them forbidden by a constraint). Undefined
 * beyond 14 constraints (2^14 terms).
 */
export function infeasibleMass(
  component: Component,
  structure: ThompsonStructure,
  law: UnitLaw,
): number | undefined {
  const rules = component.rules;
  if (rules.length > 14) return undefined;
  let q = 0;
  const masks = new Map<number, Uint8Array>();
  for (let subset = 1; subset < 1 << rules.length; subset++) {
    masks.clear();
    let size = 0;
    rules.forEach((rule, r) => {
      if (!(subset & (1 << r))) return;
      size++;
      rule.blocks.forEach((b, i) => {
        const own = masks.get(b);
        if (!own) masks.set(b, Uint8Array.from(rule.match[i]!));
        else for (let c = 0; c < own.length; c++) own[c]! &= rule.match[i]![c]!;
      });
    });
    let p = 1;
    for (const [b, mask] of masks) {
      const offset = component.offset(b);
      let mass = 0;
      for (const u of structure.allowed[b]!) if (mask[u - offset]) mass += law.win(b, u);
      p *= mass;
      if (p === 0) break;
    }
    q += size % 2 === 1 ? p : -p;
  }
  for (const units of component.deniedUnits) {
    let p = 1;
    for (const b of component.blocks) p *= law.win(b, units[b]!);
    q += p;
  }
  return Math.min(1, Math.max(0, q));
}

/** Running sums of one estimate's draws: corrections d, infeasible masses w (self-normalised ratio). */
class RatioSums {
  d = 0;
  dd = 0;
  dw = 0;

  add(d: number, w: number): void {
    this.d += d;
    this.dd += d * d;
    this.dw += d * w;
  }
}

/**
 * The self-normalised estimate P₀ + q·Σd/Σw and its delta-method standard error; the unnormalised
 * P₀ + mean(d) (clamped to [P₀, 1]) when q is unknown; P₀ with error q when no draw bound.
 */
function ratioEstimate(
  exact: number,
  q: number | undefined,
  sums: RatioSums,
  w: number,
  ww: number,
  draws: number,
): Estimate {
  if (q === undefined) {
    const mean = sums.d / draws;
    const variance = draws > 1 ? Math.max(0, (sums.dd - draws * mean * mean) / (draws - 1)) : 0;
    return { value: Math.min(1, exact + mean), error: Math.sqrt(variance / draws) };
  }
  if (w === 0 || q === 0) return { value: exact, error: q };
  const ratio = sums.d / w;
  // Var(R) by the delta method, Σ(d − R·w)²/(Σw)², floored by the Bernoulli variance of a smoothed ratio
  // over the effective number of binding draws (each d/w lies in [0, 1], so R̃(1 − R̃) bounds its
  // variance): with few draws where a constraint moved the choice to a, the sample variance alone can be
  // near 0 by chance. R̃ adds one pseudo-draw at P₀/(1 − q), the share of q that a would get if the
  // constrained mass went to feasible actions in proportion to their unconstrained probabilities.
  const residuals = Math.max(0, sums.dd - 2 * ratio * sums.dw + ratio * ratio * ww);
  const effective = (w * w) / ww;
  const prior = Math.min(1, exact / Math.max(1 - q, Number.MIN_VALUE));
  const smoothed = (sums.d + (prior * ww) / w) / (w + ww / w);
  const variance = Math.max(residuals / (w * w), (smoothed * (1 - smoothed)) / (effective + 1));
  const error = draws > 1 ? q * Math.sqrt(variance) : q;
  return { value: exact + q * ratio, error: Math.min(error, q) };
}

/** Σ over b*'s units that U_{−b*} makes infeasible of P(that unit wins its block unshifted). */
function boundMass(conditional: ConditionalDraws): number {
  let w = 0;
  conditional.starUnits.forEach((c, i) => {
    if (conditional.bad[i]) w += conditional.law.win(conditional.star, c);
  });
  return w;
}

/**
 * Estimates the component's share of P(A = a): `target[b]` is a's unit in each block (global ids). b* is
 * the block where a's unit is least likely to win, so the other blocks' argmax matches a's most often.
 * Draws continue past `draws`, a round of `draws` at a time up to ROUNDS×, while no constraint has bound in any
 * of them or the standard error exceeds a quarter of the estimate (see {@link needsMore}).
 */
export function estimateComponent(
  component: Component,
  structure: ThompsonStructure,
  law: UnitLaw,
  target: Int32Array,
  draws: number,
  rng: Rng,
  unitCount: number,
): Estimate {
  let exact = 1;
  let star = component.blocks[0]!;
  let starWin = Number.POSITIVE_INFINITY;
  for (const b of component.blocks) {
    const w = law.win(b, target[b]!);
    exact *= w;
    if (w < starWin) {
      starWin = w;
      star = b;
    }
  }
  const q = infeasibleMass(component, structure, law);
  const conditional = new ConditionalDraws(component, structure, law, star, unitCount);
  const c = target[star]!;
  const ci = conditional.starUnits.indexOf(c);
  const shift = new Float64Array(unitCount);
  const candidates: number[] = [];
  const sums = new RatioSums();
  let w = 0;
  let ww = 0;
  let m = 0;
  for (; m < draws || (m < ROUNDS * draws && needsMore(m, draws, exact, q, sums, w, ww)); m++) {
    conditional.next(rng);
    if (conditional.badCount === 0) continue; // nothing binds: A = U, d = w = 0
    let d = 0;
    if (!conditional.bad[ci]) {
      // c's best completion is U_{−b*}: both terms need U_{−b*} = a_{−b*}.
      if (conditional.argmaxIs(target)) {
        conditional.shifts(shift, candidates);
        d = law.shiftedWin(candidates, c, shift) - starWin;
      }
    } else if (conditional.complete(ci).score > Number.NEGATIVE_INFINITY) {
      const { units } = conditional.complete(ci);
      let same = true;
      for (const b of conditional.others) if (units[b] !== target[b]) same = false;
      if (same) {
        conditional.shifts(shift, candidates);
        d = law.shiftedWin(candidates, c, shift);
      }
    }
    const bound = boundMass(conditional);
    sums.add(d, bound);
    w += bound;
    ww += bound * bound;
  }
  return ratioEstimate(exact, q, sums, w, ww, m);
}

/**
 * Whether an estimate should take another round of draws (checked every `draws`): while no constraint has
 * bound in any draw, or while its standard error exceeds a quarter of its value (an unlikely action whose
 * estimate rests on a handful of draws that matched it).
 */
function needsMore(
  m: number,
  draws: number,
  exact: number,
  q: number | undefined,
  sums: RatioSums,
  w: number,
  ww: number,
): boolean {
  if (q === 0) return false;
  if (w === 0) return true;
  if (m % draws !== 0) return true;
  const { value, error } = ratioEstimate(exact, q, sums, w, ww, m);
  return error > RELATIVE_ERROR * value;
}

/** Per component assignment (by partial index): the sums of its corrections over the draws. */
export interface ComponentTable {
  /** Exact unconstrained probability of an assignment (given its units per block). */
  exact(units: ArrayLike<number>): number;
  corrections: Map<number, RatioSums>;
  draws: number;
  /** Σ over draws of w, the probability mass U put on infeasible combinations given the draw, and Σ w². */
  infeasibleMass: number;
  infeasibleSquares: number;
  /** The exact E[w] (undefined beyond 14 constraints). */
  q: number | undefined;
}

/**
 * The correction of every assignment of a component at once, with b* its largest block: per draw, every
 * unit c of b* adds P(c wins shifted) to (c, c's best completion) and subtracts P(c wins unshifted) from
 * (c, U_{−b*}) when that is feasible; draws where nothing binds add nothing. With `rounds` above 1, draws
 * continue, `draws` at a time up to `rounds`·`draws`, while some feasible assignment's standard error
 * exceeds a quarter of its estimate (as a single estimate's do: see {@link needsMore}).
 */
export function tabulateComponent(
  component: Component,
  structure: ThompsonStructure,
  law: UnitLaw,
  draws: number,
  rng: Rng,
  unitCount: number,
  rounds = 1,
): ComponentTable {
  let star = component.blocks[0]!;
  for (const b of component.blocks)
    if (structure.allowed[b]!.length > structure.allowed[star]!.length) star = b;
  const conditional = new ConditionalDraws(component, structure, law, star, unitCount);
  const shift = new Float64Array(unitCount);
  const candidates: number[] = [];
  const starUnits = conditional.starUnits;
  const table: ComponentTable = {
    exact: (assignment) => {
      let p = 1;
      for (const b of component.blocks) p *= law.win(b, assignment[b]!);
      return p;
    },
    corrections: new Map(),
    draws: 0,
    infeasibleMass: 0,
    infeasibleSquares: 0,
    q: infeasibleMass(component, structure, law),
  };
  for (let round = 0; round < rounds; round++) {
    if (round > 0 && !tableNeedsMore(table, component, structure)) break;
    for (let m = 0; m < draws; m++) {
      conditional.next(rng);
      if (conditional.badCount === 0) continue;
      conditional.shifts(shift, candidates);
      const shifted = law.shiftedWins(candidates, shift);
      const bound = boundMass(conditional);
      table.infeasibleMass += bound;
      table.infeasibleSquares += bound * bound;
      let k = 0;
      for (let i = 0; i < starUnits.length; i++) {
        const c = starUnits[i]!;
        const { units, score } = conditional.complete(i);
        if (score === Number.NEGATIVE_INFINITY) continue;
        // d = P(c wins shifted) at c's completion, − P(c wins unshifted) at (c, U_{−b*}) when U completes c.
        const d = shifted[k++]! - (conditional.bad[i] ? 0 : law.win(star, c));
        const key = component.partialIndex(units);
        let entry = table.corrections.get(key);
        if (!entry) table.corrections.set(key, (entry = new RatioSums()));
        entry.add(d, bound);
      }
    }
    table.draws += draws;
  }
  return table;
}

/** Whether some feasible assignment's estimate from the table is less precise than {@link needsMore} asks. */
function tableNeedsMore(table: ComponentTable, component: Component, structure: ThompsonStructure): boolean {
  if (table.q === 0) return false;
  if (table.infeasibleMass === 0) return true;
  let more = false;
  forEachAssignment(component, structure.allowed, (units) => {
    if (more) return;
    const { value, error } = tableEstimate(table, component, units);
    more = error > RELATIVE_ERROR * value;
  });
  return more;
}

/** One assignment's self-normalised estimate and standard error, from a table. */
export function tableEstimate(
  table: ComponentTable,
  component: Component,
  units: ArrayLike<number>,
): Estimate {
  const sums = table.corrections.get(component.partialIndex(units)) ?? new RatioSums();
  return ratioEstimate(
    table.exact(units),
    table.q,
    sums,
    table.infeasibleMass,
    table.infeasibleSquares,
    table.draws,
  );
}

/** A binary max-heap of best-first positions. */
class PositionHeap {
  private readonly scores: number[] = [];
  private readonly entries: { positions: Int32Array; last: number }[] = [];

  get size(): number {
    return this.scores.length;
  }

  clear(): void {
    this.scores.length = 0;
    this.entries.length = 0;
  }

  push(score: number, positions: Int32Array, last: number): void {
    let i = this.scores.length;
    this.scores.push(score);
    this.entries.push({ positions, last });
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.scores[parent]! >= score) break;
      this.scores[i] = this.scores[parent]!;
      this.entries[i] = this.entries[parent]!;
      i = parent;
    }
    this.scores[i] = score;
    this.entries[i] = { positions, last };
  }

  pop(): { score: number; positions: Int32Array; last: number } {
    const score = this.scores[0]!;
    const top = this.entries[0]!;
    const lastScore = this.scores.pop()!;
    const lastEntry = this.entries.pop()!;
    const n = this.scores.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const child = r < n && this.scores[r]! > this.scores[l]! ? r : l;
        if (this.scores[child]! <= lastScore) break;
        this.scores[i] = this.scores[child]!;
        this.entries[i] = this.entries[child]!;
        i = child;
      }
      this.scores[i] = lastScore;
      this.entries[i] = lastEntry;
    }
    return { score, positions: top.positions, last: top.last };
  }
}
