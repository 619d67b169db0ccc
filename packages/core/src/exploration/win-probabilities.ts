// Win probabilities of every unit of a block at once, for context-free posteriors whose densities the fixed
// panel quadrature cannot take: Beta shapes below 1 (density unbounded at an end of [0, 1]), Student-t with
// few degrees of freedom (polynomial tails, no finite sd below 2 dof), and draws shifted by different amounts
// (Rao–Blackwellised estimates under constraints: a shifted Beta's support ends inside the range).
//
// P_t = ∫ f_t(x)·Π_{j≠t} F_j(x) dx for every unit t, by globally adaptive Gauss–Kronrod (7/15) quadrature
// with an error estimate, on pieces cut where each distinct law changes (location ± 2 and ± 6 widths, support
// ends); pieces touching a support end are mapped x = a + (b − a)·s^p/(s^p + (1 − s)^p) and infinite tails
// x = c ± w·(s/(1 − s))^k, with p and k chosen from the smallest shape or dof so that the mapped integrand is
// bounded. Units with identical laws (and shifts) are integrated once: Π F_j over a group is one power.

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

/** Cut offsets, in widths, around each distinct law's location. */
const CUT_OFFSETS = [-6, -2, 0, 2, 6];
/** Most subintervals the adaptive loop keeps before it gives up refining (the error is then reported). */
const MAX_INTERVALS = 3000;

export interface WinProbabilities {
  /** P(unit units[i] draws the largest shifted score), aligned with `units`. */
  probabilities: Float64Array;
  /** Estimated absolute quadrature error of the sum of all the probabilities (an upper estimate). */
  error: number;
}

interface Group {
  unit: number;
  count: number;
  shift: number;
}

/** One stretch [a, b] of x and how it is mapped from s ∈ [0, 1]. */
interface Piece {
  a: number;
  b: number;
  /** 0: linear; 1: both ends graded (x − a ~ s^p); 2: tail to +∞ from a; 3: tail to −∞ from b. */
  map: number;
}

interface Interval {
  piece: Piece;
  lo: number;
  hi: number;
  /** Integral over this interval, per group. */
  value: Float64Array;
  error: number;
}

/**
 * P(unit t's draw + shift[t] exceeds every other unit's draw + shift) for every t in `units`, draws
 * independent with the laws of `draws`. Absolute error of the whole set within `tolerance` (estimated).
 */
