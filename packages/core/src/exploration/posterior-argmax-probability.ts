// Probability that one unit's posterior draw is the largest of several independent draws, for the
// context-free models whose draws are Beta (Beta–Bernoulli) or Student-t (Normal–Inverse-Gamma): the exact
// propensity of their Thompson sampling when blocks are independent.
import { beta, gamma, normal, type Rng } from "../rng.js";
import { integrationLayout, panelIntegral } from "./argmax-probability.js";
import {
  betaCdf,
  betaCdfSplit,
  betaLogPdf,
  betaLogPdfSplit,
  logBetaFunction,
  logGamma,
} from "./beta-distribution.js";

/** Independent per-unit draws: location and spread (which size the panels), density and CDF. */
export interface UnitDraws {
  mean: Float64Array;
  /** Standard deviation of each unit's draw (Infinity when it has none: Student-t with ≤ 2 dof). */
  sd: Float64Array;
  /** A finite width of each unit's draw, to place quadrature cuts: the sd when finite, else the scale. */
  width: Float64Array;
  /** Where every draw lies (Beta: [0, 1]). */
  lower: number;
  upper: number;
  pdf(unit: number, x: number): number;
  cdf(unit: number, x: number): number;
  /**
   * Bounded laws: density and CDF at the point `fromLower` above the lower end and `fromUpper` below the
   * upper end, either of which may be exact where x itself has lost digits (near an end).
   */
  pdfSplit?(unit: number, fromLower: number, fromUpper: number): number;
  cdfSplit?(unit: number, fromLower: number, fromUpper: number): number;
  /** One draw of a unit (estimation only: the decision's own draw comes from the model). */
  sample(unit: number, rng: Rng): number;
  /** Equal keys mean identical laws (integrators compute each distinct law once). */
  key(unit: number): string;
  /**
   * Whether the fixed panel quadrature of {@link posteriorArgmaxProbability} is accurate for this unit:
   * smooth density at the ends (Beta shapes integer or ≥ 3) and light tails (Student-t with ≥ 30 dof). The
   * others need `winProbabilities` (adaptive, with endpoint and tail maps).
   */
  regular(unit: number): boolean;
  /**
   * Smallest exponent that shapes the integrand near the ends of the range, over the units: Beta's smallest
   * shape (density ~ x^(a−1) at 0), Student-t's smallest dof (density ~ |x|^−(ν+1)). Sizes the maps.
   */
  exponent: number;
}

/**
 * Whether a Beta shape leaves the density smooth enough at its end for the panel quadrature (error
 * ≲ 1e-6): x^(a−1) is a polynomial for integer a ≥ 1; otherwise its ⌈a−1⌉-th derivative is unbounded at
 * 0, which costs the panels up to 3e-4 for a in (1, 2) and 1e-6 for a in (2, 3) (measured against the
 * closed form P(Beta(a, 1) > Beta(c, 1)) = a/(a + c)).
 */
function smoothShape(a: number): boolean {
  return a >= 3 || (a >= 1 && Number.isInteger(a));
}

/** Student-t dof from which the panel quadrature's 30-sd range holds all but 1e-13 of a draw. */
export const REGULAR_STUDENT_DOF = 30;

/**
 * Half-width of the range that matters, in sds. Beta tails are exponential-like (Beta(1, n) puts e^-(k+1)
 * beyond its mean + k sd) and Student-t tails with ≥ 30 degrees of freedom lighter than that at 30 sd:
 * less than 1e-13 lies outside.
 */
const SPAN = 30;
/**
 * Panel width in sds: skewed densities need narrower panels than Gaussians (2.5): measured sums of all win
 * probabilities within 2e-7 of 1 at 1 sd, 1e-4 at 2.5. Cost is paid once per unit and model revision.
 */
const PANEL = 1;

/**
 * P(draw of `target` > draws of every other unit in `units`): ∫ f_t(x)·Π_j F_j(x) dx, with the panel
 * quadrature of the Gaussian case (panels sized to the narrowest density that matters). Only for units
 * whose draws are `regular` (bounded densities, light tails); `winProbabilities` handles the others.
 */
export function posteriorArgmaxProbability(
  draws: UnitDraws,
  units: readonly number[],
  target: number,
): number {
  const { mean, sd } = draws;
  const layout = integrationLayout(mean, sd, units, target, SPAN, draws.lower, draws.upper);
  if (!layout) return 0;
  const { rivals } = layout;
  const integrand = (x: number): number => {
    let f = draws.pdf(target, x);
    for (let r = 0; r < rivals.length && f > 0; r++) {
      const j = rivals[r]!;
      if (x < mean[j]! + SPAN * sd[j]!) f *= draws.cdf(j, x);
    }
    return f;
  };
  return Math.min(1, panelIntegral(layout, integrand, PANEL));
}

