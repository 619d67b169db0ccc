import { expect } from "vitest";
import { invertSpd, matVec } from "../src/index.js";

/**
 * The reference a linear model's fit must match: the ridge solution (Λ + Σφφᵀ)⁻¹Σrφ over observed feature
 * vectors φ, with the diagonal prior precisions Λ, and that inverse.
 */
export function ridgeFit(
  rows: readonly { phi: Float64Array; reward: number }[],
  prior: Float64Array,
): { theta: Float64Array; inverse: Float64Array } {
  const D = prior.length;
  const gram = new Float64Array(D * D);
  for (let i = 0; i < D; i++) gram[i * D + i] = prior[i]!;
  const target = new Float64Array(D);
  for (const { phi, reward } of rows) {
    for (let i = 0; i < D; i++) {
      target[i]! += reward * phi[i]!;
      for (let j = 0; j < D; j++) gram[i * D + j]! += phi[i]! * phi[j]!;
    }
  }
  const inverse = new Float64Array(D * D);
  expect(invertSpd(gram, D, inverse, new Float64Array(D))).toBe(true);
  const theta = new Float64Array(D);
  matVec(inverse, target, D, theta);
  return { theta, inverse };
}