export function winProbabilities(
  draws: UnitDraws,
  units: readonly number[],
  shift?: Float64Array,
  tolerance = 1e-9,
): WinProbabilities {
  const out = new Float64Array(units.length);
  if (units.length === 1) {
    out[0] = 1;
    return { probabilities: out, error: 0 };
  }
  const groups: Group[] = [];
  const byKey = new Map<string, number>();
  const groupOf = units.map((u) => {
    const s = shift ? shift[u]! : 0;
    const key = `${draws.key(u)}@${s}`;
    let g = byKey.get(key);
    if (g === undefined) {
      g = groups.length;
      byKey.set(key, g);
      groups.push({ unit: u, count: 0, shift: s });
    }
    groups[g]!.count++;
    return g;
  });
  if (groups.length === 1) {
    out.fill(1 / units.length);
    return { probabilities: out, error: 0 };
  }
  const bounded = Number.isFinite(draws.lower) && Number.isFinite(draws.upper);
  // The integrand of every unit is 0 below the highest lower support end (every rival's CDF is 0 below its
  // own) and above the highest upper end (every density is 0).
  let lo = Number.NEGATIVE_INFINITY;
  let hi = Number.POSITIVE_INFINITY;
  if (bounded) {
    lo = Math.max(...groups.map((g) => draws.lower + g.shift));
    hi = Math.max(...groups.map((g) => draws.upper + g.shift));
  }
  const cuts: number[] = [];
  const ends = new Set<number>();
  let widest = 0;
  for (const g of groups) {
    const m = draws.mean[g.unit]! + g.shift;
    const w = draws.width[g.unit]!;
    widest = Math.max(widest, w);
    for (const k of CUT_OFFSETS) cuts.push(m + k * w);
    if (bounded) {
      ends.add(draws.lower + g.shift);
      ends.add(draws.upper + g.shift);
    }
  }
  for (const e of ends) cuts.push(e);
  const inside = cuts.filter((c) => c >= lo && c <= hi && Number.isFinite(c)).sort((a, b) => a - b);
  if (bounded) {
    inside.unshift(lo);
    inside.push(hi);
  }
  const points: number[] = [];
  const span = inside[inside.length - 1]! - inside[0]!;
  for (const c of inside)
    if (points.length === 0 || c - points[points.length - 1]! > 1e-12 * span) points.push(c);
  if (points.length < 2 && bounded) return { probabilities: out, error: 0 };
  const pieces: Piece[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i]!;
    const b = points[i + 1]!;
    pieces.push({ a, b, map: bounded && (ends.has(a) || ends.has(b)) ? 1 : 0 });
  }
  if (!bounded) {
    pieces.unshift({ a: Number.NEGATIVE_INFINITY, b: points[0]!, map: 3 });
    pieces.push({ a: points[points.length - 1]!, b: Number.POSITIVE_INFINITY, map: 2 });
  }
  // Exponents of the maps: s^p at a graded end turns x^(a−1) into s^(p·a−1) ds; a tail (s/(1−s))^k turns
  // |x|^−(ν+1) dx into (1−s)^(k·ν−1) ds. Both bounded and smooth enough once p·a, k·ν ≥ 2.
  const power = Math.min(12, Math.max(2, Math.ceil(2 / draws.exponent)));
  const tailPower = Math.min(12, Math.max(1, Math.ceil(2 / draws.exponent)));
  const tailWidth = widest > 0 ? widest : 1;

  const G = groups.length;
  const cdf = new Float64Array(G);
  const pdf = new Float64Array(G);
  const powered = new Float64Array(G);
  const prefix = new Float64Array(G + 1);
  const suffix = new Float64Array(G + 1);
  const integrand = new Float64Array(G);
  /** Fills `integrand` with each group's f_g·F_g^(n_g−1)·Π_{g'≠g} F_g'^(n_g') at x, times the Jacobian. */
  const evaluate = (x: number, jacobian: number): void => {
    for (let g = 0; g < G; g++) {
      const { unit, shift: s, count } = groups[g]!;
      const F = draws.cdf(unit, x - s);
      cdf[g] = F;
      pdf[g] = draws.pdf(unit, x - s);
      powered[g] = count === 1 ? F : F ** count;
    }
    prefix[0] = 1;
    for (let g = 0; g < G; g++) prefix[g + 1] = prefix[g]! * powered[g]!;
    suffix[G] = 1;
    for (let g = G - 1; g >= 0; g--) suffix[g] = suffix[g + 1]! * powered[g]!;
    for (let g = 0; g < G; g++) {
      const count = groups[g]!.count;
      const own = count === 1 ? 1 : cdf[g]! ** (count - 1);
      const value = pdf[g]! * own * prefix[g]! * suffix[g + 1]! * jacobian;
      integrand[g] = Number.isFinite(value) ? value : 0;
    }
  };
  const kronrod = new Float64Array(G);
  const gauss = new Float64Array(G);
  const integrate = (piece: Piece, lo: number, hi: number): Interval => {
    kronrod.fill(0);
    gauss.fill(0);
    const h = hi - lo;
    for (let i = 0; i < 15; i++) {
      const s = lo + h * NODES[i]!;
      const [x, dx] = mapped(piece, s, power, tailPower, tailWidth);
      evaluate(x, dx * h);
      for (let g = 0; g < G; g++) {
        kronrod[g]! += KRONROD[i]! * integrand[g]!;
        gauss[g]! += GAUSS[i]! * integrand[g]!;
      }
    }
    let error = 0;
    for (let g = 0; g < G; g++) error += groups[g]!.count * Math.abs(kronrod[g]! - gauss[g]!);
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
  const total = new Float64Array(G);
  totalError = 0;
  for (const i of intervals) {
    for (let g = 0; g < G; g++) total[g]! += i.value[g]!;
    totalError += i.error;
  }
  units.forEach((_, i) => {
    out[i] = Math.min(1, Math.max(0, total[groupOf[i]!]!));
  });
  return { probabilities: out, error: totalError };
}

/** x(s) and dx/ds for s ∈ [0, 1] on a piece. */
function mapped(piece: Piece, s: number, power: number, tailPower: number, width: number): [number, number] {
  const { a, b, map } = piece;
  if (map === 0) return [a + (b - a) * s, b - a];
  if (map === 1) {
    // φ(s) = s^p / (s^p + (1 − s)^p): flat at both ends (φ ~ s^p near 0, 1 − (1 − s)^p near 1).
    const u = s ** power;
    const v = (1 - s) ** power;
    const d = u + v;
    const phi = u / d;
    const dphi = (power * (s ** (power - 1) * v + u * (1 - s) ** (power - 1))) / (d * d);
    return [a + (b - a) * phi, (b - a) * dphi];
  }
  // Tails: r = s/(1 − s), x = c ± w·r^k, dx/ds = w·k·r^(k−1)/(1 − s)².
  const r = s / (1 - s);
  const dx = (width * tailPower * r ** (tailPower - 1)) / ((1 - s) * (1 - s));
  return map === 2 ? [a + width * r ** tailPower, dx] : [b - width * r ** tailPower, dx];
}
