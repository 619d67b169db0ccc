/**
 * UCB1's bound for a context-free unit: its mean plus α·√(2·ln N / n), N all observations and n the
 * unit's, with decisions still waiting for their reward counted in n (see PendingWidths); +∞ for a unit
 * never tried nor pending, so every unit is tried once.
 */
export function ucb1Bound(mean: number, n: number, pending: number, logN: number, alpha: number): number {
  const seen = n + pending;
  return seen === 0 ? Number.POSITIVE_INFINITY : mean + alpha * Math.sqrt((2 * Math.max(logN, 1)) / seen);
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
