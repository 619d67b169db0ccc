import type { RewardModel } from "../models/reward-model.js";
import {
  type GaussianPosterior,
  hasBetaPosterior,
  hasGaussianPosterior,
  hasStudentPosterior,
} from "../models/thompson-posterior.js";
import { createRng, type Rng } from "../rng.js";
import type { ScoredAction } from "../search/action-search.js";
import { argmaxProbability } from "./argmax-probability.js";
import { optimisticArgmaxProbability } from "./optimistic-argmax-probability.js";
import { betaDraws, studentDraws, type UnitDraws } from "./posterior-argmax-probability.js";
import type { Choice, DecisionScope, ExplorationRule } from "./scope.js";
import {
  CompletionBudgetExceeded,
  type ComponentTable,
  ContextFreeLaw,
  type Estimate,
  estimateComponent,
  GaussianLaw,
  infeasibleMass,
  ROUNDS,
  tableEstimate,
  tabulateComponent,
  type UnitLaw,
} from "./thompson-estimator.js";
import { forEachAssignment, type ThompsonStructure, thompsonStructure } from "./thompson-structure.js";

/** Draws per component of `actionProbabilities` on the estimated path, per `propensityDraws`. */
const DISTRIBUTION_DRAWS_PER_DRAW = 10;
/** Draws per component of a context-free model's table (computed once per model revision), per draw. */
const TABLE_DRAWS_PER_DRAW = 20;
/** Excluded actions are estimated in layers when the mass they can move is at most this share of p. */
const LAYER_SHARE = 0.01;
/** Full redraws the geometric estimate may make, per `propensityDraws`, before it stops. */
const GEOMETRIC_LIMIT_PER_DRAW = 100;

/**
 * Thompson sampling: rank by one posterior draw (the decision's own stream, keyed by its id). The reported
 * propensity is P(this policy, in this model state, chooses this action for this context):
 *
 * - Exact (numerical integration) for every block that nothing couples to another: eligibility masks,
 *   constraints inside one block and excluded actions of a one-block (joint) model only remove units from
 *   their block, whose choice is its own argmax; the probability is the product over blocks of P(the
 *   action's unit draws its block's maximum), with Gaussian (linear models), Beta (Beta–Bernoulli, any
 *   shapes) or Student-t (Normal–Inverse-Gamma, any degrees of freedom) draws. `propensityError` is 0.
 * - Blocks coupled by constraints across them, or by excluded actions of a multi-block model, contribute
 *   a Rao–Blackwellised, self-normalised estimate (see thompson-estimator.ts): the exact unconstrained
 *   probability P₀ plus the exact mass q that constraints move, times the share of it the action receives,
 *   estimated over `draws` draws of all but one block (that one integrated exactly per draw) from a
 *   separate stream. It always lies in [P₀, P₀ + q], so |error| ≤ q whatever the draws; it is consistent
 *   (bias O(1/draws)) and exact when one action takes all of q. `propensityError` is its standard error
 *   (delta method, floored so that rare corrections are not reported as exact). For context-free models
 *   the estimate is made once per model revision and eligible set, with 20 × `draws` draws.
 * - Models that state no per-unit law (correlated draws), zero-width draws that tie (all-zero context: the
 *   search's tie rule decides), or constraint searches out of budget: geometric trials. Full redraws until
 *   the chosen action comes up again, N of them; the propensity is 1/N, so 1/propensity is an unbiased
 *   estimate of 1/p (E[N] = 1/p) for inverse-propensity weighting, up to a truncation at 100 × `draws`
 *   redraws (reported as 1/limit; biased only when p ≲ 3/limit). `propensityError` is the delta-method
 *   standard error √(1 − 1/N)/N.
 *
 * Estimation draws never touch the decision's stream, so estimating never changes the decision.
 * `draws: 0` skips the propensity (NaN).
 */
export class ThompsonRule implements ExplorationRule {
  readonly name = "thompson";
  readonly scoresWithWidths = true;
  private readonly contextFree = new ContextFreeCache();
  private readonly posterior = new ContextFreePosterior();
  private means = new Float64Array(0);
  private sds = new Float64Array(0);

  constructor(private readonly draws = 100) {}

