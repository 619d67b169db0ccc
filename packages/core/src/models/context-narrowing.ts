/**
 * A Thompson `contextScale` c < 1: draws explore an option's level at the posterior's full width and its
 * context effects at c times it. The level is the score at the mean of the contexts observed so far, x̄,
 * so a width is that of θ·v with v = x̄ + c·(x − x̄): narrowing around 0 instead would narrow the level as
 * well whenever features are off centre (a tenure in days, a spend in euros).
 */
export interface ContextNarrowing {
  factor: number;
  /**
   * Writes x̄ into `out`, 1 at the intercept column (0 everywhere else before any observation), from the
   * model's statistics as they are now.
   */
  meanContext(out: Float64Array): void;
}

/** The narrowing of a `contextScale`: none when it is 1 or there is no intercept column (no level to keep). */
export function contextNarrowing(
  contextScale: number,
  interceptColumn: number | undefined,
  meanContext: (out: Float64Array) => void,
): ContextNarrowing | undefined {
  if (contextScale === 1 || interceptColumn === undefined) return undefined;
  return { factor: contextScale, meanContext };
}

/**
 * The mean of the observed contexts from units' statistics: row `interceptColumn` of a unit's Gram matrix
 * off its diagonal is Σ w·x (the intercept's entry of x is 1 and the prior is diagonal), its count Σ w. When
 * every observation reaches the same number of the units summed (one per block), this is their mean.
 */
export function meanContextOf(
  units: Iterable<{ gram: Float64Array; count: number } | undefined>,
  interceptColumn: number,
  d: number,
  out: Float64Array,
): void {
  out.fill(0);
  let count = 0;
  for (const unit of units) {
    if (!unit || unit.count <= 0) continue;
    count += unit.count;
    for (let j = 0; j < d; j++) out[j]! += unit.gram[interceptColumn * d + j]!;
  }
  if (count > 0) for (let j = 0; j < d; j++) out[j]! /= count;
  out[interceptColumn] = 1;
}
