import type { Blocks } from "../models/blocks.js";
import { argmaxProbability } from "./argmax-probability.js";
import type { Choice, DecisionScope, ExplorationRule } from "./scope.js";

/**
 * Thompson sampling: rank by one posterior draw. Propensities:
 * - exact, by numerical integration, when every unit's draw is an independent normal (linear models) and
 *   nothing couples the blocks (no constraints, no excluded combinations): the chosen action's probability
 *   is then the product over blocks of P(its unit draws the block's maximum);
 * - otherwise Monte Carlo: `draws` further posterior draws (from a separate stream, so estimating never
 *   changes the decision) and the share that pick the same action, counting the decision's own draw:
 *   (1 + matches) / (1 + draws).
 * `draws: 0` skips both and reports NaN.
 */
export class ThompsonRule implements ExplorationRule {
  readonly name = "thompson";

  constructor(private readonly draws = 100) {}

  choose(scope: DecisionScope, topK: number): Choice {
    const ranked = scope.rank({ mode: "sample", rng: scope.rng }, topK);
    if (ranked.length === 0 || this.draws === 0) return { ranked, propensity: Number.NaN };
    const exact = GaussianBlocks.of(scope);
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
    const exact = GaussianBlocks.of(scope);
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

/** Per-unit Gaussian draws of one decision, with the allowed units of each block. */
class GaussianBlocks {
  private readonly cache = new Map<number, number>();

  private constructor(
    private readonly blocks: Blocks,
    private readonly means: Float64Array,
    private readonly sds: Float64Array,
    private readonly allowed: number[][],
  ) {}

  /** The exact setting for this decision, or undefined when it does not apply. */
  static of(scope: DecisionScope): GaussianBlocks | undefined {
    const model = scope.model;
    if (!model?.gaussianScores || scope.space.hasConstraints || scope.eligibility.deniedActions.size > 0) {
      return undefined;
    }
    const blocks = model.blocks;
    const means = new Float64Array(blocks.unitCount);
    const sds = new Float64Array(blocks.unitCount);
    model.gaussianScores(scope.x, means, sds);
    const allowed = blocks.dims.map((_, b) => {
      const units: number[] = [];
      for (let c = 0; c < blocks.sizes[b]!; c++) {
        if (blocks.allowed(b, c, scope.eligibility.masks)) units.push(blocks.offsets[b]! + c);
      }
      return units;
    });
    return new GaussianBlocks(blocks, means, sds, allowed);
  }

  /** Probability that Thompson sampling picks the action with these codes. */
  probability(codes: ArrayLike<number>): number {
    let p = 1;
    for (let b = 0; b < this.blocks.count; b++) {
      const unit = this.blocks.offsets[b]! + this.blocks.blockCode(b, codes);
      let q = this.cache.get(unit);
      if (q === undefined) {
        q = argmaxProbability(this.means, this.sds, this.allowed[b]!, unit);
        this.cache.set(unit, q);
      }
      p *= q;
    }
    return p;
  }
}
