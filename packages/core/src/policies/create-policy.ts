import { z } from "zod";
import { ActionSpace, type ActionSpaceConfig, optionValueSchema } from "../action-space.js";
import { ContextEncoder, type ContextSchemaConfig, contextSchemaConfig } from "../context.js";
import { ValidationError, validationErrorFrom } from "../errors.js";
import { ArgmaxRule } from "../exploration/deterministic.js";
import { EpsilonGreedyRule } from "../exploration/epsilon-greedy.js";
import { FixedRule } from "../exploration/fixed.js";
import type { ExplorationRule } from "../exploration/scope.js";
import { SquareCbRule } from "../exploration/squarecb.js";
import { ThompsonRule } from "../exploration/thompson.js";
import { UniformRule } from "../exploration/uniform.js";
import { BayesianLinearModel } from "../models/bayesian-linear.js";
import { BetaBernoulliModel, betaPriorSchema } from "../models/beta-bernoulli.js";
import { Blocks } from "../models/blocks.js";
import { HybridLinearModel } from "../models/hybrid-linear.js";
import { NormalInverseGammaModel, nigPriorSchema } from "../models/normal-inverse-gamma.js";
import type { RewardModel } from "../models/reward-model.js";
import { SharedLinearModel } from "../models/shared-linear.js";
import { ActionSearch, searchOptionsSchema } from "../search/action-search.js";
import { BanditPolicy } from "./bandit-policy.js";

/** Largest action space a joint (per-action) model accepts; beyond it use a factorised structure. */
export const JOINT_LIMIT = 100_000;
/** Below this size, `structure: "auto"` learns per action; above it, per dimension. */
const AUTO_JOINT_LIMIT = 1_000;

const structure = z.enum(["joint", "factorised", "auto"]);
const interactions = z.array(z.array(z.string()).min(2));
const linear = {
  lambda: z.number().positive().default(1),
  structure: structure.default("auto"),
  interactions: interactions.default([]),
};
const draws = z.number().int().min(0).default(100);

/** Kind-specific settings of every preset, with their defaults. */
const kindSchemas = {
  random: z.strictObject({}),
  fixed: z.strictObject({
    action: z.record(z.string(), optionValueSchema),
    fallbacks: z.array(z.record(z.string(), optionValueSchema)).default([]),
  }),
  greedy: z.strictObject({ ...linear }),
  "epsilon-greedy": z.strictObject({
    ...linear,
    epsilon: z.number().min(0).max(1).default(0.1),
    halfLife: z.number().positive().optional(),
    floor: z.number().min(0).max(1).default(0),
  }),
  squarecb: z.strictObject({
    ...linear,
    gammaScale: z.number().positive().default(10),
    maxCandidates: z.number().int().positive().default(256),
  }),
  "beta-thompson": z.strictObject({
    prior: betaPriorSchema.default({ alpha: 1, beta: 1 }),
    structure: structure.default("joint"),
    interactions: interactions.default([]),
    propensityDraws: draws,
  }),
  "gaussian-thompson": z.strictObject({
    prior: nigPriorSchema.default({ mean: 0, strength: 1, shape: 1, scale: 1 }),
    structure: structure.default("joint"),
    interactions: interactions.default([]),
    propensityDraws: draws,
  }),
  ucb1: z.strictObject({
    alpha: z.number().positive().optional(),
    structure: structure.default("joint"),
    interactions: interactions.default([]),
  }),
  linucb: z.strictObject({
    ...linear,
    structure: structure.default("joint"),
    alpha: z.number().positive().default(1),
  }),
  lints: z.strictObject({
    ...linear,
    structure: structure.default("joint"),
    noise: z.number().positive().optional(),
    propensityDraws: draws,
  }),
  "hybrid-linucb": z.strictObject({
    lambda: z.number().positive().default(1),
    alpha: z.number().positive().default(1),
  }),
  "factorised-thompson": z.strictObject({
    ...linear,
    structure: structure.default("factorised"),
    noise: z.number().positive().optional(),
    propensityDraws: draws,
  }),
  "factorised-ucb": z.strictObject({
    ...linear,
    structure: structure.default("factorised"),
    alpha: z.number().positive().default(1),
  }),
} as const;

/** Every policy preset createPolicy knows. */
export type PolicyKind = keyof typeof kindSchemas;
/** Names of every preset, for CLIs and docs. */
export const policyKinds = Object.keys(kindSchemas) as PolicyKind[];

const commonSchema = z.strictObject({
  kind: z.enum(policyKinds as [PolicyKind, ...PolicyKind[]]),
  actionSpace: z.union([z.instanceof(ActionSpace), z.unknown()]),
  context: contextSchemaConfig.optional(),
  seed: z.union([z.string(), z.number()]).default(0),
  id: z.string().min(1).optional(),
  rewardRange: z
    .tuple([z.number().finite(), z.number().finite()])
    .refine(([lo, hi]) => lo < hi, "lower bound must be below upper bound")
    .optional(),
  /** Forgetting factor applied once per update batch (e.g. 0.98 per daily batch); 1 keeps everything. */
  discount: z.number().gt(0).max(1).default(1),
  search: searchOptionsSchema.optional(),
});

