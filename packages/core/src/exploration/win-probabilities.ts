// Win probabilities for context-free posteriors whose densities the fixed panel quadrature cannot take:
// Beta shapes below 1 (density unbounded at an end of [0, 1]) or non-integer below 3 (a cusp there),
// Student-t with few degrees of freedom (polynomial tails, no finite sd below 2 dof), and draws shifted by
// different amounts (Rao–Blackwellised estimates under constraints: a shifted Beta's support ends inside the
// range).
//
// P_t = ∫ f_t(x)·Π_{j≠t} F_j(x) dx, by globally adaptive Gauss–Kronrod (7/15) quadrature with an error
// estimate:
// - the range is trimmed to [L, U]: below L, where Π_j F_j ≤ 1e-13, every integrand integrates to at most
//   Π_j F_j(L); above U, where Π_j F_j ≥ 1 − 1e-13, each is f_t up to that factor and its tail is added in
//   closed form, (1 − F_t(U))·Π_{j≠t} F_j(U);
// - a law is saturated above its (1 − 1e-14)-quantile: its CDF counts as 1 and its density as 0 there (so
//   units that cannot win cost nothing);
// - pieces are cut at each law's location, ± 2 and ± 6 widths, and at support ends; pieces touching a support
//   end are mapped x = a + (b − a)·s^p/(s^p + (1 − s)^p) (p from the smallest shape, so x^(a−1) becomes
//   bounded) and evaluated from their exact distance to that end (digits next to 1 are lost in x itself);
//   long outer pieces of unbounded laws are mapped logarithmically (heavy tails);
// - units with identical laws and shifts are integrated once (Π F_j over a group is one power).
import type { UnitDraws } from "./posterior-argmax-probability.js";

/** Kronrod 15-point nodes on [0, 1] (abscissae of [-1, 1] mapped), Kronrod and embedded Gauss weights. */
const XGK = [
  0.9914553711208126, 0.9491079123427585, 0.8648644233597691, 0.7415311855993945, 0.5860872354676911,
  0.4058451513773972, 0.20778495500789848, 0,
];
const WGK = [
  0.022935322010529224, 0.06309209262997856, 0.10479001032225019, 0.14065325971552592, 0.1690047266392679,
  0.19035057806478542, 0.20443294007529889, 0.20948214108472782,
];
/** Gauss 7-point weights, for the Kronrod nodes of odd index (1, 3, 5, 7). */
const WG = [0.1294849661688697, 0.2797053914892767, 0.3818300505051189, 0.4179591836734694];
const NODES: number[] = [];
const KRONROD: number[] = [];
const GAUSS: number[] = [];
for (let i = 0; i < 15; i++) {
  const k = i < 7 ? i : i === 7 ? 7 : 14 - i;
  const x = i < 7 ? -XGK[i]! : i === 7 ? 0 : XGK[14 - i]!;
  NODES.push(0.5 * (x + 1));
  KRONROD.push(0.5 * WGK[k]!);
  GAUSS.push(k % 2 === 1 ? 0.5 * WG[(k - 1) / 2]! : 0);
}

/** Mass left below the trimmed range (a bound for every unit), and Π F_j above it (1 minus this). */
const TRIM = 1e-13;
/** A law's CDF counts as 1 (its density as 0) above its (1 − SATURATION)-quantile. */
const SATURATION = 1e-14;
/** Cut offsets, in widths, around each law's location: 0 always kept, the others merged when crowded. */
const CUT_OFFSETS = [-6, -2, 2, 6];
/** A piece of an unbounded law longer than this many widths of its nearest law is mapped logarithmically. */
const LONG_PIECE = 24;
/** Most subintervals the adaptive loop keeps before it stops refining (the error is then reported). */
const MAX_INTERVALS = 4000;
const BISECTIONS = 80;

export interface WinProbabilities {
  /** P(unit units[i] draws the largest shifted score), aligned with `units` (0 for units not computed). */
  probabilities: Float64Array;
  /** Estimated absolute error of the sum of the computed probabilities (quadrature plus trimming). */
  error: number;
}

interface Group {
  unit: number;
  count: number;
  shift: number;
  location: number;
  width: number;
  lowerEnd: number;
  upperEnd: number;
  /** Above this point the law is saturated (CDF 1, density 0). */
  saturated: number;
}

/** One stretch [a, b] of x and how it is mapped from s ∈ [0, 1]. */
interface Piece {
  a: number;
  b: number;
  /** 0: linear; 1: both ends graded (x − a ~ s^p); 2: logarithmic from a; 3: logarithmic from b. */
  map: number;
  /** Width scale of the logarithmic maps. */
  scale: number;
}

