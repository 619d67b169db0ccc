// Probabilities that one independent Gaussian draw is the largest of several: the propensity of Thompson
// sampling when each unit's sampled score is an independent normal (linear models) and blocks do not
// interact (no constraints across them), computed by numerical integration instead of Monte Carlo.

import { normalCdf, normalCdfFast } from "./normal-cdf.js";

/** Width of a quadrature panel, in standard deviations of the narrowest draw that matters on a stretch. */
const PANEL = 2.5;
/** Five-point Gauss–Legendre nodes and weights on [-1, 1]: exact for polynomials up to degree 9. */
const NODES = [-0.906179845938664, -0.5384693101056831, 0, 0.5384693101056831, 0.906179845938664];
const WEIGHTS = [
  0.2369268850561891, 0.4786286704993665, 0.5688888888888889, 0.4786286704993665, 0.2369268850561891,
];
/** Half-width, in standard deviations, beyond which a density is treated as 0 and a CDF as 0 or 1 (e^-24.5). */
const SPAN = 7;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

// Scratch space reused across calls (decisions are synchronous): the rivals that matter for one integral.
let rivalMean = new Float64Array(64);
let rivalInvSd = new Float64Array(64);
let rivalTop = new Float64Array(64);

function ensureScratch(n: number): void {
  if (rivalMean.length >= n) return;
  const size = Math.max(n, rivalMean.length * 2);
  rivalMean = new Float64Array(size);
  rivalInvSd = new Float64Array(size);
  rivalTop = new Float64Array(size);
}

/**
 * P(draw of `target` > draws of every other unit in `units`), draws independent N(means[u], sds[u]²):
 * ∫ φ_t(s)·Π_j Φ_j(s) ds.
 *
 * Only rivals whose support reaches into the integration range take part (the others' Φ is 1 there), and a
 * rival's factor is skipped at points above its support. The range is cut where each rival narrower than
 * the target starts and stops changing (its mean ± 7 sd; a rival with zero width cuts at its mean). No panel
 * is wider than 2.5 sd of the narrowest unit active anywhere under it, and none straddles a step; each is
 * integrated by five-point Gauss–Legendre, so every factor is resolved however narrow it is. Measured
 * against brute-force integration on 300 random cases of 2–41 units with widths up to 200-fold apart:
 * error ≤ 1e-5 per probability, and the probabilities of all units sum to 1 within 2e-5.
 */
export function argmaxProbability(
  means: Float64Array,
  sds: Float64Array,
  units: readonly number[],
  target: number,
): number {
  const mt = means[target]!;
  const st = sds[target]!;
  if (st === 0) {
    let p = 1;
    for (const j of units) if (j !== target) p *= beats(mt, means[j]!, sds[j]!);
    return p;
  }
  const layout = integrationLayout(means, sds, units, target, SPAN);
  if (!layout) return 0;
  const rivals = layout.rivals.length;
  ensureScratch(rivals);
  layout.rivals.forEach((j, r) => {
    rivalMean[r] = means[j]!;
    rivalInvSd[r] = sds[j] === 0 ? Number.POSITIVE_INFINITY : 1 / sds[j]!;
    rivalTop[r] = means[j]! + SPAN * sds[j]!;
  });
  return Math.min(
    1,
    panelIntegral(layout, (x) => integrand(x, mt, st, rivals)),
  );
}

/** Where one argmax integral looks, and how finely. */
export interface IntegrationLayout {
  /** The other units whose draws can still beat the target somewhere in the range. */
  rivals: number[];
  /** Sorted piece boundaries, from the range's start to its end. */
  cuts: number[];
  /** The step each piece [cuts[i], cuts[i+1]] needs. */
  step: Float64Array;
  /** Boundaries where the integrand steps (zero-width rivals): no panel straddles them. */
  hard: ReadonlySet<number>;
}

/**
 * The range of ∫ f_t·Π F_j for independent draws with these means and sds, each treated as living within
 * mean ± `span` sds (and within [lower, upper]), or undefined when the range is empty (probability 0).
 * Below every rival's support the product is 0; above the target's its density is 0. Rivals whose support
 * ends below the range do not take part (their CDF is 1 there). The range is cut where each rival narrower
 * than the target starts and stops changing, and at zero-width rivals' means.
 */
