import type { ActionRecord, Eligibility } from "./action-space.js";
import type { Context } from "./context.js";

/** Options of one decision. */
export interface DecideOptions {
  /**
   * Id of this decision. The random draw behind the decision is keyed by it (with the policy seed), so
   * the same id always reproduces the same choice from the same model state. Defaults to a fresh id.
   */
  decisionId?: string;
  /** Which options this customer may get (consent, stock, business rules). */
  eligibility?: Eligibility;
  /** Also return the k best actions in order, as fallbacks when the first cannot be used. Default 1. */
  topK?: number;
}

/** One ranked alternative of a decision. */
export interface RankedAction {
  action: ActionRecord;
  actionIndex: number;
  /** The score the exploration rule ranked by (a posterior draw for Thompson sampling). */
  score: number;
}

/** What a policy decided for one customer, with everything needed to log, explain and learn from it. */
export interface Decision {
  decisionId: string;
  /** The chosen combination, one option per dimension. */
  action: ActionRecord;
  /** Index of the chosen combination in the action space. */
  actionIndex: number;
  /** Probability that this policy, in this state, would choose this action for this context (see README). */
  propensity: number;
  /**
   * Thompson sampling only: the standard error of `propensity`. 0 when it is computed by numerical
   * integration (error below 1e-5); positive when part of it is estimated by Monte Carlo: blocks coupled by
   * constraints across them or by excluded actions (a consistent estimate of the probability, never off by
   * more than the probability mass the constraints move), or a model without a per-unit law (geometric
   * trials: 1/propensity is an unbiased estimate of 1/probability). Absent for other rules, whose
   * propensities are exact.
   */
  propensityError?: number;
  /** For explanation: per dimension, per option, the best score of any eligible action using that option. */
  scores: Record<string, Record<string, number>>;
  /** Best actions first (the chosen one first); length `topK`, shorter when fewer are eligible. */
  ranked: RankedAction[];
  policyId: string;
  /** Policy kind and model version (number of update batches) that made the decision. */
  policyKind: string;
  policyVersion: number;
}

/** One observed outcome to learn from. */
export interface Feedback {
  context: Context;
  /** The action that was taken: a record or an index in the action space. */
  action: ActionRecord | number;
  reward: number;
  /** Logging propensity; kept for off-policy use, ignored by on-policy updates. */
  propensity?: number;
  /** Importance weight of this observation (default 1). */
  weight?: number;
  decisionId?: string;
}

/** Result of an update. */
export interface UpdateReport {
  /** Observations learned. */
  applied: number;
  /** Model version after the update. */
  policyVersion: number;
}

/** How to restore a snapshot taken over an earlier version of the action space. */
export interface RestoreOptions {
  /** Options renamed since the snapshot, by dimension: `{ offer: { "10%": "ten-percent" } }`. */
  rename?: Record<string, Record<string, string>>;
}

/** A versioned, JSON-serialisable policy state. */
export interface PolicySnapshot {
  format: "kairos-policy/v1";
  kind: string;
  policyId: string;
  version: number;
  decisions: number;
  config: unknown;
  actionSpace: unknown;
  contextSchema: unknown;
  model: unknown;
}

/**
 * Per dimension and attribute, the posterior mean of the reward one unit of the attribute adds and its
 * marginal posterior sd (undefined where the model cannot state it: the shared model when backfitting).
 */
export type AttributeEffects = Record<string, Record<string, { mean: number; sd: number | undefined }>>;

/** The interface every Kairos policy implements. */
export interface Policy {
  readonly id: string;
  readonly kind: string;
  /** Chooses an action for a context. Throws a ValidationError naming the bad field on bad input. */
  decide(context: Context, options?: DecideOptions): Decision;
  /** Decides for many customers at once (a daily run); each entry may carry its own options. */
  decideBatch(contexts: readonly Context[], options?: DecideOptions | readonly DecideOptions[]): Decision[];
  /**
   * Learns from a batch of feedback. All-or-nothing: every item is validated first, and on any bad item a
   * ValidationError names it and the model is left unchanged.
   */
  update(feedback: readonly Feedback[]): UpdateReport;
  /** The state as versioned JSON. */
  snapshot(): PolicySnapshot;
  /**
   * Replaces the state with a snapshot (the object or its JSON text); rejects one of another kind, context
   * schema or configuration. A snapshot over an earlier action space is matched by dimension and option
   * names: added options start at the prior, removed ones are dropped, renames are given in `options`.
   */
  restore(snapshot: unknown, options?: RestoreOptions): void;
  /**
   * The policy's probability of every action for a context (length: the space's size), for off-policy
   * evaluation; absent on policies that cannot compute it.
   */
  actionProbabilities?(context: Context, options?: Omit<DecideOptions, "topK">): Float64Array;
  /**
   * What the model credits to one unit of each option attribute for a context (see the core README's
   * "Option attributes"); absent on policies whose model learns none.
   */
  attributeEffects?(context: Context): AttributeEffects;
  /** Adds the statistics another replica learned on other traffic; throws MergeError where impossible. */
  merge(other: Policy): void;
}