interface Interval {
  piece: Piece;
  lo: number;
  hi: number;
  /** Integral over this interval, per target. */
  value: Float64Array;
  error: number;
}

/**
 * P(unit t's draw + shift[t] exceeds every other unit's draw + shift) for every t in `units` (or only for
 * units[only]), draws independent with the laws of `draws`. Estimated absolute error within `tolerance`.
 */
export function winProbabilities(
  draws: UnitDraws,
  units: readonly number[],
  shift?: Float64Array,
  tolerance = 1e-9,
  only?: number,
): WinProbabilities {
  const out = new Float64Array(units.length);
  if (units.length === 1) {
    out[0] = 1;
    return { probabilities: out, error: 0 };
  }
  const bounded = Number.isFinite(draws.lower) && Number.isFinite(draws.upper);
  const groups: Group[] = [];
  const byKey = new Map<string, number>();
  const groupOf = units.map((u) => {
    const s = shift ? shift[u]! : 0;
    const key = `${draws.key(u)}@${s}`;
    let g = byKey.get(key);
    if (g === undefined) {
      g = groups.length;
      byKey.set(key, g);
      groups.push({
        unit: u,
        count: 0,
        shift: s,
        location: draws.mean[u]! + s,
        width: draws.width[u]!,
        lowerEnd: draws.lower + s,
        upperEnd: draws.upper + s,
        saturated: Number.POSITIVE_INFINITY,
      });
    }
    groups[g]!.count++;
    return g;
  });
  const G = groups.length;
  if (G === 1) {
    out.fill(1 / units.length);
    return { probabilities: out, error: 0 };
  }
  const cdfOf = (g: Group, x: number): number => draws.cdf(g.unit, x - g.shift);
  const logProduct = (x: number): number => {
    let s = 0;
    for (const g of groups) s += g.count * Math.log(cdfOf(g, x));
    return s;
  };

  // The trimmed range [L, U].
  let widest = 0;
  let top = Number.NEGATIVE_INFINITY;
  for (const g of groups) {
    widest = Math.max(widest, g.width);
    top = Math.max(top, g.location);
  }
  let below: number;
  let above: number;
  if (bounded) {
    below = Math.max(...groups.map((g) => g.lowerEnd));
    above = Math.max(...groups.map((g) => g.upperEnd));
  } else {
    below = top - widest;
    for (let k = 0; logProduct(below) > Math.log(TRIM) && k < 200; k++) below = top - widest * 2 ** (k + 1);
    above = top + widest;
    for (let k = 0; logProduct(above) < Math.log1p(-TRIM) && k < 200; k++)
      above = top + widest * 2 ** (k + 1);
  }
  const L = bisect(below, above, (x) => logProduct(x) <= Math.log(TRIM), true);
  const U = bisect(below, above, (x) => logProduct(x) >= Math.log1p(-TRIM), false);
  for (const g of groups) {
    const hi = Math.min(U, g.upperEnd);
    if (cdfOf(g, hi) < 1 - SATURATION) continue; // not saturated within the range
    const point = bisect(L, hi, (x) => cdfOf(g, x) >= 1 - SATURATION, false);
    // A law whose mass piles up against its upper end (shape < 1) saturates within digits of it: there the
    // exact-distance evaluation, not saturation, must take over.
    if (!(bounded && g.upperEnd - point < 1e-3 * (draws.upper - draws.lower))) g.saturated = point;
  }
  const targets: number[] = [];
  if (only !== undefined) targets.push(groupOf[only]!);
  else for (let g = 0; g < G; g++) if (groups[g]!.saturated > L) targets.push(g);
  if (targets.length === 0 || !(U > L)) return { probabilities: out, error: TRIM };

  // Cuts and pieces.
  const from = L;
  let to = U;
  if (only !== undefined) {
    // One target: its own density is negligible above its saturation point.
    to = Math.min(U, groups[targets[0]!]!.saturated);
    if (!(to > from)) return { probabilities: out, error: TRIM };
  }
  const ends = new Set<number>();
  if (bounded) {
    for (const g of groups) {
      if (g.lowerEnd >= from && g.lowerEnd <= to) ends.add(g.lowerEnd);
      if (g.upperEnd >= from && g.upperEnd <= to) ends.add(g.upperEnd);
    }
  }
  const candidates: { x: number; width: number; anchor: boolean }[] = [
    { x: from, width: 0, anchor: true },
    { x: to, width: 0, anchor: true },
  ];
  for (const e of ends) candidates.push({ x: e, width: 0, anchor: true });
  for (const g of groups) {
    if (g.saturated <= from) continue;
    candidates.push({ x: g.location, width: g.width, anchor: true });
    for (const k of CUT_OFFSETS)
      candidates.push({ x: g.location + k * g.width, width: g.width, anchor: false });
  }
  const inside = candidates.filter((c) => c.x >= from && c.x <= to).sort((p, q) => p.x - q.x);
  const points: { x: number; width: number }[] = [];
  for (const c of inside) {
    const last = points[points.length - 1];
    const isEnd = c.x === from || c.x === to || ends.has(c.x);
    if (!last) {
      points.push(c);
      continue;
    }
    const gap = c.x - last.x;
    const lastIsEnd = last.x === from || ends.has(last.x);
    // Ends are kept exactly; other cuts closer than a fraction of the narrower law's width (or than the
    // digits of x) are merged.
    const crowded =
      gap <= 1e-13 * Math.max(Math.abs(c.x), Math.abs(last.x)) ||
      gap < (c.anchor ? 0.1 : 0.5) * Math.min(c.width, last.width || c.width);
    if (!crowded) points.push(c);
    else if (isEnd && !lastIsEnd) points[points.length - 1] = c;
    else if (isEnd && gap > 0) points.push(c);
  }
  const pieces: Piece[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i]!.x;
    const b = points[i + 1]!.x;
    if (!(b > a)) continue;
    let map = 0;
    let scale = 0;
    if (bounded && (ends.has(a) || ends.has(b))) map = 1;
    else if (!bounded) {
      const near = (x: number) =>
        Math.min(...groups.map((g) => (Math.abs(x - g.location) <= 6 * g.width ? g.width : widest)));
      if (i + 2 === points.length && b - a > LONG_PIECE * near(a)) {
        map = 2;
        scale = near(a);
      } else if (i === 0 && b - a > LONG_PIECE * near(b)) {
        map = 3;
        scale = near(b);
      }
    }
    pieces.push({ a, b, map, scale });
  }
  const power = Math.min(16, Math.max(2, Math.ceil(2 / draws.exponent)));

  // The integrand of each target, evaluated for all of them at once.
  const T = targets.length;
  const isTarget = new Int32Array(G).fill(-1);
  targets.forEach((g, i) => {
    isTarget[g] = i;
  });
  const split = bounded && draws.pdfSplit !== undefined && draws.cdfSplit !== undefined;
  const cdf = new Float64Array(G);
  const pdf = new Float64Array(G);
  const powered = new Float64Array(G);
  const prefix = new Float64Array(G + 1);
  const suffix = new Float64Array(G + 1);
  const integrand = new Float64Array(T);
  /**
   * Fills `integrand` with each target group's f_g·F_g^(n_g−1)·Π_{g'≠g} F_g'^(n_g') at x, times the
   * Jacobian. x is `fromA` above the piece's start and `toB` under its end, both exact: a law whose support
   * ends there is evaluated from that distance.
   */
  const evaluate = (piece: Piece, x: number, fromA: number, toB: number, jacobian: number): void => {
    for (let g = 0; g < G; g++) {
      const group = groups[g]!;
      if (x >= group.saturated) {
        cdf[g] = 1;
        pdf[g] = 0;
        powered[g] = 1;
        continue;
      }
      let F: number;
      if (split) {
        const fromLower = piece.a === group.lowerEnd ? fromA : x - group.lowerEnd;
        const fromUpper = piece.b === group.upperEnd ? toB : group.upperEnd - x;
        F = draws.cdfSplit!(group.unit, fromLower, fromUpper);
        pdf[g] = isTarget[g]! >= 0 ? draws.pdfSplit!(group.unit, fromLower, fromUpper) : 0;
      } else {
        F = draws.cdf(group.unit, x - group.shift);
        pdf[g] = isTarget[g]! >= 0 ? draws.pdf(group.unit, x - group.shift) : 0;
      }
      cdf[g] = F;
      powered[g] = group.count === 1 ? F : F ** group.count;
    }
    prefix[0] = 1;
    for (let g = 0; g < G; g++) prefix[g + 1] = prefix[g]! * powered[g]!;
    suffix[G] = 1;
    for (let g = G - 1; g >= 0; g--) suffix[g] = suffix[g + 1]! * powered[g]!;
    for (let i = 0; i < T; i++) {
      const g = targets[i]!;
      const count = groups[g]!.count;
      const own = count === 1 ? 1 : cdf[g]! ** (count - 1);
      const value = pdf[g]! * own * prefix[g]! * suffix[g + 1]! * jacobian;
      integrand[i] = Number.isFinite(value) ? value : 0;
    }
  };
  const kronrod = new Float64Array(T);
  const gauss = new Float64Array(T);
  const point = new Float64Array(4);
  const integrate = (piece: Piece, lo: number, hi: number): Interval => {
    kronrod.fill(0);
    gauss.fill(0);
    const h = hi - lo;
    for (let i = 0; i < 15; i++) {
      mapped(piece, lo + h * NODES[i]!, power, point);
      evaluate(piece, point[0]!, point[2]!, point[3]!, point[1]! * h);
      for (let t = 0; t < T; t++) {
        kronrod[t]! += KRONROD[i]! * integrand[t]!;
        gauss[t]! += GAUSS[i]! * integrand[t]!;
      }
    }
    let error = 0;
    for (let t = 0; t < T; t++) error += groups[targets[t]!]!.count * Math.abs(kronrod[t]! - gauss[t]!);
    return { piece, lo, hi, value: Float64Array.from(kronrod), error };
  };

  const intervals: Interval[] = pieces.map((p) => integrate(p, 0, 1));
  let totalError = intervals.reduce((t, i) => t + i.error, 0);
  while (totalError > tolerance && intervals.length < MAX_INTERVALS) {
    let worst = 0;
    for (let i = 1; i < intervals.length; i++) if (intervals[i]!.error > intervals[worst]!.error) worst = i;
    const w = intervals[worst]!;
    const mid = 0.5 * (w.lo + w.hi);
    if (mid <= w.lo || mid >= w.hi) break; // no room left to bisect
    const left = integrate(w.piece, w.lo, mid);
    const right = integrate(w.piece, mid, w.hi);
    intervals[worst] = left;
    intervals.push(right);
    totalError += left.error + right.error - w.error;
  }
  const total = new Float64Array(T);
  totalError = 0;
  for (const i of intervals) {
    for (let t = 0; t < T; t++) total[t]! += i.value[t]!;
    totalError += i.error;
  }
  // Above U every rival's CDF is within 1e-13 of 1: the target's own tail, in closed form.
  if (to === U && !(bounded && U >= Math.max(...groups.map((g) => g.upperEnd)))) {
    const atU = groups.map((g) => (U >= g.saturated ? 1 : cdfOf(g, U)));
    targets.forEach((g, t) => {
      let rivals = atU[g]! ** (groups[g]!.count - 1);
      for (let h = 0; h < G; h++) if (h !== g) rivals *= atU[h]! ** groups[h]!.count;
      total[t]! += (1 - atU[g]!) * rivals;
    });
  }
  units.forEach((_, i) => {
    const t = isTarget[groupOf[i]!]!;
    if (t >= 0 && (only === undefined || i === only)) out[i] = Math.min(1, Math.max(0, total[t]!));
  });
  return { probabilities: out, error: totalError + TRIM * T };
}

