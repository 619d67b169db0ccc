/**
 * The bound of a unit never tried: larger than any real bound, yet finite, so that sums and differences
 * of unit scores (the search's arithmetic over blocks) stay numbers (∞ − ∞ is NaN).
 */
export const UNTRIED_BOUND = 1e300;

/**
 * UCB1-Tuned's bound (Auer, Cesa-Bianchi & Fischer 2002) for a context-free unit: its mean plus
 * √((ln N / n)·min(α²/4, V)), V = its reward variance + α²·√(2·ln N / n), N all observations, n the unit's
 * (decisions still waiting for their reward counted in n, see PendingWidths) and α the reward range. Where
 * rewards vary little (conversions at a few percent) it explores far less than UCB1's α·√(2·ln N / n) and
 * is never wider than it. UNTRIED_BOUND for a unit never tried nor pending, so every unit is tried once.
 */
export function ucb1Bound(
  mean: number,
  variance: number,
  n: number,
  pending: number,
  logN: number,
  alpha: number,
): number {
  const seen = n + pending;
  if (seen === 0) return UNTRIED_BOUND;
  const log = Math.max(logN, 1);
  const v = Math.min((alpha * alpha) / 4, variance + alpha * alpha * Math.sqrt((2 * log) / seen));
  return mean + Math.sqrt((log / seen) * v);
}

/** Per-unit counts of decisions made since the last update (context-free models' pending decisions). */
export class PendingCounts {
  readonly counts: Float64Array;
  private any = false;

  constructor(units: number) {
    this.counts = new Float64Array(units);
  }

  add(units: Int32Array): void {
    for (let b = 0; b < units.length; b++) this.counts[units[b]!]! += 1;
    this.any = true;
  }

  clear(): void {
    if (this.any) this.counts.fill(0);
    this.any = false;
  }
}
