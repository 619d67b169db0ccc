import type { ScoredAction } from "../search/action-search.js";
import { type Choice, chosenFirst, type DecisionScope, type ExplorationRule } from "./scope.js";

/**
 * SquareCB (Foster & Rakhlin, 2020): inverse-gap weighting over the reward model's mean predictions.
 * Each non-best action a gets p(a) = 1 / (K + γ·(ŷ* − ŷ_a)); the best gets the rest. γ grows as
 * `gammaScale`·√(K·t) / (reward range width), t the number of observations, so exploration fades as the
 * model learns. K is the number of feasible actions, or the `maxCandidates` best of them when there are
 * more (an approximation for very large spaces, documented in the README). Actions tied for the best share
 * its probability equally (untried options tie at the start). Propensities are exact.
 */
export class SquareCbRule implements ExplorationRule {
  readonly name = "squarecb";

  constructor(
    private readonly gammaScale = 10,
    private readonly rewardWidth = 1,
    private readonly maxCandidates = 256,
  ) {}

  private weights(scope: DecisionScope): { candidates: ScoredAction[]; probs: Float64Array } {
    const candidates = scope.rank({ mode: "mean" }, Math.min(scope.count(), this.maxCandidates));
    const k = candidates.length;
    const probs = new Float64Array(k);
    if (k === 0) return { candidates, probs };
    const t = scope.model?.observations ?? 0;
    const gamma = (this.gammaScale * Math.sqrt(k * (t + 1))) / this.rewardWidth;
    const best = candidates[0]!.score;
    let tied = 1;
    while (tied < k && candidates[tied]!.score === best) tied++;
    let rest = 0;
    for (let i = tied; i < k; i++) {
      probs[i] = 1 / (k + gamma * (best - candidates[i]!.score));
      rest += probs[i]!;
    }
    probs.fill((1 - rest) / tied, 0, tied);
    return { candidates, probs };
  }

  choose(scope: DecisionScope, topK: number): Choice {
    const { candidates, probs } = this.weights(scope);
    if (candidates.length === 0) return { ranked: [], propensity: Number.NaN };
    let u = scope.rng.next();
    let pick = 0;
    while (pick < probs.length - 1 && u >= probs[pick]!) u -= probs[pick++]!;
    return { ranked: chosenFirst(candidates[pick]!, candidates, topK), propensity: probs[pick]! };
  }

  distribution(scope: DecisionScope): Map<number, number> {
    const { candidates, probs } = this.weights(scope);
    return new Map(candidates.map((a, i) => [a.index, probs[i]!]));
  }
}
