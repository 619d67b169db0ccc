import type { ActionSpace, CompiledEligibility } from "../action-space.js";
import type { RewardModel, ScoreRequest } from "../models/reward-model.js";
import type { Rng } from "../rng.js";
import type { ActionSearch, ScoredAction } from "../search/action-search.js";
import type { TiedBest } from "../search/tied-best.js";

/**
 * Everything an exploration rule may use for one decision: the model, the search and the randomness. A
 * policy keeps one and starts it anew for each decision ({@link begin}): decisions are synchronous and no
 * rule keeps a scope.
 */
export class DecisionScope {
  private feasibleCount: number | undefined;
  private propensityStream: Rng | undefined;
  model: RewardModel | undefined;
  /** The decision's encoded context and compiled eligibility. */
  x: Float64Array;
  eligibility: CompiledEligibility;
  /** Draws of the decision itself, keyed by its id. */
  rng: Rng;

  constructor(
    readonly space: ActionSpace,
    private readonly search: ActionSearch | undefined,
    /** Makes the stream used only to estimate propensities, so estimating never changes the decision. */
    private readonly makePropensityRng: () => Rng,
    private readonly unitScores: Float64Array,
  ) {
    // Placeholders until the first decision begins.
    this.x = new Float64Array(0);
    this.eligibility = space.compileEligibility(undefined);
    this.rng = { next: () => Number.NaN };
  }

  /** Starts a decision: its model, context, eligibility and generator; forgets the last one's caches. */
  begin(model: RewardModel | undefined, x: Float64Array, eligibility: CompiledEligibility, rng: Rng): this {
    this.model = model;
    this.x = x;
    this.eligibility = eligibility;
    this.rng = rng;
    this.feasibleCount = undefined;
    this.propensityStream = undefined;
    return this;
  }

  /** Draws used only to estimate propensities (created on first use: most rules never need it). */
  get propensityRng(): Rng {
    this.propensityStream ??= this.makePropensityRng();
    return this.propensityStream;
  }

  /** The k best feasible actions under the model's scores for a request. */
  rank(request: ScoreRequest, k: number, rng: Rng = this.rng): ScoredAction[] {
    return this.searchFor(request).topK(this.unitScores, this.eligibility, k, rng);
  }

  /**
   * The k best feasible actions under one scoring, the first picked at random among those tied for the best
   * (so it follows the same law whatever k; {@link rank} orders ties by index).
   */
  rankTiesAtRandom(request: ScoreRequest, k: number, rng: Rng = this.rng): ScoredAction[] {
    const search = this.searchFor(request);
    const best = search.ties.pick(this.unitScores, this.eligibility, rng)?.best;
    if (!best) return [];
    if (k === 1) return [best];
    const rest = search.topK(this.unitScores, this.eligibility, k, rng).filter((a) => a.index !== best.index);
    return [best, ...rest].slice(0, k);
  }

  /** The best feasible action under a scoring, exact ties broken at random, with the size of its tie set. */
  best(request: ScoreRequest): TiedBest | undefined {
    return this.searchFor(request).ties.pick(this.unitScores, this.eligibility, this.rng);
  }

  /** Every feasible action tied for the best score under a scoring, or undefined beyond `limit`. */
  tiedBest(request: ScoreRequest, limit: number): ScoredAction[] | undefined {
    return this.searchFor(request).ties.all(this.unitScores, this.eligibility, this.rng, limit);
  }

  /** The best feasible action under unit scores the rule computed itself, ties at random, with its tie count. */
  bestUnder(unitScores: Float64Array, rng: Rng = this.rng): TiedBest | undefined {
    return this.searchOnly().ties.pick(unitScores, this.eligibility, rng);
  }

  /** The k best feasible actions under unit scores the rule computed itself (ties by index). */
  rankUnder(unitScores: Float64Array, k: number, rng: Rng = this.rng): ScoredAction[] {
    return this.searchOnly().topK(unitScores, this.eligibility, k, rng);
  }

  /** Score of an action under the latest scoring (the sum of its units' scores). */
  scoreOf(codes: ArrayLike<number>): number {
    const blocks = this.model!.blocks;
    let score = 0;
    for (let b = 0; b < blocks.count; b++)
      score += this.unitScores[blocks.offsets[b]! + blocks.blockCode(b, codes)]!;
    return score;
  }

  private searchFor(request: ScoreRequest): ActionSearch {
    const search = this.searchOnly();
    this.model!.scoreUnits(this.x, request, this.unitScores);
    return search;
  }

  private searchOnly(): ActionSearch {
    if (!this.model || !this.search) throw new Error("this exploration rule needs a reward model");
    return this.search;
  }

  /** Number of feasible actions for this decision. */
  count(): number {
    this.feasibleCount ??= this.space.countFeasible(this.eligibility);
    return this.feasibleCount;
  }

  /** A feasible action drawn uniformly. */
  uniform(rng: Rng = this.rng): ScoredAction {
    const codes = this.space.sampleFeasible(rng, this.eligibility);
    return { codes, index: this.space.indexOfCodes(codes), score: Number.NaN };
  }

  /** Every feasible action's index, when there are at most `limit`; undefined otherwise. */
  feasibleIndexes(limit: number): number[] | undefined {
    if (this.count() > limit) return undefined;
    const out: number[] = [];
    this.space.forEachFeasible(this.eligibility, (codes) => {
      out.push(this.space.indexOfCodes(codes));
      return true;
    });
    return out;
  }
}

/** What a rule chose: ranked actions (the chosen one first) and the chosen one's propensity. */
export interface Choice {
  ranked: ScoredAction[];
  propensity: number;
  /** Standard error of `propensity` when the rule estimates it (0 when computed exactly); see Decision. */
  propensityError?: number;
}

/** An exploration rule: how to turn a reward model's beliefs into one choice and its probability. */
export interface ExplorationRule {
  readonly name: string;
  /**
   * Whether decisions still waiting for their reward should narrow the model's confidence widths
   * (optimistic rules: spreads a batch of decisions over the uncertain options instead of repeating one).
   */
  readonly countsPending?: boolean;
  /**
   * Whether its decisions score with the model's widths and leave the model unchanged (Thompson sampling):
   * a batch's widths can then be computed together before its decisions.
   */
  readonly scoresWithWidths?: boolean;
  /** Picks an action and reports its propensity; `ranked` holds up to `topK` actions, the chosen one first. */
  choose(scope: DecisionScope, topK: number): Choice;
  /** The rule's probability of each feasible action (exact or Monte-Carlo, as the rule documents). */
  distribution(scope: DecisionScope): Map<number, number>;
}

/** Puts `chosen` first and fills up to k with the others in their order, without duplicates. */
export function chosenFirst(
  chosen: ScoredAction,
  others: readonly ScoredAction[],
  k: number,
): ScoredAction[] {
  const out = [chosen];
  for (const a of others) {
    if (out.length >= k) break;
    if (a.index !== chosen.index) out.push(a);
  }
  return out;
}