  choose(scope: DecisionScope, topK: number): Choice {
    const ranked = this.sample(scope, scope.rng, topK);
    if (ranked.length === 0 || this.draws === 0) return { ranked, propensity: Number.NaN };
    const exact = this.independentGaussian(scope, ranked[0]!);
    if (exact !== undefined)
      return { ranked, propensity: Math.min(1, Math.max(exact, Number.EPSILON)), propensityError: 0 };
    const { value, error } = this.propensity(scope, ranked[0]!);
    // The action was drawn, so its probability is positive: never log a numerical 0 (IPS divides by it).
    return { ranked, propensity: Math.min(1, Math.max(value, Number.EPSILON)), propensityError: error };
  }

  /**
   * Every feasible action's probability: exact where every block is free; else the exact unconstrained
   * part plus a self-normalised estimate of the correction (10 × `draws` draws per component, and as many
   * again, up to ROUNDS times, while an action's estimate is less precise than a decision's must be; sums
   * to 1, never below the exact unconstrained probability); for models without per-unit laws, the
   * frequencies of 10 × `draws` full redraws.
   */
  distribution(scope: DecisionScope): Map<number, number> {
    const out = new Map<number, number>();
    const model = scope.model;
    const setting = model ? this.setting(scope, model) : undefined;
    if (!model || !setting) return this.redrawFrequencies(scope);
    const { structure, law } = setting;
    const blocks = model.blocks;
    let perComponent: Map<number, number>[];
    try {
      perComponent = structure.components.map((component, i) => {
        const table = setting.table
          ? setting.table(i)
          : tabulateComponent(
              component,
              structure,
              law,
              Math.max(this.draws, 1) * DISTRIBUTION_DRAWS_PER_DRAW,
              scope.propensityRng,
              blocks.unitCount,
              ROUNDS,
            );
        return normalisedComponent(table, structure, i);
      });
    } catch (error) {
      if (error instanceof CompletionBudgetExceeded) return this.redrawFrequencies(scope);
      throw error;
    }
    const units = new Int32Array(blocks.count);
    scope.space.forEachFeasible(scope.eligibility, (codes) => {
      blocks.unitsOf(codes, units);
      let p = 1;
      for (let b = 0; b < blocks.count; b++) if (structure.componentOf[b]! < 0) p *= law.win(b, units[b]!);
      structure.components.forEach((component, i) => {
        p *= perComponent[i]!.get(component.partialIndex(units)) ?? 0;
      });
      out.set(scope.space.indexOfCodes(codes), Math.min(1, p));
      return true;
    });
    return out;
  }

  /**
   * The hot path (linear models, nothing coupled): the product over blocks of the integrals, without the
   * law and setting objects of the general path; undefined when it does not apply.
   */
  private independentGaussian(scope: DecisionScope, chosen: ScoredAction): number | undefined {
    const model = scope.model;
    if (!model || !hasGaussianPosterior(model)) return undefined;
    const blocks = model.blocks;
    const structure = thompsonStructure(blocks, scope.eligibility);
    if (!structure.independent) return undefined;
    this.readGaussian(scope.x, model);
    const optimistic = isOptimistic(model);
    // Optimistic draws' ties (options with equal means) are integrated: the blocks are independent, so
    // each block's tie is broken uniformly at random, as the integral assumes.
    if (!optimistic && tiedPointMasses(this.means, this.sds, structure.allowed)) return undefined;
    const argmax = optimistic ? optimisticArgmaxProbability : argmaxProbability;
    let p = 1;
    for (let b = 0; b < blocks.count; b++) {
      const unit = blocks.offsets[b]! + blocks.blockCode(b, chosen.codes);
      p *= argmax(this.means, this.sds, structure.allowed[b]!, unit);
    }
    return p;
  }

  /** Fills `means` and `sds` with the laws of a linear model's draws for context x. */
  private readGaussian(x: Float64Array, model: RewardModel & GaussianPosterior): void {
    const n = model.blocks.unitCount;
    if (this.means.length !== n) {
      this.means = new Float64Array(n);
      this.sds = new Float64Array(n);
    }
    model.gaussianScores(x, this.means, this.sds);
  }

