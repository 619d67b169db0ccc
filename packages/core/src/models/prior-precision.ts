import { z } from "zod";
import { SnapshotMismatchError } from "../errors.js";
import type { UnitRemap } from "./unit-remap.js";

/** Re-estimate once the data have grown by this factor since the last estimate (and after merges). */
const GROWTH = 1.25;
/** Observations before the first estimate. */
const FIRST_ESTIMATE = 10;
/** An estimate stays in [λ, λ · MAX_RATIO]: it only ever shrinks more than the fixed prior does. */
const MAX_RATIO = 1e6;

export const priorPrecisionSchema = z.strictObject({
  /** Per unit and context column (unit-major), the precision in use. */
  values: z.array(z.number().positive()),
  estimatedAt: z.number().nonnegative(),
});

/**
 * The prior precision of a linear model's coefficients, one per unit and context column: λ everywhere, or,
 * when `learned`, automatic relevance determination (MacKay 1992; Tipping 2001) for every column but the
 * intercept: each coefficient's precision is re-estimated by the evidence fixed point
 * λ_i = σ̂²·γ_i / θ_i², γ_i = 1 − λ_i·(A⁻¹)_ii its effective number of parameters.
 *
 * Why: the prior's width is what Thompson sampling and UCB explore with before the data speak. A fixed λ = 1
 * says every coefficient may be as large as the reward noise (±0.5 on a conversion), far wider than what a
 * feature really moves a conversion rate, so the policy explores noise for thousands of rounds; and most
 * features matter to few options. Learning each precision, as the noise is learned, lets one default fit
 * conversions, revenue and any number of features: coefficients the data do not support are shrunk to 0
 * and stop being explored, the others keep the plain ridge prior.
 *
 * Estimates are taken when the data have grown by a quarter since the last one (and after merges), warm
 * started from the previous values: the fit is exact given the precisions, but they depend on the update
 * schedule. With a fixed λ, update order, batch splits and merges stay exact.
 *
 * Pooled intercepts: the units of a group (the options of a dimension with attributes, the cells of an
 * interaction) share one learned precision of their intercepts, σ̂²·Σγ_u / Σθ_u², a random-effects prior:
 * each option's own effect is a deviation from what its attributes (or its options' effects) predict, as
 * large as the data say such deviations are. An option added later starts at that precision, so it is
 * explored as widely as options differ, around its prediction.
 *
 * Constant units (the cells of an interaction) hold every coefficient but the intercept at the largest
 * precision, λ · MAX_RATIO, and never re-estimate it: their context effects stay at 0.
 */
export class PriorPrecision {
  readonly values: Float64Array;
  /** 1 for each coefficient held at 0 (unit-major, as `values`). */
  private readonly held: Uint8Array;
  /** Observations when the precisions were last estimated. */
  estimatedAt = 0;

  constructor(
    readonly units: number,
    readonly d: number,
    readonly base: number,
    /** Column of the context that is the constant 1 (always at `base`), if any. */
    readonly interceptColumn: number | undefined,
    readonly learned: boolean,
    /** Groups of units whose intercepts share one learned precision (see the class comment). */
    readonly pooled: readonly Int32Array[] = [],
    /** Units held to a constant (see the class comment); only with an intercept column. */
    constants: readonly number[] = [],
  ) {
    this.values = new Float64Array(units * d);
    this.held = new Uint8Array(units * d);
    if (interceptColumn !== undefined)
      for (const u of constants)
        for (let i = 0; i < d; i++) if (i !== interceptColumn) this.held[u * d + i] = 1;
    this.reset();
  }

  /** The precision of a unit's coefficient `i`. */
  of(unit: number, i: number): number {
    return this.values[unit * this.d + i]!;
  }

  /** Whether the model should re-estimate now (and, if so, records that it does). */
  due(observations: number): boolean {
    if (!this.learned || observations < Math.max(FIRST_ESTIMATE, GROWTH * this.estimatedAt)) return false;
    this.estimatedAt = observations;
    return true;
  }

