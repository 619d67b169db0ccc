/** An estimate with a 95% interval. */
export interface Interval {
  estimate: number;
  low: number;
  high: number;
}

/** Arithmetic mean (0 for an empty list). */
export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return xs.length ? s / xs.length : 0;
}

/** Sample standard deviation (0 below two values). */
export function sd(xs: ArrayLike<number>): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  let ss = 0;
  for (let i = 0; i < xs.length; i++) ss += (xs[i]! - m) ** 2;
  return Math.sqrt(ss / (xs.length - 1));
}

// Two-sided 97.5% Student t quantiles for 1..30 degrees of freedom; beyond, the normal 1.96 is close.
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** The 97.5% quantile of Student's t with `df` degrees of freedom. */
export function t975(df: number): number {
  return df >= 1 && df <= 30 ? T975[df - 1]! : 1.96;
}

/** Mean over replications with a 95% t-interval (a point interval for one replication). */
export function overSeeds(xs: readonly number[]): Interval {
  const m = mean(xs);
  const h = xs.length > 1 ? (t975(xs.length - 1) * sd(xs)) / Math.sqrt(xs.length) : 0;
  return { estimate: m, low: m - h, high: m + h };
}

/**
 * Relative uplift (a − b) / b of two independent means with a 95% interval by the delta method:
 * var(a/b) ≈ (a/b)² (va/a² + vb/b²), where va and vb are the variances of the means.
 */
export function relativeUplift(a: number, varA: number, b: number, varB: number): Interval {
  if (b === 0) return { estimate: Number.NaN, low: Number.NaN, high: Number.NaN };
  const ratio = a / b;
  const se = Math.sqrt((varA + ratio * ratio * varB) / (b * b));
  return { estimate: ratio - 1, low: ratio - 1 - 1.96 * se, high: ratio - 1 + 1.96 * se };
}

/** Percentile interval of bootstrap replicates. */
export function percentileInterval(replicates: number[], level = 0.95): [number, number] {
  const sorted = replicates.filter(Number.isFinite).sort((x, y) => x - y);
  if (sorted.length === 0) return [Number.NaN, Number.NaN];
  const at = (q: number) => {
    const pos = q * (sorted.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
  };
  return [at((1 - level) / 2), at(1 - (1 - level) / 2)];
}
