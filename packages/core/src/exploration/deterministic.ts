import type { ScoreRequest } from "../models/reward-model.js";
import { type Choice, chosenFirst, type DecisionScope, type ExplorationRule } from "./scope.js";

/** Largest tie set spelled out by {@link ArgmaxRule.distribution}. */
const DISTRIBUTION_LIMIT = 100_000;

/**
 * Rules that take the best action under a fixed scoring: greedy (posterior mean; the baseline the
 * Contextual Bandit Bake-off found hard to beat) and UCB (optimism: mean plus `alpha` confidence widths in
 * reward units, LinUCB and UCB1 depending on the model). Exact ties (untried options) are broken uniformly
 * at random, so the propensity is 1 / (number of tied actions): 1 once the scores differ. UCB counts the
 * decisions still waiting for their reward in its widths, so a daily batch spreads over uncertain options.
 */
export class ArgmaxRule implements ExplorationRule {
  readonly countsPending: boolean;

  constructor(
    readonly name: "greedy" | "ucb",
    private readonly alpha = 1,
  ) {
    this.countsPending = name === "ucb";
  }

  private request(): ScoreRequest {
    return this.name === "greedy" ? { mode: "mean" } : { mode: "upper", alpha: this.alpha };
  }

  choose(scope: DecisionScope, topK: number): Choice {
    const best = scope.best(this.request());
    if (!best) return { ranked: [], propensity: Number.NaN };
    const ranked = topK > 1 ? chosenFirst(best.best, scope.rank(this.request(), topK), topK) : [best.best];
    return { ranked, propensity: 1 / best.tied };
  }

  distribution(scope: DecisionScope): Map<number, number> {
    const tied = scope.tiedBest(this.request(), DISTRIBUTION_LIMIT) ?? [];
    return new Map(tied.map((a) => [a.index, 1 / tied.length]));
  }
}
