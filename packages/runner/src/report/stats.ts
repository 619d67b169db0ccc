// The intervals the report shows, with their method spelled out: normal approximations on means of
// independent units, and Welch's standard error for a difference of two group means.

/** A mean with its 95% interval. */
export interface Estimate {
  n: number;
  mean: number;
  /** Standard error of the mean (NaN below two units). */
  se: number;
  low: number;
  high: number;
}

const Z95 = 1.959963984540054;

/** Mean of independent values, interval mean ± 1.96 × sd/√n (normal approximation). */
export function meanEstimate(values: readonly number[]): Estimate {
  const n = values.length;
  if (n === 0) return { n, mean: Number.NaN, se: Number.NaN, low: Number.NaN, high: Number.NaN };
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  let ss = 0;
  for (const v of values) ss += (v - mean) ** 2;
  const se = n > 1 ? Math.sqrt(ss / (n - 1) / n) : Number.NaN;
  return { n, mean, se, low: mean - Z95 * se, high: mean + Z95 * se };
}

/** Difference a − b of two independent means, interval ± 1.96 × √(se_a² + se_b²) (Welch, normal approximation). */
export function differenceEstimate(a: Estimate, b: Estimate): Estimate {
  const mean = a.mean - b.mean;
  const se = Math.sqrt(a.se ** 2 + b.se ** 2);
  return { n: Math.min(a.n, b.n), mean, se, low: mean - Z95 * se, high: mean + Z95 * se };
}
