// @kairos/core: contextual-bandit policies over multi-dimensional marketing action spaces.
// The public API, listed explicitly: everything else is internal and may change without notice.

// Action spaces and contexts.
export {
  type ActionRecord,
  ActionSpace,
  type ActionSpaceConfig,
  actionSpaceConfigSchema,
  type CompiledEligibility,
  type ConstraintRule,
  type DimensionAttributes,
  type Eligibility,
  eligibilitySchema,
  type OptionValue,
  optionAttributesSchema,
} from "./action-space.js";
export { type ConditionValue, matchesCondition, type ValueCondition } from "./condition.js";
export {
  type Context,
  ContextEncoder,
  type ContextSchemaConfig,
  contextSchemaConfig,
  type FeatureSpec,
  fnv1a,
} from "./context.js";
// Errors.
export {
  KairosError,
  MergeError,
  NoEligibleActionError,
  SnapshotMismatchError,
  ValidationError,
} from "./errors.js";
export { argmaxProbability } from "./exploration/argmax-probability.js";
export { betaCdf, logBetaFunction } from "./exploration/beta-distribution.js";
export { ArgmaxRule } from "./exploration/deterministic.js";
export { EpsilonGreedyRule, type EpsilonSchedule } from "./exploration/epsilon-greedy.js";
export { FixedRule } from "./exploration/fixed.js";
export { normalCdf, normalCdfFast } from "./exploration/normal-cdf.js";
export { optimisticArgmaxProbability } from "./exploration/optimistic-argmax-probability.js";
export {
  betaDraws,
  posteriorArgmaxProbability,
  studentDraws,
} from "./exploration/posterior-argmax-probability.js";
export { RandomisedUcbRule } from "./exploration/randomised-ucb.js";
export type { Choice, DecisionScope, ExplorationRule } from "./exploration/scope.js";
export { SquareCbRule } from "./exploration/squarecb.js";
export { ThompsonRule } from "./exploration/thompson.js";
export { UniformRule } from "./exploration/uniform.js";
export { addOuter, invertSpd, matVec } from "./linalg/dense.js";
export { BayesianLinearModel, type LinearOptions } from "./models/bayesian-linear.js";
export { BetaBernoulliModel, type BetaPrior } from "./models/beta-bernoulli.js";
// Building blocks for custom presets: models, exploration rules, search.
export { Blocks } from "./models/blocks.js";
export { HybridLinearModel } from "./models/hybrid-linear.js";
export { type NigPrior, NormalInverseGammaModel } from "./models/normal-inverse-gamma.js";
export type { RewardModel, ScoreRequest } from "./models/reward-model.js";
export { EXACT_JOINT_LIMIT, SharedLinearModel, type SharedLinearOptions } from "./models/shared-linear.js";
export type { BetaPosterior, GaussianPosterior, StudentPosterior } from "./models/thompson-posterior.js";
export { BanditPolicy, type PolicyParts, PROBABILITY_LIMIT } from "./policies/bandit-policy.js";
export {
  type CommonPolicyConfig,
  commonPolicySchema,
  createPolicy,
  type PolicyConfig,
  policyParts,
  type RegisteredPolicyConfigs,
} from "./policies/create-policy.js";
export {
  blocksFor,
  definePreset,
  JOINT_LIMIT,
  type Preset,
  type PresetContext,
  type PresetParts,
} from "./policies/presets/preset.js";
export { importPresetModules, resolvePresetModules } from "./policies/presets/preset-modules.js";
export {
  type PolicyKind,
  policyKinds,
  presetHasSetting,
  presets,
  presetTable,
  registeredPresets,
  registerPresets,
} from "./policies/presets/registry.js";
// Policies: the interface, the presets and the class that serves them.
export type {
  AttributeEffects,
  DecideOptions,
  Decision,
  Feedback,
  Policy,
  PolicySnapshot,
  RankedAction,
  RestoreOptions,
  UpdateReport,
} from "./policy.js";

// Seeded randomness and the linear algebra the other packages reuse.
export { beta, createRng, gamma, keyedRng, normal, type Rng, stableNormal } from "./rng.js";
export { ActionSearch, type ScoredAction, type SearchOptions } from "./search/action-search.js";