/** Beta(alphas[u], betas[u]) draws, any positive shapes (below 1 the density is unbounded at an end). */
export function betaDraws(alphas: Float64Array, betas: Float64Array): UnitDraws {
  const n = alphas.length;
  const mean = new Float64Array(n);
  const sd = new Float64Array(n);
  const logB = new Float64Array(n);
  let exponent = Number.POSITIVE_INFINITY;
  for (let u = 0; u < n; u++) {
    const a = alphas[u]!;
    const b = betas[u]!;
    mean[u] = a / (a + b);
    sd[u] = Math.sqrt((a * b) / ((a + b) ** 2 * (a + b + 1)));
    logB[u] = logBetaFunction(a, b);
    exponent = Math.min(exponent, a, b);
  }
  return {
    mean,
    sd,
    width: sd,
    lower: 0,
    upper: 1,
    pdf: (u, x) => (x <= 0 || x >= 1 ? 0 : Math.exp(betaLogPdf(x, alphas[u]!, betas[u]!, logB[u]!))),
    cdf: (u, x) => betaCdf(x, alphas[u]!, betas[u]!, logB[u]!),
    pdfSplit: (u, x, y) =>
      x <= 0 || y <= 0 ? 0 : Math.exp(betaLogPdfSplit(x, y, alphas[u]!, betas[u]!, logB[u]!)),
    cdfSplit: (u, x, y) => betaCdfSplit(x, y, alphas[u]!, betas[u]!, logB[u]!),
    sample: (u, rng) => beta(rng, alphas[u]!, betas[u]!),
    key: (u) => `${alphas[u]},${betas[u]}`,
    regular: (u) => smoothShape(alphas[u]!) && smoothShape(betas[u]!),
    exponent,
  };
}

/**
 * Student-t draws: location[u] + scale[u]·T with dof[u] > 0 degrees of freedom (the panel quadrature needs
 * ≥ {@link REGULAR_STUDENT_DOF}; `winProbabilities` takes any).
 */
export function studentDraws(location: Float64Array, scale: Float64Array, dof: Float64Array): UnitDraws {
  const n = location.length;
  const sd = new Float64Array(n);
  const width = new Float64Array(n);
  const logNorm = new Float64Array(n);
  const logB = new Float64Array(n);
  let exponent = Number.POSITIVE_INFINITY;
  for (let u = 0; u < n; u++) {
    const v = dof[u]!;
    sd[u] = v > 2 ? scale[u]! * Math.sqrt(v / (v - 2)) : Number.POSITIVE_INFINITY;
    width[u] = v > 2 ? sd[u]! : scale[u]!;
    logNorm[u] = logGamma((v + 1) / 2) - logGamma(v / 2) - 0.5 * Math.log(v * Math.PI) - Math.log(scale[u]!);
    logB[u] = logBetaFunction(v / 2, 0.5);
    exponent = Math.min(exponent, v);
  }
  return {
    mean: location,
    sd,
    width,
    lower: Number.NEGATIVE_INFINITY,
    upper: Number.POSITIVE_INFINITY,
    exponent,
    // T = Z / √(G/ν) with G ~ χ²_ν = 2·Gamma(ν/2).
    sample: (u, rng) =>
      location[u]! + (scale[u]! * normal(rng)) / Math.sqrt((2 * gamma(rng, dof[u]! / 2)) / dof[u]!),
    key: (u) => `${location[u]},${scale[u]},${dof[u]}`,
    regular: (u) => dof[u]! >= REGULAR_STUDENT_DOF,
    pdf: (u, x) => {
      const z = (x - location[u]!) / scale[u]!;
      return Math.exp(logNorm[u]! - ((dof[u]! + 1) / 2) * Math.log1p((z * z) / dof[u]!));
    },
    cdf: (u, x) => {
      // P(T > |z|) = ½·I_{ν/(ν+z²)}(ν/2, ½).
      const z = (x - location[u]!) / scale[u]!;
      const v = dof[u]!;
      const tail = 0.5 * betaCdf(v / (v + z * z), v / 2, 0.5, logB[u]!);
      return z >= 0 ? 1 - tail : tail;
    },
  };
}
