import type { Choice, DecisionScope, ExplorationRule, Rng } from "@kairos/core";
import type { EnsembleModel } from "./ensemble-model.js";

/** A stream that always yields the same value: makes a `sample` request score with one chosen member. */
const constant = (value: number): Rng => ({ next: () => value });

/**
 * Thompson sampling over a bootstrapped ensemble with its exact propensity: the decision draws member m
 * uniformly (from its own stream, keyed by the decision id) and takes that member's best feasible action,
 * so P(action) = (number of members whose best feasible action it is) / members. Every member's best action
 * is computed for this context and eligibility (members × one search), so the propensity is exact whenever
 * the search is (best-first within `maxVisits`; beyond it the search's randomised fallback makes it an
 * estimate). Exact score ties between actions within one member are broken by action index.
 */
export class EnsembleThompsonRule implements ExplorationRule {
  readonly name = "ensemble-thompson";

  constructor(private readonly members: number) {}

  private memberRng(m: number): Rng {
    return constant((m + 0.5) / this.members);
  }

  choose(scope: DecisionScope, topK: number): Choice {
    const model = scope.model as EnsembleModel;
    const m = model.memberOf(scope.rng.next());
    const best = scope.rank({ mode: "sample", rng: this.memberRng(m) }, 1, scope.propensityRng);
    if (best.length === 0) return { ranked: [], propensity: Number.NaN };
    const chosen = best[0]!;
    let ranked = best;
    if (topK > 1) {
      const more = scope.rank({ mode: "sample", rng: this.memberRng(m) }, topK, scope.propensityRng);
      ranked = [chosen, ...more.filter((a) => a.index !== chosen.index)].slice(0, topK);
    }
    let wins = 0;
    for (let k = 0; k < this.members; k++) {
      if (k === m) wins++;
      else if (
        scope.rank({ mode: "sample", rng: this.memberRng(k) }, 1, scope.propensityRng)[0]?.index ===
        chosen.index
      )
        wins++;
    }
    return { ranked, propensity: wins / this.members, propensityError: 0 };
  }

  distribution(scope: DecisionScope): Map<number, number> {
    const out = new Map<number, number>();
    for (let k = 0; k < this.members; k++) {
      const best = scope.rank({ mode: "sample", rng: this.memberRng(k) }, 1, scope.propensityRng)[0];
      if (best) out.set(best.index, (out.get(best.index) ?? 0) + 1 / this.members);
    }
    return out;
  }
}