  private propensity(scope: DecisionScope, chosen: ScoredAction): Estimate {
    const model = scope.model;
    const setting = model ? this.setting(scope, model) : undefined;
    if (!model || !setting) return this.geometric(scope, chosen);
    const { structure, law } = setting;
    const blocks = model.blocks;
    const units = blocks.unitsOf(chosen.codes, new Int32Array(blocks.count));
    if (structure.layered && !setting.table) {
      try {
        const layered = this.layered(scope, structure, law, units, blocks.unitCount);
        if (layered) return layered;
      } catch (error) {
        if (!(error instanceof CompletionBudgetExceeded)) throw error;
      }
    }
    let value = 1;
    let squares = 1; // Π μ²
    let moments = 1; // Π (μ² + σ²): independent factors, Var(Π) = Π(μ² + σ²) − Π μ²
    for (let b = 0; b < blocks.count; b++) {
      if (structure.componentOf[b]! >= 0) continue;
      const w = law.win(b, units[b]!);
      value *= w;
      squares *= w * w;
      moments *= w * w;
    }
    try {
      structure.components.forEach((component, i) => {
        const estimate = setting.table
          ? tableEstimate(setting.table(i), component, units)
          : estimateComponent(
              component,
              structure,
              law,
              units,
              this.draws,
              scope.propensityRng,
              blocks.unitCount,
            );
        value *= estimate.value;
        squares *= estimate.value * estimate.value;
        moments *= estimate.value * estimate.value + estimate.error * estimate.error;
      });
    } catch (error) {
      if (error instanceof CompletionBudgetExceeded) return this.geometric(scope, chosen);
      throw error;
    }
    return { value, error: Math.sqrt(Math.max(0, moments - squares)) };
  }

  /**
   * Excluded actions of a multi-block model join every block into one component, whose estimate is poor for
   * unlikely actions (a draw must match the action on all but one block). In layers instead: with A′ the
   * choice under the constraints alone (their components are small and independent) and D the excluded
   * actions, P(A = a) = P(A′ = a) + c, 0 ≤ c = P(A′ ∈ D, A = a) ≤ P(A′ ∈ D) ≤ q̄ = Σ_{d∈D} Π (exact
   * per-block probabilities of d, or P₀ + q per constraint component). When q̄ is at most 1% of P(A′ = a),
   * report P(A′ = a) + q̄/2 with the error of P(A′ = a) and q̄/2 (a hard bound on c's) combined; otherwise
   * undefined (the single component is estimated).
   */
  private layered(
    scope: DecisionScope,
    structure: ThompsonStructure,
    law: UnitLaw,
    units: Int32Array,
    unitCount: number,
  ): Estimate | undefined {
    const { components, componentOf, denied } = structure.layered!;
    const blocks = structure.allowed.length;
    let value = 1;
    let squares = 1;
    let moments = 1;
    for (let b = 0; b < blocks; b++) {
      if (componentOf[b]! >= 0) continue;
      const w = law.win(b, units[b]!);
      value *= w;
      squares *= w * w;
      moments *= w * w;
    }
    const slack = components.map((component) => infeasibleMass(component, structure, law) ?? 1);
    let bound = 0;
    for (const d of denied) {
      let p = 1;
      for (let b = 0; b < blocks && p > 0; b++) {
        const c = componentOf[b]!;
        if (c < 0) p *= law.win(b, d[b]!);
        else if (components[c]!.blocks[0] === b) {
          let exact = 1;
          for (const k of components[c]!.blocks) exact *= law.win(k, d[k]!);
          p *= Math.min(1, exact + slack[c]!);
        }
      }
      bound += p;
    }
    // Cheap test first: even the unconstrained probability of a's component parts must dwarf the bound.
    if (bound > LAYER_SHARE * value) return undefined;
    for (const component of components) {
      const estimate = estimateComponent(
        component,
        structure,
        law,
        units,
        this.draws,
        scope.propensityRng,
        unitCount,
      );
      value *= estimate.value;
      squares *= estimate.value * estimate.value;
      moments *= estimate.value * estimate.value + estimate.error * estimate.error;
    }
    if (bound > LAYER_SHARE * value) return undefined;
    const half = bound / 2;
    return { value: value + half, error: Math.sqrt(Math.max(0, moments - squares) + half * half) };
  }

