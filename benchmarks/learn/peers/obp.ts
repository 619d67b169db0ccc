// Open Bandit Pipeline (st-tech/zr-obp) linear policies, obp.policy.linear, with every feasible combination
// as an action: per-action A⁻¹ (starting at the identity, updated by the Woodbury formula) and b, copied
// into the acting model every `batch_size` rounds (our batch size), θ = A⁻¹b, and the action
// `scores.argsort()[::-1][0]`, the last index on ties.
//   LinEpsilonGreedy(epsilon = 0):  with probability epsilon a uniformly random action, else argmax xᵀθ.
//   LinUCB(epsilon = 0):            xᵀθ + epsilon·√(xᵀA⁻¹x) (epsilon is the UCB width; 0 is greedy).
//   LinTS():                        xᵀθ̃, θ̃ ~ N(θ, A⁻¹) per action, drawn as N(xᵀθ, xᵀA⁻¹x) (same choices).
import type { Stream } from "../stream.js";
import { PerArmLearner } from "./ridge.js";

export class ObpLinEpsilonGreedy extends PerArmLearner {
  constructor(
    stream: Stream,
    private readonly epsilon: number,
    seed: string,
  ) {
    super(stream, 1, "last", seed);
  }

  protected override explore(): boolean {
    return !(this.rng.next() > this.epsilon);
  }

  protected score(k: number, x: Float64Array): number {
    return this.model.mean(k, x);
  }
}

export class ObpLinUcb extends PerArmLearner {
  constructor(
    stream: Stream,
    private readonly epsilon: number,
    seed: string,
  ) {
    super(stream, 1, "last", seed);
  }

  protected score(k: number, x: Float64Array): number {
    return this.model.mean(k, x) + this.epsilon * Math.sqrt(Math.max(0, this.model.width2(k, x)));
  }
}

export class ObpLinTs extends PerArmLearner {
  constructor(stream: Stream, seed: string) {
    super(stream, 1, "last", seed);
  }

  protected score(k: number, x: Float64Array): number {
    return this.sampled(k, x, 1);
  }
}
