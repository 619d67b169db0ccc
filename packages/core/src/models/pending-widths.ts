import type { MatrixArena } from "../linalg/matrix-arena.js";

/**
 * Decisions made since the last update, counted in the confidence widths as if their rewards had arrived
 * (the means do not move): within a daily batch, UCB then spreads its picks over the options it is unsure
 * of instead of sending everyone the same most-uncertain one (the "hallucinated" updates of batched UCB,
 * Desautels et al. 2014). Cleared by every update, which brings the real observations.
 */
export class PendingWidths {
  private readonly inverses = new Map<number, Float64Array>();
  /** Bumped by every change, so cached widths know when to recompute. */
  revision = 0;

  /** `arena`: the model's, whose scratch matrices hold the pending inverses (SIMD widths). */
  constructor(private readonly arena: MatrixArena) {}

  /**
   * Counts one pending decision for `unit` at context `x` (with `weight`: the square of the unit's scale in
   * the action's features); `inverse` is the unit's A⁻¹ without pending.
   */
  add(unit: number, inverse: Float64Array, x: Float64Array, weight = 1): void {
    let pending = this.inverses.get(unit);
    if (!pending) {
      pending = this.arena.allocateScratch();
      this.arena.copy(inverse, pending);
      this.inverses.set(unit, pending);
    }
    this.arena.shermanMorrison(pending, x, weight);
    this.revision++;
  }

  /** A⁻¹ of a unit with its pending decisions counted, or undefined when it has none. */
  inverseOf(unit: number): Float64Array | undefined {
    return this.inverses.size === 0 ? undefined : this.inverses.get(unit);
  }

  /**
   * Copies each pending unit's current θ after its pending inverse, where the means read it, when θ moved
   * under pending decisions (a merge). Their widths stay on the statistics they were counted on until
   * the next update clears them (keeping their contexts to count them again would grow with every decision).
   */
  refreshThetas(thetaOf: (unit: number) => Float64Array): void {
    if (this.inverses.size === 0) return;
    for (const [unit, inverse] of this.inverses) this.arena.vectorAfter(inverse).set(thetaOf(unit));
    this.revision++;
  }

  clear(): void {
    if (this.inverses.size === 0) return;
    this.inverses.clear();
    this.arena.releaseScratch();
    this.revision++;
  }
}