  /**
   * One fixed-point step for a unit's coefficient, given its posterior mean, (A⁻¹)_ii and σ̂²: stores and
   * returns the change of its precision (0 for the intercept).
   */
  step(unit: number, i: number, theta: number, inverseDiagonal: number, noiseVariance: number): number {
    const k = unit * this.d + i;
    if (i === this.interceptColumn || this.held[k] === 1) return 0;
    const current = this.values[k]!;
    const wellDetermined = 1 - current * inverseDiagonal;
    const raw = theta !== 0 ? (noiseVariance * wellDetermined) / (theta * theta) : Number.POSITIVE_INFINITY;
    const next = this.bounded(raw);
    this.values[k] = next;
    return next - current;
  }

  /**
   * One fixed-point step for a group's pooled intercept precision, given its units' intercepts and their
   * (A⁻¹)_ii (read by `at`), and σ̂²: stores the new precision for every unit of the group and writes each
   * one's change into `changes`.
   */
  stepPooled(
    group: Int32Array,
    at: (unit: number) => { theta: number; inverseDiagonal: number },
    noiseVariance: number,
    changes: Float64Array,
  ): void {
    const i = this.interceptColumn;
    if (i === undefined) return;
    let wellDetermined = 0;
    let squares = 0;
    for (const u of group) {
      const { theta, inverseDiagonal } = at(u);
      wellDetermined += 1 - this.of(u, i) * inverseDiagonal;
      squares += theta * theta;
    }
    const raw = squares > 0 ? (noiseVariance * wellDetermined) / squares : Number.POSITIVE_INFINITY;
    const next = this.bounded(raw);
    group.forEach((u, k) => {
      changes[k] = next - this.of(u, i);
      this.values[u * this.d + i] = next;
    });
  }

  /** An estimate kept in [λ, λ · MAX_RATIO]. */
  private bounded(raw: number): number {
    return Math.min(this.base * MAX_RATIO, Math.max(this.base, raw));
  }

  toJSON(): z.infer<typeof priorPrecisionSchema> {
    return { values: [...this.values], estimatedAt: this.estimatedAt };
  }

  /**
   * Loads stored precisions (absent: the fixed λ everywhere), moving units by `remap` (added units start
   * at their prior). Returns, per unit and column, how much a loaded coefficient's precision moved from
   * the stored one: a held coefficient of a unit stored before it was held (a snapshot from before
   * interactions had constant cells); the Gram matrices, which hold the stored prior, need the same change.
   */
  load(json: z.infer<typeof priorPrecisionSchema> | undefined, remap?: UnitRemap): Float64Array {
    const d = this.d;
    this.reset();
    this.estimatedAt = json?.estimatedAt ?? 0;
    const storedUnits = remap ? remap.length : this.units;
    if (json && json.values.length !== storedUnits * d) {
      throw new SnapshotMismatchError(
        `prior precisions: expected ${storedUnits * d} values, got ${json.values.length}`,
      );
    }
    const changes = new Float64Array(this.units * d);
    const loaded = new Uint8Array(this.units);
    for (let u = 0; u < storedUnits; u++) {
      const to = remap ? remap[u]! : u;
      if (to < 0 || to >= this.units) continue; // its option was removed
      loaded[to] = 1;
      for (let i = 0; i < d; i++) {
        const stored = json ? json.values[u * d + i]! : this.base;
        const k = to * d + i;
        if (this.held[k] === 1) changes[k] = this.values[k]! - stored;
        else this.values[k] = stored;
      }
    }
    // Added options of a pooled group take the group's intercept precision.
    const i = this.interceptColumn;
    if (i === undefined || !json) return changes;
    for (const group of this.pooled) {
      const known = group.find((u) => loaded[u] === 1);
      if (known === undefined) continue;
      for (const u of group) if (loaded[u] === 0) this.values[u * d + i] = this.of(known, i);
    }
    return changes;
  }

  /** Every precision at its prior: λ, and the largest for held coefficients. */
  private reset(): void {
    for (let k = 0; k < this.values.length; k++)
      this.values[k] = this.held[k] === 1 ? this.base * MAX_RATIO : this.base;
  }

  /** Whether a snapshot must store the precisions (learned, or some held). */
  get stored(): boolean {
    return this.learned || this.held.includes(1);
  }
}
