import { z } from "zod";
import { ActionSpace, type ActionSpaceConfig } from "../action-space.js";
import { ContextEncoder, type ContextSchemaConfig, contextSchemaConfig } from "../context.js";
import { ValidationError, validationErrorFrom } from "../errors.js";
import { ActionSearch, searchOptionsSchema } from "../search/action-search.js";
import { BanditPolicy } from "./bandit-policy.js";
import type { Preset } from "./presets/preset.js";
import { type PolicyKind, policyKinds, presets } from "./presets/registry.js";

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

const commonSchema = commonPolicySchema.extend({
  kind: z.enum(policyKinds as [PolicyKind, ...PolicyKind[]]),
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

const commonKeys = new Set(Object.keys(commonSchema.shape));

/** Builds a policy from a preset name and settings; every field is validated and errors name their path. */
export function createPolicy(config: PolicyConfig): BanditPolicy {
  if (typeof config !== "object" || config === null) throw new ValidationError("policy", "must be an object");
  const common = parse(
    commonSchema,
    pick(config, (k) => commonKeys.has(k)),
  );
  const preset: Preset = presets[common.kind];
  const settings = parse(
    preset.settings,
    pick(config, (k) => !commonKeys.has(k)),
  );
  const space =
    config.actionSpace instanceof ActionSpace ? config.actionSpace : new ActionSpace(config.actionSpace);
  const encoder = new ContextEncoder(common.context ?? { features: [] });
  const rewardRange =
    common.rewardRange ?? (preset.rewards === "unit" ? ([0, 1] as [number, number]) : undefined);
  if (preset.rewards === "unit" && rewardRange && (rewardRange[0] < 0 || rewardRange[1] > 1)) {
    throw new ValidationError("policy.rewardRange", `${preset.kind} needs rewards in [0, 1]`);
  }
  const width = rewardRange ? rewardRange[1] - rewardRange[0] : 1;
  const parts = preset.build(settings, { space, encoder, rewardRange, width, discount: common.discount });
  return new BanditPolicy({
    id: common.id ?? common.kind,
    kind: common.kind,
    seed: common.seed,
    space,
    encoder,
    rule: parts.rule,
    makeModel: parts.makeModel,
    makeSearch: (blocks) => new ActionSearch(blocks, common.search),
    rewardRange,
    config: { kind: common.kind, rewardRange: rewardRange ?? null, discount: common.discount, ...settings },
  });
}

function pick(config: object, keep: (key: string) => boolean): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).filter(([k]) => keep(k)));
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationErrorFrom("policy", parsed.error.issues);
  return parsed.data;
}
