import type { ScoredAction } from "../search/action-search.js";
import type { Choice, DecisionScope, ExplorationRule } from "./scope.js";

/** Uniform over the feasible actions: the random control. Exact propensity 1 / (number feasible). */
export class UniformRule implements ExplorationRule {
  readonly name = "random";

  choose(scope: DecisionScope, topK: number): Choice {
    const ranked: ScoredAction[] = [];
    const seen = new Set<number>();
    const wanted = Math.min(topK, scope.count());
    while (ranked.length < wanted) {
      const a = scope.uniform();
      if (!seen.has(a.index)) {
        seen.add(a.index);
        ranked.push(a);
      }
    }
    return { ranked, propensity: 1 / scope.count() };
  }

  distribution(scope: DecisionScope): Map<number, number> {
    const all = scope.feasibleIndexes(Number.POSITIVE_INFINITY) ?? [];
    return new Map(all.map((a) => [a, 1 / all.length]));
  }
}
