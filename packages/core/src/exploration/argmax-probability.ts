// Probabilities that one independent Gaussian draw is the largest of several: the propensity of Thompson
// sampling when each unit's sampled score is an independent normal (linear models) and blocks do not
// interact (no constraints across them), computed by numerical integration instead of Monte Carlo.

/** Grid points per unit, spread over ±8 standard deviations of its draw. */
const POINTS_PER_UNIT = 41;
const SPAN = 8;

/**
 * P(draw of `target` > draws of every other unit in `units`), draws independent N(means[u], sds[u]²):
 * ∫ φ_t(s)·Π_j Φ_j(s) ds by Simpson's rule on a grid that merges points every 0.4 standard deviation of
 * the target and of every narrower unit, so each factor's transition is resolved however narrow it is. Measured error of the
 * probabilities of n ≤ 11 units summed: ≤ 1e-3, standard deviations up to 400-fold apart.
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
  // Below every other unit's support the product is 0; above the target's support its density is 0.
  let lo = mt - SPAN * st;
  const hi = mt + SPAN * st;
  for (const j of units) if (j !== target) lo = Math.max(lo, means[j]! - SPAN * sds[j]!);
  if (lo >= hi) return 0;
  const grid: number[] = [lo, hi];
  for (const u of units) {
    // A factor wider than the target's density is smooth on the target's grid: only narrower ones add points.
    if (u !== target && sds[u]! >= st) continue;
    const step = (2 * SPAN * sds[u]!) / (POINTS_PER_UNIT - 1);
    for (let k = 0; k < POINTS_PER_UNIT; k++) {
      const s = means[u]! - SPAN * sds[u]! + k * step;
      if (s > lo && s < hi) grid.push(s);
    }
  }
  grid.sort((a, b) => a - b);
  const xs: number[] = [];
  const fs: number[] = [];
  for (const s of grid) {
    if (xs.length > 0 && s - xs[xs.length - 1]! <= 1e-12 * (1 + Math.abs(s))) continue;
    const z = (s - mt) / st;
    let f = Math.exp(-0.5 * z * z) / (st * Math.sqrt(2 * Math.PI));
    for (const j of units) {
      if (j === target || f === 0) continue;
      f *= beats(s, means[j]!, sds[j]!);
    }
    xs.push(s);
    fs.push(f);
  }
  // Simpson's rule for uneven steps over pairs of intervals; a last odd interval by the trapezoid.
  let total = 0;
  let i = 0;
  for (; i + 2 < xs.length; i += 2) {
    const h1 = xs[i + 1]! - xs[i]!;
    const h2 = xs[i + 2]! - xs[i + 1]!;
    total +=
      ((h1 + h2) / 6) *
      ((2 - h2 / h1) * fs[i]! +
        ((h1 + h2) * (h1 + h2) * fs[i + 1]!) / (h1 * h2) +
        (2 - h1 / h2) * fs[i + 2]!);
  }
  if (i + 1 < xs.length) total += 0.5 * (fs[i]! + fs[i + 1]!) * (xs[i + 1]! - xs[i]!);
  return Math.min(1, total);
}

/** P(value s exceeds a draw from N(mean, sd²)). */
function beats(s: number, mean: number, sd: number): number {
  if (sd === 0) return s > mean ? 1 : 0;
  return normalCdf((s - mean) / sd);
}

/** Standard normal CDF through erfc (Numerical Recipes' Chebyshev fit, fractional error < 1.2e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const erfc =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - 0.5 * erfc : 0.5 * erfc;
}
