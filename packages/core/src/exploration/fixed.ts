import { NoEligibleActionError } from "../errors.js";
import type { ScoredAction } from "../search/action-search.js";
import type { Choice, DecisionScope, ExplorationRule } from "./scope.js";

/**
 * Business as usual: always the configured action, or the first feasible of its fallbacks when the
 * customer is not eligible for it. Used for control groups. Propensity 1.
 */
export class FixedRule implements ExplorationRule {
  readonly name = "fixed";

  constructor(private readonly actions: readonly number[]) {}

  private feasible(scope: DecisionScope): ScoredAction[] {
    const out: ScoredAction[] = [];
    for (const index of this.actions) {
      const codes = scope.space.codesOf(index);
      if (scope.space.isFeasible(codes, scope.eligibility)) out.push({ codes, index, score: Number.NaN });
    }
    return out;
  }

  choose(scope: DecisionScope, topK: number): Choice {
    const ranked = this.feasible(scope);
    if (ranked.length === 0)
      throw new NoEligibleActionError("the fixed action and its fallbacks are all ineligible");
    return { ranked: ranked.slice(0, topK), propensity: 1 };
  }

  distribution(scope: DecisionScope): Map<number, number> {
    const [first] = this.feasible(scope);
    return new Map(first ? [[first.index, 1]] : []);
  }
}