  /** The decision's structure and its units' laws, or undefined when the model states no per-unit law. */
  private setting(scope: DecisionScope, model: RewardModel): Setting | undefined {
    const blocks = model.blocks;
    const n = blocks.unitCount;
    if (hasGaussianPosterior(model)) {
      const structure = thompsonStructure(blocks, scope.eligibility);
      this.readGaussian(scope.x, model);
      // Zero-width draws that tie (e.g. an all-zero context) are chosen by the search's tie rule, which no
      // integral knows: redraw instead. Optimistic draws put half their mass at the mean, so options with
      // equal means tie too; their integral takes the ties where blocks are independent (uniform per block).
      const optimistic = isOptimistic(model);
      if (
        optimistic
          ? !structure.independent && tiedMeans(this.means, structure.allowed)
          : tiedPointMasses(this.means, this.sds, structure.allowed)
      )
        return undefined;
      return { structure, law: new GaussianLaw(this.means, this.sds, structure.allowed, optimistic) };
    }
    const revision = this.posterior.read(model, n);
    if (revision === undefined) return undefined;
    const state = this.contextFree.for(model, revision, scope.eligibility.key);
    if (!state.setting) {
      const structure = thompsonStructure(blocks, scope.eligibility);
      const draws = this.posterior.draws();
      const fingerprint = this.posterior.fingerprint();
      const law = new ContextFreeLaw(draws, structure.allowed, new Map());
      const tables = new Map<number, ComponentTable>();
      const key = scope.eligibility.key;
      const table = (i: number): ComponentTable => {
        let t = tables.get(i);
        if (!t) {
          // Once per revision and eligible set, from a stream keyed by the posterior itself (reproducible,
          // and separate from every decision's draws).
          const rng = createRng(`kairos/thompson#${key}#${i}#${fingerprint}`);
          const count = Math.max(this.draws, 1) * TABLE_DRAWS_PER_DRAW;
          t = tabulateComponent(structure.components[i]!, structure, law, count, rng, n, ROUNDS);
          tables.set(i, t);
        }
        return t;
      };
      state.setting = { structure, law, table };
    }
    return state.setting;
  }

  /**
   * One draw of the rule: the `topK` best actions under a posterior draw from `rng`. Optimistic draws tie
   * whenever options with the same mean (untried ones) all fall at it; the best action is then picked at
   * random among the tied (per block where blocks are independent), so no two dimensions move in lockstep
   * and the integrals' ties are the rule's.
   */
  private sample(scope: DecisionScope, rng: Rng, topK: number): ScoredAction[] {
    const request = { mode: "sample", rng } as const;
    return scope.model !== undefined && isOptimistic(scope.model)
      ? scope.rankTiesAtRandom(request, topK, rng)
      : scope.rank(request, topK, rng);
  }

  /** Geometric trials: full redraws until the chosen action comes up again (see the class comment). */
  private geometric(scope: DecisionScope, chosen: ScoredAction): Estimate {
    const limit = Math.max(this.draws, 1) * GEOMETRIC_LIMIT_PER_DRAW;
    const rng = scope.propensityRng;
    for (let n = 1; n <= limit; n++) {
      const [best] = this.sample(scope, rng, 1);
      if (best?.index === chosen.index) return { value: 1 / n, error: Math.sqrt(1 - 1 / n) / n };
    }
    return { value: 1 / limit, error: 1 / limit };
  }

  /** Choice frequencies over 10 × `draws` full redraws (models without per-unit laws). */
  private redrawFrequencies(scope: DecisionScope): Map<number, number> {
    const draws = Math.max(this.draws, 1) * DISTRIBUTION_DRAWS_PER_DRAW;
    const rng = scope.propensityRng;
    const counts = new Map<number, number>();
    for (let i = 0; i < draws; i++) {
      const [best] = this.sample(scope, rng, 1);
      if (best) counts.set(best.index, (counts.get(best.index) ?? 0) + 1);
    }
    for (const [a, c] of counts) counts.set(a, c / draws);
    return counts;
  }
}

/** Whether a model's Thompson draws are optimistic (see GaussianPosterior). */
function isOptimistic(model: RewardModel): boolean {
  return hasGaussianPosterior(model) && model.optimistic === true;
}