/**
 * The boundary of a monotone predicate on [a, b] by bisection: the largest x where it holds (`last`, for a
 * predicate true up to a point) or the smallest (a predicate true from a point on).
 */
function bisect(a: number, b: number, holds: (x: number) => boolean, last: boolean): number {
  let lo = a;
  let hi = b;
  if (last) {
    if (!holds(lo)) return lo;
    if (holds(hi)) return hi;
  } else {
    if (holds(lo)) return lo;
    if (!holds(hi)) return hi;
  }
  for (let k = 0; k < BISECTIONS; k++) {
    const mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    if (holds(mid) === last) lo = mid;
    else hi = mid;
  }
  return last ? lo : hi;
}

/** x(s), dx/ds, and x's exact distances from the piece's start and end, for s ∈ [0, 1], into `out`. */
function mapped(piece: Piece, s: number, power: number, out: Float64Array): void {
  const { a, b, map } = piece;
  const length = b - a;
  if (map === 0) {
    out[0] = a + length * s;
    out[1] = length;
    out[2] = length * s;
    out[3] = length * (1 - s);
  } else if (map === 1) {
    // φ(s) = s^p / (s^p + (1 − s)^p): flat at both ends (φ ~ s^p near 0, 1 − (1 − s)^p near 1).
    const u = s ** power;
    const v = (1 - s) ** power;
    const d = u + v;
    out[2] = length * (u / d);
    out[3] = length * (v / d);
    out[0] = a + out[2]!;
    out[1] = (length * power * (s ** (power - 1) * v + u * (1 - s) ** (power - 1))) / (d * d);
  } else {
    // Logarithmic: distance w·(e^(σs) − 1) from the anchored end, σ = ln(1 + length/w).
    const w = piece.scale;
    const sigma = Math.log1p(length / w);
    const reach = Math.min(length, w * Math.expm1(sigma * s));
    out[1] = w * sigma * Math.exp(sigma * s);
    if (map === 2) {
      out[0] = a + reach;
      out[2] = reach;
      out[3] = length - reach;
    } else {
      out[0] = b - reach;
      out[2] = length - reach;
      out[3] = reach;
    }
  }
}
