// Probabilities that one independent Gaussian draw is the largest of several: the propensity of Thompson
// sampling when each unit's sampled score is an independent normal (linear models) and blocks do not
// interact (no constraints across them), computed by numerical integration instead of Monte Carlo.

/** Simpson intervals per standard deviation of the narrowest draw that matters on a stretch. */
const PER_SD = 2.5;
/** Half-width, in standard deviations, beyond which a density is treated as 0 and a CDF as 0 or 1 (e^-32). */
const SPAN = 8;
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
 * the target starts and stops changing (its mean ± 8 sd; a rival with zero width cuts at its mean); each
 * piece gets composite Simpson with a step of 0.4 sd of the narrowest unit active there, so every factor is
 * resolved however narrow it is and steps never jump inside a piece. Measured error of the probabilities of
 * n ≤ 11 units summed: ≤ 3e-4 (widths up to 400-fold apart, tied means included).
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

  ensureScratch(units.length);
  const cuts = [lo, hi];
  let rivals = 0;
  for (const j of units) {
    const m = means[j]!;
    const s = sds[j]!;
    if (j === target || m + SPAN * s <= lo) continue;
    rivalMean[rivals] = m;
    rivalInvSd[rivals] = s === 0 ? Number.POSITIVE_INFINITY : 1 / s;
    rivalTop[rivals] = m + SPAN * s;
    rivals++;
    // A factor wider than the target's density is smooth at the target's step: only narrower ones cut.
    if (s < st) {
      if (m - SPAN * s > lo) cuts.push(m - SPAN * s);
      if (s > 0 && m + SPAN * s < hi) cuts.push(m + SPAN * s);
    }
  }
  cuts.sort((a, b) => a - b);

  const density = (x: number): number => {
    const z = (x - mt) / st;
    let f = Math.exp(-0.5 * z * z) * (INV_SQRT_2PI / st);
    for (let r = 0; r < rivals && f !== 0; r++) {
      if (x >= rivalTop[r]!) continue; // Φ = 1 above the rival's support
      const inv = rivalInvSd[r]!;
      f *=
        inv === Number.POSITIVE_INFINITY ? (x > rivalMean[r]! ? 1 : 0) : normalCdf((x - rivalMean[r]!) * inv);
    }
    return f;
  };
  let total = 0;
  for (let c = 0; c + 1 < cuts.length; c++) {
    const a = cuts[c]!;
    const b = cuts[c + 1]!;
    if (b <= a) continue;
    const mid = 0.5 * (a + b);
    let sd = st;
    for (let r = 0; r < rivals; r++) {
      const s = 1 / rivalInvSd[r]!;
      if (s > 0 && s < sd && Math.abs(mid - rivalMean[r]!) < SPAN * s) sd = s;
    }
    let m = Math.ceil(((b - a) / sd) * PER_SD);
    m += m % 2;
    const h = (b - a) / m;
    let piece = density(a) + density(b);
    for (let k = 1; k < m; k++) piece += (k % 2 === 1 ? 4 : 2) * density(a + k * h);
    total += (piece * h) / 3;
  }
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