export function integrationLayout(
  mean: Float64Array,
  sd: Float64Array,
  units: readonly number[],
  target: number,
  span: number,
  lower = Number.NEGATIVE_INFINITY,
  upper = Number.POSITIVE_INFINITY,
): IntegrationLayout | undefined {
  const st = sd[target]!;
  let lo = Math.max(lower, mean[target]! - span * st);
  const hi = Math.min(upper, mean[target]! + span * st);
  for (const j of units) if (j !== target) lo = Math.max(lo, mean[j]! - span * sd[j]!);
  if (lo >= hi) return undefined;
  const rivals: number[] = [];
  const narrow: number[] = [];
  const hard = new Set<number>();
  const cuts = [lo, hi];
  for (const j of units) {
    const m = mean[j]!;
    const s = sd[j]!;
    if (j === target || m + span * s <= lo) continue;
    rivals.push(j);
    if (s === 0) {
      if (m > lo && m < hi) hard.add(m);
    } else if (s < st) {
      narrow.push(j);
      if (m - span * s > lo) cuts.push(m - span * s);
      if (m + span * s < hi) cuts.push(m + span * s);
    }
  }
  for (const m of hard) cuts.push(m);
  cuts.sort((a, b) => a - b);
  return { rivals, cuts, hard, step: resolutionOf(cuts, narrow, mean, sd, st, span) };
}

/**
 * ∫ f over a layout's range by five-point Gauss–Legendre panels. Consecutive pieces share a panel while
 * it stays within `panel` steps of the finest of them (so hundreds of rivals do not force a panel each); a
 * longer stretch gets as many panels as it needs; no panel straddles a `hard` point (a step in f).
 */
export function panelIntegral(layout: IntegrationLayout, f: (x: number) => number, panel = PANEL): number {
  const { cuts, step, hard } = layout;
  let total = 0;
  for (let i = 0; i + 1 < cuts.length; ) {
    const a = cuts[i]!;
    let finest = step[i]!;
    let j = i + 1;
    while (
      j + 1 < cuts.length &&
      !hard.has(cuts[j]!) &&
      cuts[j + 1]! - a <= panel * Math.min(finest, step[j]!)
    ) {
      finest = Math.min(finest, step[j]!);
      j++;
    }
    const b = cuts[j]!;
    i = j;
    if (b <= a) continue;
    const panels = Math.ceil((b - a) / (finest * panel));
    const h = (b - a) / panels;
    let piece = 0;
    for (let k = 0; k < panels; k++) {
      const centre = a + (k + 0.5) * h;
      for (let g = 0; g < NODES.length; g++) piece += WEIGHTS[g]! * f(centre + 0.5 * h * NODES[g]!);
    }
    total += 0.5 * h * piece;
  }
  return total;
}

/**
 * The step each elementary piece [cuts[i], cuts[i+1]] needs: the width of the narrowest rival whose support
 * (mean ± span widths) covers it, or the target's. Rivals are painted narrowest first, each piece once (a
 * skip list finds the next unpainted piece), so this is O(n log n) rather than O(pieces · rivals).
 */
function resolutionOf(
  cuts: readonly number[],
  narrow: number[],
  means: Float64Array,
  sds: Float64Array,
  st: number,
  span: number,
): Float64Array {
  const pieces = cuts.length - 1;
  const step = new Float64Array(pieces).fill(st);
  const next = Int32Array.from({ length: pieces + 1 }, (_, i) => i);
  const unpainted = (i: number): number => {
    while (next[i] !== i) {
      next[i] = next[next[i]!]!;
      i = next[i]!;
    }
    return i;
  };
  narrow.sort((a, b) => sds[a]! - sds[b]!);
  for (const j of narrow) {
    const s = sds[j]!;
    const from = firstAtLeast(cuts, means[j]! - span * s);
    const to = firstAtLeast(cuts, means[j]! + span * s);
    for (let i = unpainted(from); i < Math.min(to, pieces); i = unpainted(i + 1)) {
      step[i] = s;
      next[i] = i + 1;
    }
  }
  return step;
}

/** Index of the first element ≥ x in a sorted array (its length when there is none). */
function firstAtLeast(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** φ_t(x)·Π Φ_r(x) over the first `rivals` entries of the scratch arrays. */
function integrand(x: number, mt: number, st: number, rivals: number): number {
  const z = (x - mt) / st;
  let f = Math.exp(-0.5 * z * z) * (INV_SQRT_2PI / st);
  for (let r = 0; r < rivals && f !== 0; r++) {
    if (x >= rivalTop[r]!) continue; // Φ = 1 above the rival's support
    const inv = rivalInvSd[r]!;
    f *=
      inv === Number.POSITIVE_INFINITY
        ? x > rivalMean[r]!
          ? 1
          : 0
        : normalCdfFast((x - rivalMean[r]!) * inv);
  }
  return f;
}

/** P(value s exceeds a draw from N(mean, sd²)). */
function beats(s: number, mean: number, sd: number): number {
  if (sd === 0) return s > mean ? 1 : 0;
  return normalCdf((s - mean) / sd);
}
