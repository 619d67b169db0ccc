import { z } from "zod";
import { ActionSpace, type ActionSpaceConfig } from "../action-space.js";
import { ContextEncoder, type ContextSchemaConfig, contextSchemaConfig } from "../context.js";
import { ValidationError, validationErrorFrom } from "../errors.js";
import { ActionSearch, searchOptionsSchema } from "../search/action-search.js";
import { BanditPolicy, type PolicyParts } from "./bandit-policy.js";
import type { Preset } from "./presets/preset.js";
import { type PolicyKind, type presets, registeredPresets } from "./presets/registry.js";

/** The settings every preset shares, validated (other packages' policy factories extend it with `kind`). */
export const commonPolicySchema = z.strictObject({
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

/** The settings every preset shares. */
export interface CommonPolicyConfig {
  actionSpace: ActionSpace | ActionSpaceConfig;
  context?: ContextSchemaConfig;
  /** Seed of every random draw (with the decision id): same seed and ids, same decisions. */
  seed?: string | number;
  id?: string;
  /** Declared reward range: feedback outside it is rejected; it scales default exploration. */
  rewardRange?: [number, number];
  discount?: number;
  search?: z.input<typeof searchOptionsSchema>;
}

/** A preset's own settings as callers write them (a preset without settings takes none). */
type SettingsInput<K extends PolicyKind> = string extends keyof z.input<(typeof presets)[K]["settings"]>
  ? unknown
  : z.input<(typeof presets)[K]["settings"]>;

/** Configuration of {@link createPolicy}: the common settings plus the chosen preset's own. */
export type PolicyConfig = {
  [K in PolicyKind]: CommonPolicyConfig & { kind: K } & SettingsInput<K>;
}[PolicyKind];

const commonKeys = new Set([...Object.keys(commonPolicySchema.shape), "kind"]);
/** The common settings with `kind` restricted to a registry's names, built once per registry. */
const commonSchemas = new WeakMap<
  object,
  z.ZodType<z.output<typeof commonPolicySchema> & { kind: string }>
>();

/**
 * Validates a policy configuration against a registry of presets (core's, or another package's built
 * with `definePreset`) and assembles the parts of the policy it names; every error names its field.
 */
export function policyParts(config: unknown, registry: Readonly<Record<string, Preset>>): PolicyParts {
  if (typeof config !== "object" || config === null) throw new ValidationError("policy", "must be an object");
  let schema = commonSchemas.get(registry);
  if (!schema) {
    const kinds = Object.keys(registry) as [string, ...string[]];
    schema = commonPolicySchema.extend({ kind: z.enum(kinds) });
    commonSchemas.set(registry, schema);
  }
  const common = parse(
    schema,
    pick(config, (k) => commonKeys.has(k)),
  );
  const preset = registry[common.kind]!;
  const settings = parse(
    preset.settings,
    pick(config, (k) => !commonKeys.has(k)),
  );
  const given = (config as { actionSpace: unknown }).actionSpace;
  const space = given instanceof ActionSpace ? given : new ActionSpace(given as ActionSpaceConfig);
  const encoder = new ContextEncoder(common.context ?? { features: [] });
  const rewardRange =
    common.rewardRange ?? (preset.rewards === "unit" ? ([0, 1] as [number, number]) : undefined);
  if (preset.rewards === "unit" && rewardRange && (rewardRange[0] < 0 || rewardRange[1] > 1)) {
    throw new ValidationError("policy.rewardRange", `${preset.kind} needs rewards in [0, 1]`);
  }
  const width = rewardRange ? rewardRange[1] - rewardRange[0] : 1;
  const seed = common.seed;
  const parts = preset.build(settings, {
    space,
    encoder,
    rewardRange,
    width,
    discount: common.discount,
    seed,
  });
  return {
    id: common.id ?? common.kind,
    kind: common.kind,
    seed,
    space,
    encoder,
    rule: parts.rule,
    makeModel: parts.makeModel,
    makeSearch: (blocks) => new ActionSearch(blocks, common.search),
    rewardRange,
    config: { kind: common.kind, rewardRange: rewardRange ?? null, discount: common.discount, ...settings },
  };
}

/**
 * Configurations of the presets other packages register (see `registerPresets`), by package: a package
 * adds its own by augmenting this interface (`declare module "@kairos/core" { interface
 * RegisteredPolicyConfigs { neural: NeuralPolicyConfig } }`), so `createPolicy` type-checks its kinds too.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging in other packages
export interface RegisteredPolicyConfigs {}

/**
 * Builds a policy from a preset name and settings; every field is validated and errors name their path.
 * Core's presets are typed by {@link PolicyConfig}; presets registered by other packages (`registerPresets`)
 * are built the same way, as the policy class their preset names.
 */
export function createPolicy(
  config: PolicyConfig | RegisteredPolicyConfigs[keyof RegisteredPolicyConfigs],
): BanditPolicy {
  const registry = registeredPresets();
  const parts = policyParts(config, registry);
  const makePolicy = registry[parts.kind]!.makePolicy;
  return makePolicy ? makePolicy(parts) : new BanditPolicy(parts);
}

function pick(config: object, keep: (key: string) => boolean): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).filter(([k]) => keep(k)));
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationErrorFrom("policy", parsed.error.issues);
  return parsed.data;
}
