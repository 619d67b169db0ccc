import type { ScoredAction } from "../search/action-search.js";
import { type Choice, chosenFirst, type DecisionScope, type ExplorationRule } from "./scope.js";

/** Epsilon schedule: a fixed rate, or one that halves every `halfLife` observations down to `floor`. */
export interface EpsilonSchedule {
  epsilon: number;
  halfLife?: number;
  floor?: number;
}

/**
 * Epsilon-greedy: the greedy action with probability 1 − ε, a uniformly drawn feasible action otherwise.
 * Exact propensity: (1 − ε)·[a is greedy] + ε / (number of feasible actions).
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
    const greedy = scope.rank({ mode: "mean" }, topK);
    if (greedy.length === 0) return { ranked: greedy, propensity: Number.NaN };
    const explore = scope.rng.next() < eps;
    const chosen: ScoredAction = explore ? scope.uniform() : greedy[0]!;
    const uniformShare = eps / scope.count();
    const propensity = (chosen.index === greedy[0]!.index ? 1 - eps : 0) + uniformShare;
    return { ranked: chosenFirst(chosen, greedy, topK), propensity };
  }

  distribution(scope: DecisionScope): Map<number, number> {
    const eps = this.epsilonAt(scope.model?.observations ?? 0);
    const all = scope.feasibleIndexes(Number.POSITIVE_INFINITY) ?? [];
    const out = new Map(all.map((a) => [a, eps / all.length]));
    const [best] = scope.rank({ mode: "mean" }, 1);
    if (best) out.set(best.index, (out.get(best.index) ?? 0) + 1 - eps);
    return out;
  }
}
