import { z } from "zod";
import type { ActionSpace } from "../../action-space.js";
import type { ContextEncoder } from "../../context.js";
import { ValidationError } from "../../errors.js";
import type { ExplorationRule } from "../../exploration/scope.js";
import { BayesianLinearModel } from "../../models/bayesian-linear.js";
import { Blocks } from "../../models/blocks.js";
import type { RewardModel } from "../../models/reward-model.js";
import { SharedLinearModel } from "../../models/shared-linear.js";
import type { BanditPolicy, PolicyParts } from "../bandit-policy.js";

/** Largest action space a joint (per-action) model accepts; beyond it use a factorised structure. */
export const JOINT_LIMIT = 100_000;

/** What a preset is built from: the validated common settings of createPolicy. */
export interface PresetContext {
  space: ActionSpace;
  encoder: ContextEncoder;
  /** Declared reward range, if any. */
  rewardRange?: readonly [number, number];
  /** Width of the reward range (1 when undeclared): the scale of default noise and UCB widths. */
  width: number;
  /** Forgetting factor per update batch. */
  discount: number;
  /** The policy's seed (for presets that draw at build time or in training, such as networks). */
  seed: string | number;
}

/** What a preset assembles: an exploration rule and, for learning policies, a reward model factory. */
export interface PresetParts {
  rule: ExplorationRule;
  makeModel?: () => RewardModel;
}

/** One policy preset: its settings, what it promises, and how it assembles its parts. */
export interface Preset<S extends z.ZodObject = z.ZodObject> {
  kind: string;
  /** One line for the README's preset table: model and exploration. */
  summary: string;
  /** What the propensity it reports is. */
  propensity: string;
  /** Rewards it accepts: any real number, or [0, 1] (then the reward range defaults to it). */
  rewards: "any" | "unit";
  /** Its own settings, with defaults. */
  settings: S;
  build(settings: z.output<S>, context: PresetContext): PresetParts;
  /** The policy serving its parts, when it needs more than {@link BanditPolicy} (e.g. a training schedule). */
  makePolicy?: (parts: PolicyParts) => BanditPolicy;
}

/** Declares a preset (keeps its settings' type for PolicyConfig). */
export function definePreset<S extends z.ZodObject>(preset: Preset<S>): Preset<S> {
  return preset;
}

export const structureSchema = z.enum(["joint", "factorised", "auto"]);
/** Dimensions whose options interact, each group learned as one block (e.g. [["channel", "hour"]]). */
export const interactionsSchema = z.array(z.array(z.string()).min(2)).default([]);

/** Settings of every linear-model preset. */
export const linearSettings = {
  /** Prior precision (ridge penalty). */
  lambda: z.number().positive().default(1),
  /** Reward noise sd: estimated from the data when absent. */
  noise: z.number().positive().optional(),
  interactions: interactionsSchema,
  /**
   * Learn each coefficient's prior precision from the data (automatic relevance determination; see the
   * README's "Learned prior precisions"). Off by default but in `auto`: merges and batch splits are then
   * exact only up to the schedule of its estimates.
   */
  learnPrior: z.boolean().default(false),
};

/**
 * The units a model learns over: `joint` one per action, `factorised` one per option (declared interactions
 * joined), `auto` joint for one dimension and factorised for several. Per-action models need data for every
 * combination: on the learning benchmark's 576 combinations the shared model cut SquareCB's regret by 6–13%
 * and ε-greedy's by 6–14% (10 seeds, paired), and it is what `auto` (the preset) has always used.
 */
export function blocksFor(
  space: ActionSpace,
  structure: z.infer<typeof structureSchema>,
  interactions: readonly (readonly string[])[],
): Blocks {
  const perAction = space.dimensions.length === 1 && space.size <= JOINT_LIMIT;
  const chosen = structure === "auto" ? (perAction ? "joint" : "factorised") : structure;
  if (chosen === "factorised") return Blocks.factorised(space, interactions);
  if (space.size > JOINT_LIMIT) {
    throw new ValidationError(
      "policy.structure",
      `a joint model over ${space.size} actions is too large; use "factorised"`,
    );
  }
  return Blocks.joint(space);
}

/**
 * A Thompson `contextScale` left to the model (`auto`'s, when absent) is this for a per-action model and 1
 * for the shared one: on the learning benchmark it cut the per-action problems' regret by 1–6%, and
 * changed the shared model's by −2% to +4% (see the core README's "Context scale").
 */
const PER_ACTION_CONTEXT_SCALE = 0.3;

/**
 * A linear model over the blocks: one ridge regression per action when there is one block, else the shared
 * model fitted jointly over every block (so options are not confounded with those they were shown with).
 * A baseline block (a unit every action uses, see {@link Blocks}) goes first:
 * - when `baseline` asks for it and there are several blocks. One block is a regression per unit, and a
 *   unit shared by all of them would need the joint fit over every unit (2–17× slower per round on the
 *   learning benchmark's per-arm problems, and exact only up to EXACT_JOINT_LIMIT coefficients);
 * - always when options have attributes, which take the shared model anyway: the baseline carries the mean
 *   reward, so that what attributes predict for an option is the baseline plus their terms (see the core
 *   README's "Option attributes").
 */
export function linearModel(
  blocks: Blocks,
  settings: {
    lambda: number;
    noise?: number | undefined;
    sampleScale?: number | undefined;
    /** A number, or "by-model": PER_ACTION_CONTEXT_SCALE for a per-action model, 1 for the shared one. */
    contextScale?: number | "by-model" | undefined;
    optimistic?: boolean | undefined;
    learnPrior?: boolean | undefined;
    baseline?: boolean | undefined;
  },
  context: PresetContext,
): () => RewardModel {
  const d = context.encoder.dimension;
  const withBaseline = (settings.baseline === true && blocks.count > 1) || blocks.space.hasAttributes;
  const units = withBaseline ? blocks.withBaseline() : blocks;
  const options = {
    lambda: settings.lambda,
    noise: settings.noise,
    priorNoise: 0.5 * context.width,
    sampleScale: settings.sampleScale,
    contextScale:
      settings.contextScale === "by-model"
        ? units.count === 1
          ? PER_ACTION_CONTEXT_SCALE
          : 1
        : settings.contextScale,
    optimistic: settings.optimistic,
    learnPrior: settings.learnPrior,
    interceptColumn: context.encoder.columns[0] === "(intercept)" ? 0 : undefined,
  };
  return () =>
    units.count === 1
      ? new BayesianLinearModel(units, d, options, context.discount)
      : new SharedLinearModel(units, d, options, context.discount);
}
