// Probability that one Beta draw is the largest of several independent Beta draws: the exact propensity of
// Beta–Bernoulli Thompson sampling when blocks are independent (no constraints across them).
import { panelIntegral, resolutionOf } from "./argmax-probability.js";
import { betaCdf, betaLogPdf, logBetaFunction } from "./beta-distribution.js";

/**
 * Beta tails are exponential-like, not Gaussian: Beta(1, n) puts e^-(k+1) beyond its mean + k sd. 30 sd
 * leaves < 1e-13 outside the range.
 */
const SPAN = 30;
/**
 * Panel width in sds: skewed Beta densities need narrower panels than Gaussians (2.5): measured sums of all
 * win probabilities within 2e-7 of 1 at 1 sd, 1e-4 at 2.5. Cost is paid once per unit and model revision.
 */
const PANEL = 1;

/**
 * P(draw of `target` > draws of every other unit in `units`), draws independent Beta(alphas[u], betas[u]):
 * ∫ f_t(x)·Π_j F_j(x) dx over (0, 1), with the same panel quadrature as the Gaussian case (panels sized to
 * the narrowest density that matters). Needs every shape ≥ 1 (bounded densities); callers fall back to
 * Monte Carlo otherwise.
 */
export function betaArgmaxProbability(
  alphas: Float64Array,
  betas: Float64Array,
  units: readonly number[],
  target: number,
): number {
  const n = alphas.length;
  const mean = new Float64Array(n);
  const sd = new Float64Array(n);
  for (const u of units) {
    const a = alphas[u]!;
    const b = betas[u]!;
    mean[u] = a / (a + b);
    sd[u] = Math.sqrt((a * b) / ((a + b) ** 2 * (a + b + 1)));
  }
  const st = sd[target]!;
  // Below the highest rival's support the product is 0; above the target's support its density is 0.
  let lo = Math.max(0, mean[target]! - SPAN * st);
  const hi = Math.min(1, mean[target]! + SPAN * st);
  for (const j of units) if (j !== target) lo = Math.max(lo, mean[j]! - SPAN * sd[j]!);
  if (lo >= hi) return 0;
  const rivals: number[] = [];
  const narrow: number[] = [];
  const cuts = [lo, hi];
  for (const j of units) {
    if (j === target || mean[j]! + SPAN * sd[j]! <= lo) continue;
    rivals.push(j);
    if (sd[j]! < st) {
      narrow.push(j);
      if (mean[j]! - SPAN * sd[j]! > lo) cuts.push(mean[j]! - SPAN * sd[j]!);
      if (mean[j]! + SPAN * sd[j]! < hi) cuts.push(mean[j]! + SPAN * sd[j]!);
    }
  }
  cuts.sort((a, b) => a - b);
  const step = resolutionOf(cuts, narrow, mean, sd, st, SPAN);
  const logB = new Float64Array(n);
  for (const u of units) logB[u] = logBetaFunction(alphas[u]!, betas[u]!);
  const at = alphas[target]!;
  const bt = betas[target]!;
  const integrand = (x: number): number => {
    if (x <= 0 || x >= 1) return 0;
    let f = Math.exp(betaLogPdf(x, at, bt, logB[target]!));
    for (let r = 0; r < rivals.length && f > 0; r++) {
      const j = rivals[r]!;
      if (x < mean[j]! + SPAN * sd[j]!) f *= betaCdf(x, alphas[j]!, betas[j]!, logB[j]!);
    }
    return f;
  };
  return Math.min(1, panelIntegral(cuts, step, new Set(), integrand, PANEL));
}
