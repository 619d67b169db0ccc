// Playing a linear form (problems.ts' `Form`) from coefficients: the references and the probe score every
// unit on a customer's basis z(x) and take the feasible action whose units sum highest.
import type { Form } from "./problems.js";

/** Where each unit's coefficients start in one flat vector, and the vector's length. */
export function coefficientOffsets(form: Form): { offsets: number[]; size: number } {
  const offsets: number[] = [];
  let size = 0;
  for (const u of form.units) {
    offsets.push(size);
    size += u.hi - u.lo;
  }
  return { offsets, size };
}

/** out[u] = unit u's coefficients (at offsets[u] in theta) · z[lo_u, hi_u). */
export function scoreUnits(
  form: Form,
  offsets: readonly number[],
  theta: Float64Array,
  z: Float64Array,
  out: Float64Array,
): void {
  form.units.forEach(({ lo, hi }, u) => {
    let s = 0;
    const off = offsets[u]! - lo;
    for (let j = lo; j < hi; j++) s += theta[off + j]! * z[j]!;
    out[u] = s;
  });
}

/** The feasible action whose units' scores sum highest (the first on ties). */
export function bestFeasible(form: Form, feasible: Int32Array, unitScores: Float64Array): number {
  let best = -1;
  let value = Number.NEGATIVE_INFINITY;
  for (const a of feasible) {
    let s = 0;
    for (const u of form.unitsOf[a]!) s += unitScores[u]!;
    if (s > value) {
      value = s;
      best = a;
    }
  }
  return best;
}
