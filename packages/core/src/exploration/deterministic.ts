import type { ScoreRequest } from "../models/reward-model.js";
import type { Choice, DecisionScope, ExplorationRule } from "./scope.js";

/**
 * Rules that always take the best action under a fixed scoring: greedy (posterior mean; the baseline the
 * Contextual Bandit Bake-off found hard to beat) and UCB (optimism: mean plus `alpha` confidence widths,
 * LinUCB and UCB1 depending on the model). Their propensity is exactly 1.
 */
export class ArgmaxRule implements ExplorationRule {
  constructor(
    readonly name: "greedy" | "ucb",
    private readonly alpha = 1,
  ) {}

  private request(): ScoreRequest {
    return this.name === "greedy" ? { mode: "mean" } : { mode: "upper", alpha: this.alpha };
  }

  choose(scope: DecisionScope, topK: number): Choice {
    return { ranked: scope.rank(this.request(), topK), propensity: 1 };
  }

  distribution(scope: DecisionScope): Map<number, number> {
    const [best] = scope.rank(this.request(), 1);
    return new Map(best ? [[best.index, 1]] : []);
  }
}
