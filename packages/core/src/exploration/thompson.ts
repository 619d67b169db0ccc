import type { Choice, DecisionScope, ExplorationRule } from "./scope.js";

/**
 * Thompson sampling: rank by one posterior draw. The propensity has no closed form, so it is estimated by
 * Monte Carlo: `draws` further posterior draws (from a separate stream, so estimating never changes the
 * decision) and the share that pick the same action, counting the decision's own draw:
 * (1 + matches) / (1 + draws). `draws: 0` skips the estimate and reports NaN.
 */
export class ThompsonRule implements ExplorationRule {
  readonly name = "thompson";

  constructor(private readonly draws = 100) {}

  choose(scope: DecisionScope, topK: number): Choice {
    const ranked = scope.rank({ mode: "sample", rng: scope.rng }, topK);
    if (ranked.length === 0 || this.draws === 0) return { ranked, propensity: Number.NaN };
    let matches = 0;
    for (let i = 0; i < this.draws; i++) {
      const [best] = scope.rank({ mode: "sample", rng: scope.propensityRng }, 1, scope.propensityRng);
      if (best?.index === ranked[0]!.index) matches++;
    }
    return { ranked, propensity: (1 + matches) / (1 + this.draws) };
  }

  distribution(scope: DecisionScope): Map<number, number> {
    const draws = Math.max(this.draws, 1);
    const counts = new Map<number, number>();
    for (let i = 0; i < draws; i++) {
      const [best] = scope.rank({ mode: "sample", rng: scope.propensityRng }, 1, scope.propensityRng);
      if (best) counts.set(best.index, (counts.get(best.index) ?? 0) + 1);
    }
    for (const [a, c] of counts) counts.set(a, c / draws);
    return counts;
  }
}
