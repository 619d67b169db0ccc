// MABWiser (fidelity/mabwiser) linear learning policies, as `MAB(arms, LearningPolicy.X(...))` with every
// feasible combination as an arm: one ridge regression per arm (_RidgeRegression: A = l2_lambda·I + XᵀX,
// β = A⁻¹Xᵀy), predictions for a batch of contexts from the model as last fitted (partial_fit between
// batches), argmax returning the first arm with the maximum.
//   LinUCB(alpha = 1, l2_lambda = 1):     xᵀβ + alpha·√(xᵀA⁻¹x)
//   LinTS(alpha = 1, l2_lambda = 1):      xᵀβ̃ with β̃ ~ N(β, alpha²·A⁻¹) drawn per arm and context. Only the
//                                         scalar xᵀβ̃ matters, so it is drawn directly as N(xᵀβ, alpha²·xᵀA⁻¹x):
//                                         the same distribution of choices, without a d-dimensional draw.
//   LinGreedy(epsilon = 0.1, l2_lambda = 1): with probability epsilon a uniformly random arm, else argmax xᵀβ.
import type { Stream } from "../stream.js";
import { PerArmLearner } from "./ridge.js";

export class MabwiserLinUcb extends PerArmLearner {
  constructor(
    stream: Stream,
    private readonly alpha: number,
    seed: string,
    l2Lambda = 1,
  ) {
    super(stream, l2Lambda, "first", seed);
  }

  protected score(k: number, x: Float64Array): number {
    return this.model.mean(k, x) + this.alpha * Math.sqrt(Math.max(0, this.model.width2(k, x)));
  }
}

export class MabwiserLinTs extends PerArmLearner {
  constructor(
    stream: Stream,
    private readonly alpha: number,
    seed: string,
    l2Lambda = 1,
  ) {
    super(stream, l2Lambda, "first", seed);
  }

  protected score(k: number, x: Float64Array): number {
    return this.sampled(k, x, this.alpha);
  }
}

export class MabwiserLinGreedy extends PerArmLearner {
  constructor(
    stream: Stream,
    private readonly epsilon: number,
    seed: string,
    l2Lambda = 1,
  ) {
    super(stream, l2Lambda, "first", seed);
  }

  protected override explore(): boolean {
    return this.rng.next() < this.epsilon;
  }

  protected score(k: number, x: Float64Array): number {
    return this.model.mean(k, x);
  }
}
