import type { ScoredAction } from "../search/action-search.js";
import { type Choice, chosenFirst, type DecisionScope, type ExplorationRule } from "./scope.js";

/** Epsilon schedule: a fixed rate, or one that halves every `halfLife` observations down to `floor`. */
export interface EpsilonSchedule {
  epsilon: number;
  halfLife?: number;
  floor?: number;
}

/**
 * Epsilon-greedy: the greedy action with probability 1 − ε (exact ties broken at random), a uniformly drawn
 * feasible action otherwise. Exact propensity: (1 − ε)·[a is tied best] / (number tied) + ε / (number of
 * feasible actions).
 */
export class EpsilonGreedyRule implements ExplorationRule {
  readonly name = "epsilon-greedy";

  constructor(private readonly schedule: EpsilonSchedule) {}

  /** ε after `observations` weighted observations. */
  epsilonAt(observations: number): number {
    const { epsilon, halfLife, floor = 0 } = this.schedule;
    if (!halfLife) return epsilon;
    return Math.max(floor, epsilon * 2 ** (-observations / halfLife));
  }

  choose(scope: DecisionScope, topK: number): Choice {
    const eps = this.epsilonAt(scope.model?.observations ?? 0);
    const best = scope.best({ mode: "mean" });
    if (!best) return { ranked: [], propensity: Number.NaN };
    const explore = scope.rng.next() < eps;
    const chosen: ScoredAction = explore ? scope.uniform() : best.best;
    const isBest = scope.scoreOf(chosen.codes) === best.best.score;
    const propensity = (isBest ? (1 - eps) / best.tied : 0) + eps / scope.count();
    const others = topK > 1 ? scope.rank({ mode: "mean" }, topK) : [];
    return { ranked: chosenFirst(chosen, others, topK), propensity };
  }

  distribution(scope: DecisionScope): Map<number, number> {
    const eps = this.epsilonAt(scope.model?.observations ?? 0);
    const all = scope.feasibleIndexes(Number.POSITIVE_INFINITY) ?? [];
    const out = new Map(all.map((a) => [a, eps / all.length]));
    const tied = scope.tiedBest({ mode: "mean" }, all.length) ?? [];
    for (const a of tied) out.set(a.index, (out.get(a.index) ?? 0) + (1 - eps) / tied.length);
    return out;
  }
}