/** Whether two allowed units of a block have the same mean (optimistic draws' point masses tie). */
function tiedMeans(means: Float64Array, allowed: readonly (readonly number[])[]): boolean {
  for (const units of allowed) if (new Set(units.map((u) => means[u])).size < units.length) return true;
  return false;
}

/** Whether two allowed units of a block have zero-width draws at the same value. */
function tiedPointMasses(
  means: Float64Array,
  sds: Float64Array,
  allowed: readonly (readonly number[])[],
): boolean {
  if (!sds.includes(0)) return false;
  for (const units of allowed) {
    const seen = new Set<number>();
    for (const u of units) {
      if (sds[u] !== 0) continue;
      if (seen.has(means[u]!)) return true;
      seen.add(means[u]!);
    }
  }
  return false;
}

interface Setting {
  structure: ThompsonStructure;
  law: UnitLaw;
  /** Context-free models: a component's table, computed once per revision and eligible set. */
  table?: (component: number) => ComponentTable;
}

/**
 * A component's probabilities by partial index: exact unconstrained part of each feasible assignment plus
 * the correction, self-normalised to the exact infeasible mass q (so they sum to 1 exactly).
 */
function normalisedComponent(
  table: ComponentTable,
  structure: ThompsonStructure,
  i: number,
): Map<number, number> {
  const component = structure.components[i]!;
  const out = new Map<number, number>();
  let feasibleMass = 0;
  forEachAssignment(component, structure.allowed, (units) => {
    const p = table.exact(units);
    feasibleMass += p;
    out.set(component.partialIndex(units), p);
  });
  const q = Math.max(0, 1 - feasibleMass);
  if (table.infeasibleMass > 0) {
    const scale = q / table.infeasibleMass;
    for (const [key, sums] of table.corrections) {
      if (out.has(key)) out.set(key, out.get(key)! + scale * sums.d);
    }
  } else if (feasibleMass > 0) {
    for (const [key, p] of out) out.set(key, p / feasibleMass);
  }
  return out;
}

/**
 * Reads a context-free model's posterior parameters into reusable arrays (every decision: cheap), and
 * builds draws and a fingerprint from a copy when a revision needs them (cache misses only).
 */
class ContextFreePosterior {
  private kind: "beta" | "student" | undefined;
  private params: Float64Array[] = [];

  /** The model's revision, or undefined when it states no context-free law. */
  read(model: RewardModel, n: number): number | undefined {
    if (this.params[0]?.length !== n) this.params = [0, 1, 2].map(() => new Float64Array(n));
    const [a, b, c] = this.params as [Float64Array, Float64Array, Float64Array];
    if (hasBetaPosterior(model)) {
      this.kind = "beta";
      return model.betaShapes(a, b);
    }
    if (hasStudentPosterior(model)) {
      this.kind = "student";
      return model.studentScores(a, b, c);
    }
    return undefined;
  }

  /** Draws of the parameters last read (built on first use). */
  draws(): () => UnitDraws {
    const [a, b, c] = this.params.map((p) => Float64Array.from(p)) as [
      Float64Array,
      Float64Array,
      Float64Array,
    ];
    const kind = this.kind;
    let draws: UnitDraws | undefined;
    return () => (draws ??= kind === "beta" ? betaDraws(a, b) : studentDraws(a, b, c));
  }

  /** The parameters last read, as text. */
  fingerprint(): string {
    const used = this.kind === "beta" ? this.params.slice(0, 2) : this.params;
    return `${this.kind}:${used.map((p) => p.join(",")).join(";")}`;
  }
}

/** What a context-free model's decisions share while its revision and the eligible set stay the same. */
interface ContextFreeState {
  /** Structure, law (with its win probabilities) and correction tables, built on first use. */
  setting?: Setting;
}

/** Context-free results, valid for one model revision, by eligible set. */
class ContextFreeCache {
  private model: RewardModel | undefined;
  private revision = -1;
  private readonly states = new Map<string, ContextFreeState>();

  for(model: RewardModel, revision: number, eligibility: string): ContextFreeState {
    if (model !== this.model || revision !== this.revision) {
      this.model = model;
      this.revision = revision;
      this.states.clear();
    }
    let state = this.states.get(eligibility);
    if (!state) {
      if (this.states.size >= 64) this.states.clear();
      state = {};
      this.states.set(eligibility, state);
    }
    return state;
  }
}
