/** An estimate with a 95% interval. */
export interface Interval {
  estimate: number;
  low: number;
  high: number;
  /** Standard error of the estimate the interval was built from, when there is one. */
  se?: number;
}

/**
 * Where an interval's width comes from: the variation between replications (independent simulated
 * experiments), or, with a single replication, the sampling error within that run only (which ignores how
 * much a learning policy's result varies from one run to the next, and so is too narrow).
 */
export type IntervalBasis = "between-replications" | "within-run";

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

/**
 * Mean over replications with a 95% t-interval on R − 1 degrees of freedom (a point interval for one
 * replication): for quantities with no within-run error model.
 */
export function overSeeds(xs: readonly number[]): Interval {
  const m = mean(xs);
  const h = xs.length > 1 ? (t975(xs.length - 1) * sd(xs)) / Math.sqrt(xs.length) : 0;
  return { estimate: m, low: m - h, high: m + h };
}

/**
 * Combines per-replication estimates of one quantity into a 95% interval.
 *
 * With R ≥ 2 replications the interval is a t-interval on R − 1 degrees of freedom around the mean, with
 * variance max(s², mean of the within-run variances) / R: s² is the variance between replications, which
 * includes everything that differs between runs (the population drawn, the groups, the outcomes, the
 * path a learning policy takes); the within-run variance is a lower bound on it in expectation (a run's
 * own sampling error), so it keeps three replications that happen to agree from giving an absurdly narrow
 * interval. With one replication there is no between-run variation to measure: the interval is the
 * within-run normal interval (estimate ± 1.96 se), which the caller must label as such.
 */
export function combineReplications(
  estimates: readonly number[],
  withinSe: readonly number[],
): Interval & { basis: IntervalBasis } {
  const r = estimates.length;
  const m = mean(estimates);
  if (r === 0) return { estimate: Number.NaN, low: Number.NaN, high: Number.NaN, basis: "within-run" };
  if (r === 1) {
    const se = withinSe[0] ?? Number.NaN;
    return { estimate: m, low: m - 1.96 * se, high: m + 1.96 * se, se, basis: "within-run" };
  }
  const between = sd(estimates) ** 2;
  const within = mean(withinSe.map((s) => s * s));
  const se = Math.sqrt(Math.max(between, Number.isFinite(within) ? within : 0) / r);
  const h = t975(r - 1) * se;
  return { estimate: m, low: m - h, high: m + h, se, basis: "between-replications" };
}

/**
 * The p-quantile of the standard normal distribution (Acklam's rational approximation, relative error
 * below 1.2e-9), for power calculations.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1))
    return p === 0 ? Number.NEGATIVE_INFINITY : p === 1 ? Number.POSITIVE_INFINITY : Number.NaN;
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lowTail = 0.02425;
  if (p < lowTail) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  if (p > 1 - lowTail) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
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