/** Configuration of {@link createPolicy}: the common fields plus the kind's own settings. */
export type PolicyConfig = {
  kind: PolicyKind;
  actionSpace: ActionSpace | ActionSpaceConfig;
  context?: ContextSchemaConfig;
  seed?: string | number;
  id?: string;
  rewardRange?: [number, number];
  discount?: number;
  search?: z.input<typeof searchOptionsSchema>;
  [setting: string]: unknown;
};

const commonKeys = new Set(Object.keys(commonSchema.shape));

/** Builds a policy from a preset name and settings; every field is validated and errors name their path. */
export function createPolicy(config: PolicyConfig): BanditPolicy {
  const common = parse(
    commonSchema,
    pick(config, (k) => commonKeys.has(k)),
    "policy",
  );
  const kind = common.kind;
  const settings = parse(
    kindSchemas[kind] as z.ZodType,
    pick(config, (k) => !commonKeys.has(k)),
    "policy",
  ) as Record<string, unknown>;
  const space =
    config.actionSpace instanceof ActionSpace ? config.actionSpace : new ActionSpace(config.actionSpace);
  const encoder = new ContextEncoder(common.context ?? { features: [] });
  const d = encoder.dimension;
  const rewardRange =
    common.rewardRange ?? (kind === "beta-thompson" ? ([0, 1] as [number, number]) : undefined);
  if (kind === "beta-thompson" && (rewardRange![0] < 0 || rewardRange![1] > 1)) {
    throw new ValidationError("policy.rewardRange", "beta-thompson needs rewards in [0, 1]");
  }
  const width = rewardRange ? rewardRange[1] - rewardRange[0] : 1;
  const discount = common.discount;
  const blocksFor = (s: unknown, inter: unknown): Blocks => {
    const chosen = s === "auto" ? (space.size <= AUTO_JOINT_LIMIT ? "joint" : "factorised") : s;
    if (chosen === "joint") {
      if (space.size > JOINT_LIMIT) {
        throw new ValidationError(
          "policy.structure",
          `a joint model over ${space.size} actions is too large; use "factorised"`,
        );
      }
      return Blocks.joint(space);
    }
    return Blocks.factorised(space, inter as string[][]);
  };
  const linearModel = (): RewardModel => {
    const blocks = blocksFor(settings.structure, settings.interactions);
    const options = {
      lambda: settings.lambda as number,
      noise: settings.noise as number | undefined,
      priorNoise: 0.5 * width,
    };
    return blocks.count === 1
      ? new BayesianLinearModel(blocks, d, options, discount)
      : new SharedLinearModel(blocks, d, options, discount);
  };

  let rule: ExplorationRule;
  let makeModel: (() => RewardModel) | undefined;
  switch (kind) {
    case "random":
      rule = new UniformRule();
      break;
    case "fixed": {
      const actions = [settings.action, ...(settings.fallbacks as unknown[])].map((a, i) =>
        space.indexOfCodes(
          space.codesOfRecord(a as never, i === 0 ? "policy.action" : `policy.fallbacks[${i - 1}]`),
        ),
      );
      rule = new FixedRule(actions);
      break;
    }
    case "greedy":
      rule = new ArgmaxRule("greedy");
      makeModel = linearModel;
      break;
    case "epsilon-greedy":
      rule = new EpsilonGreedyRule({
        epsilon: settings.epsilon as number,
        halfLife: settings.halfLife as number | undefined,
        floor: settings.floor as number,
      });
      makeModel = linearModel;
      break;
    case "squarecb":
      rule = new SquareCbRule(settings.gammaScale as number, width, settings.maxCandidates as number);
      makeModel = linearModel;
      break;
    case "beta-thompson":
    case "gaussian-thompson": {
      rule = new ThompsonRule(settings.propensityDraws as number);
      const Model = kind === "beta-thompson" ? BetaBernoulliModel : NormalInverseGammaModel;
      makeModel = () =>
        new Model(blocksFor(settings.structure, settings.interactions), settings.prior as never, discount);
      break;
    }
    case "ucb1":
      rule = new ArgmaxRule("ucb", (settings.alpha as number | undefined) ?? width);
      makeModel = () =>
        new NormalInverseGammaModel(
          blocksFor(settings.structure, settings.interactions),
          undefined,
          discount,
        );
      break;
    case "linucb":
    case "factorised-ucb":
      rule = new ArgmaxRule("ucb", settings.alpha as number);
      makeModel = linearModel;
      break;
    case "lints":
    case "factorised-thompson":
      rule = new ThompsonRule(settings.propensityDraws as number);
      makeModel = linearModel;
      break;
    case "hybrid-linucb":
      rule = new ArgmaxRule("ucb", settings.alpha as number);
      makeModel = () => new HybridLinearModel(blocksFor("joint", []), d, settings.lambda as number, discount);
      break;
  }
  return new BanditPolicy({
    id: common.id ?? kind,
    kind,
    seed: common.seed,
    space,
    encoder,
    rule,
    makeModel,
    makeSearch: (blocks) => new ActionSearch(blocks, common.search),
    rewardRange,
    config: { kind, rewardRange: rewardRange ?? null, discount, ...settings },
  });
}

function pick(config: object, keep: (key: string) => boolean): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).filter(([k]) => keep(k)));
}

function parse<T>(schema: z.ZodType<T>, value: unknown, prefix: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw validationErrorFrom(prefix, parsed.error.issues);
  }
  return parsed.data;
}
