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
 * P(the policy chooses unit `target` among `units`, each scoring an independent optimistic draw, exact ties
 * broken uniformly at random, as the search does within a block).
 *
 * With F_j(s) = P(S_j < s) = Φ((s − μ_j)/σ_j)·1[s > μ_j] and T the units whose mean is μ_t (t among them):
 * P = Π_{j∈T} q_j · Π_{j∉T} F_j(μ_t) / |T| + ∫_{s > μ_t} φ_t(s)·Π_{j≠t} F_j(s) ds. The first term is the
 * choice at μ_t: the maximum is μ_t only when every unit of T sits at its mean (q_j = ½, or 1 for a
 * zero-width draw) and every other unit is below, and then the |T| tied units share it. The integral is the
 * target's draw above its mean beating every other (none when σ_t = 0).
 */
export function optimisticArgmaxProbability(
  means: Float64Array,
  sds: Float64Array,
  units: readonly number[],
  target: number,
): number {
  const mt = means[target]!;
  let atMean = 1;
  let tied = 0;
  for (const j of units) {
    if (means[j] === mt) {
      tied++;
      if (sds[j] !== 0) atMean *= 0.5;
    } else if (mt > means[j]!) atMean *= beats(mt, means[j]!, sds[j]!);
    else atMean = 0;
  }
  atMean /= tied;
  if (sds[target] === 0) return atMean;
  const n = means.length;
  if (stepMeans.length < 2 * n) {
    stepMeans = new Float64Array(2 * n);
    stepSds = new Float64Array(2 * n);
  }
  // Only the block's units are read: copy those, not the whole model's.
  rivals.length = 0;
  for (const j of units) {
    stepMeans[j] = stepMeans[j + n] = means[j]!;
    stepSds[j] = sds[j]!;
    stepSds[j + n] = 0;
    rivals.push(j + n);
    if (j !== target && sds[j] !== 0) rivals.push(j);
  }
  rivals.push(target);
  return atMean + argmaxProbability(stepMeans, stepSds, rivals, target);
}
