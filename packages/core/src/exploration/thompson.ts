import type { Blocks } from "../models/blocks.js";
import type { RewardModel } from "../models/reward-model.js";
import { argmaxProbability } from "./argmax-probability.js";
import {
  betaDraws,
  posteriorArgmaxProbability,
  studentDraws,
  type UnitDraws,
} from "./posterior-argmax-probability.js";
import type { Choice, DecisionScope, ExplorationRule } from "./scope.js";

/**
 * Thompson sampling: rank by one posterior draw. Propensities:
 * - exact, by numerical integration, when every unit's draw is an independent normal (linear models), Beta
 *   with shapes ≥ 1 (Beta–Bernoulli) or Student-t with ≥ 30 degrees of freedom (Normal–Inverse-Gamma), the
 *   last two computed once per unit and model revision as their posteriors do not depend on the context,
 *   and nothing couples the blocks (no constraints, no excluded combinations): the chosen action's
 *   probability is then the product over blocks of P(its unit draws the block's maximum);
 * - otherwise Monte Carlo: `draws` further posterior draws (from a separate stream, so estimating never
 *   changes the decision) and the share that pick the same action, counting the decision's own draw:
 *   (1 + matches) / (1 + draws).
 * `draws: 0` skips both and reports NaN.
 */
export class ThompsonRule implements ExplorationRule {
  readonly name = "thompson";
  private readonly betaCache = new ContextFreeCache();

  constructor(private readonly draws = 100) {}

  choose(scope: DecisionScope, topK: number): Choice {
    const ranked = scope.rank({ mode: "sample", rng: scope.rng }, topK);
    if (ranked.length === 0 || this.draws === 0) return { ranked, propensity: Number.NaN };
    const exact = ExactBlocks.of(scope, this.betaCache);
    // The action was drawn, so its probability is positive: never log a numerical 0 (IPS divides by it).
    if (exact) return { ranked, propensity: Math.max(exact.probability(ranked[0]!.codes), Number.EPSILON) };
    let matches = 0;
    for (let i = 0; i < this.draws; i++) {
      const [best] = scope.rank({ mode: "sample", rng: scope.propensityRng }, 1, scope.propensityRng);
      if (best?.index === ranked[0]!.index) matches++;
    }
    return { ranked, propensity: (1 + matches) / (1 + this.draws) };
  }

  distribution(scope: DecisionScope): Map<number, number> {
    const exact = ExactBlocks.of(scope, this.betaCache);
    if (exact) {
      const out = new Map<number, number>();
      scope.space.forEachFeasible(scope.eligibility, (codes) => {
        out.set(scope.space.indexOfCodes(codes), exact.probability(codes));
        return true;
      });
      return out;
    }
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

/**
 * Student-t posteriors (Normal–Inverse-Gamma) have heavy tails while data are few; from 30 degrees of freedom
 * (about 28 observations per unit under the default prior) the integration range of 30 sds holds all but
 * 1e-13 of every draw. Fewer, and Monte Carlo it is.
 */
const MIN_DEGREES_OF_FREEDOM = 30;

/** Per-unit win probabilities, by block: P(a unit's draw is its block's maximum among the allowed units). */
type UnitProbability = (units: readonly number[], unit: number) => number;

/** The exact setting of one decision: independent per-unit draws and the allowed units of each block. */
class ExactBlocks {
  private constructor(
    private readonly blocks: Blocks,
    private readonly allowed: number[][],
    private readonly unitProbability: UnitProbability,
    /** Win probabilities already computed, by unit (shared across decisions for context-free models). */
    private readonly cache: Map<number, number>,
  ) {}

  /**
   * The exact setting for this decision, or undefined when it does not apply: constraints or excluded
   * combinations couple the blocks, or the model's draws are not of a kind integrated here.
   */
  static of(scope: DecisionScope, shared: ContextFreeCache): ExactBlocks | undefined {
    const model = scope.model;
    if (!model || scope.space.hasConstraints || scope.eligibility.deniedActions.size > 0) return undefined;
    const blocks = model.blocks;
    const allowed = blocks.dims.map((_, b) => {
      const units: number[] = [];
      for (let c = 0; c < blocks.sizes[b]!; c++) {
        if (blocks.allowed(b, c, scope.eligibility.masks)) units.push(blocks.offsets[b]! + c);
      }
      return units;
    });
    if (model.gaussianScores) {
      const means = new Float64Array(blocks.unitCount);
      const sds = new Float64Array(blocks.unitCount);
      model.gaussianScores(scope.x, means, sds);
      return new ExactBlocks(
        blocks,
        allowed,
        (units, u) => argmaxProbability(means, sds, units, u),
        new Map(),
      );
    }
    // Context-free posteriors do not depend on the context: one computation per unit serves every decision
    // until the model changes.
    const posterior = contextFreeDraws(model, blocks.unitCount);
    if (!posterior) return undefined;
    let draws: UnitDraws | undefined; // built on a cache miss only
    return new ExactBlocks(
      blocks,
      allowed,
      (units, u) => posteriorArgmaxProbability((draws ??= posterior.make()), units, u),
      shared.for(model, posterior.revision, scope.eligibility.key),
    );
  }

  /** Probability that Thompson sampling picks the action with these codes. */
  probability(codes: ArrayLike<number>): number {
    let p = 1;
    for (let b = 0; b < this.blocks.count; b++) {
      const unit = this.blocks.offsets[b]! + this.blocks.blockCode(b, codes);
      let q = this.cache.get(unit);
      if (q === undefined) {
        q = this.unitProbability(this.allowed[b]!, unit);
        this.cache.set(unit, q);
      }
      p *= q;
    }
    return p;
  }
}

/**
 * A context-free model's posterior draws when they can be integrated, with the model's revision: Beta with
 * every shape ≥ 1 (bounded densities), or Student-t with ≥ MIN_DEGREES_OF_FREEDOM everywhere.
 */
function contextFreeDraws(
  model: RewardModel,
  n: number,
): { revision: number; make: () => UnitDraws } | undefined {
  if (model.betaShapes) {
    const alphas = new Float64Array(n);
    const betas = new Float64Array(n);
    const revision = model.betaShapes(alphas, betas);
    if (alphas.some((a) => a < 1) || betas.some((b) => b < 1)) return undefined;
    return { revision, make: () => betaDraws(alphas, betas) };
  }
  if (model.studentScores) {
    const location = new Float64Array(n);
    const scale = new Float64Array(n);
    const dof = new Float64Array(n);
    const revision = model.studentScores(location, scale, dof);
    if (dof.some((v) => v < MIN_DEGREES_OF_FREEDOM)) return undefined;
    return { revision, make: () => studentDraws(location, scale, dof) };
  }
  return undefined;
}

/** Win probabilities of a context-free model, valid for one model revision and one eligible set. */
class ContextFreeCache {
  private model: RewardModel | undefined;
  private revision = -1;
  private eligibility = "";
  private probabilities = new Map<number, number>();

  for(model: RewardModel, revision: number, eligibility: string): Map<number, number> {
    if (model !== this.model || revision !== this.revision || eligibility !== this.eligibility) {
      this.model = model;
      this.revision = revision;
      this.eligibility = eligibility;
      this.probabilities = new Map();
    }
    return this.probabilities;
  }
}
