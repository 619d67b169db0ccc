// The propensity of optimistic Thompson sampling (May, Korda, Lee & Leslie 2012): each unit's score is
// max(μ + σZ, μ), a posterior draw raised to the posterior mean when it falls below it. Its law is a point
// mass of 1/2 at μ and the normal density above μ, so its CDF is Φ((s − μ)/σ)·1[s > μ]: the normal CDF of
// the plain draw times the step of a zero-width draw at μ. The integral of argmax-probability.ts then
// applies unchanged, with each unit's step added as a zero-width rival.
import { argmaxProbability, beats } from "./argmax-probability.js";

// Scratch space reused across calls (decisions are synchronous): means and widths of the units and of their
// steps (index u + n), and the rivals' indices.
let stepMeans = new Float64Array(0);
let stepSds = new Float64Array(0);
const rivals: number[] = [];

/**
 * P(unit `target`'s optimistic draw is the largest among `units`), draws independent; the means of `units`
 * must be distinct (equal means tie with positive probability: the caller redraws instead).
 *
 * With F_j(s) = Φ((s − μ_j)/σ_j)·1[s > μ_j]: P = ½·Π_j F_j(μ_t) + ∫_{s > μ_t} φ_t(s)·Π_j F_j(s) ds, the
 * first term the target's point mass (all of it when σ_t = 0).
 */
export function optimisticArgmaxProbability(
  means: Float64Array,
  sds: Float64Array,
  units: readonly number[],
  target: number,
): number {
  const mt = means[target]!;
  let atMean = 1;
  for (const j of units) if (j !== target) atMean *= mt > means[j]! ? beats(mt, means[j]!, sds[j]!) : 0;
  if (sds[target] === 0) return atMean;
  const n = means.length;
  if (stepMeans.length < 2 * n) {
    stepMeans = new Float64Array(2 * n);
    stepSds = new Float64Array(2 * n);
  }
  stepMeans.set(means);
  stepMeans.set(means, n);
  stepSds.set(sds);
  stepSds.fill(0, n, 2 * n);
  rivals.length = 0;
  for (const j of units) {
    rivals.push(j + n);
    if (j !== target && sds[j] !== 0) rivals.push(j);
  }
  rivals.push(target);
  return 0.5 * atMean + argmaxProbability(stepMeans, stepSds, rivals, target);
}
