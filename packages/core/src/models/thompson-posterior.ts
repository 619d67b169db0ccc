// What Thompson sampling may ask of a reward model to integrate its propensities instead of estimating them:
// the law of each unit's sampled score. A model opts in by having one of these methods (the models satisfy
// the interfaces structurally); implementing one asserts that, for one context and model state, the
// `sample` scores of different units are INDEPENDENT draws of the stated law. A model whose units share
// parameters (correlated draws) must not implement them: Thompson sampling then estimates by redrawing.
import type { RewardModel } from "./reward-model.js";

/**
 * Sampled unit scores are independent normals: unit u's is N(means[u], sds[u]²) for context `x`; when
 * `optimistic`, max(that draw, means[u]) (optimistic Thompson sampling).
 */
export interface GaussianPosterior {
  gaussianScores(x: Float64Array, means: Float64Array, sds: Float64Array): void;
  readonly optimistic?: boolean;
}

/**
 * Context-free model whose sampled unit scores are independent Beta(alphas[u], betas[u]) draws. Returns the
 * model's revision (changed by every change of the statistics), so results can be cached per revision.
 */
export interface BetaPosterior {
  betaShapes(alphas: Float64Array, betas: Float64Array): number;
}

/**
 * Context-free model whose sampled unit scores are independent location[u] + scale[u]·T with T Student-t on
 * dof[u] degrees of freedom (any dof > 0). Returns the model's revision, as {@link BetaPosterior}.
 */
export interface StudentPosterior {
  studentScores(location: Float64Array, scale: Float64Array, dof: Float64Array): number;
}

export function hasGaussianPosterior(model: RewardModel): model is RewardModel & GaussianPosterior {
  return typeof (model as Partial<GaussianPosterior>).gaussianScores === "function";
}

export function hasBetaPosterior(model: RewardModel): model is RewardModel & BetaPosterior {
  return typeof (model as Partial<BetaPosterior>).betaShapes === "function";
}

export function hasStudentPosterior(model: RewardModel): model is RewardModel & StudentPosterior {
  return typeof (model as Partial<StudentPosterior>).studentScores === "function";
}
