import {
  ActionSearch,
  ActionSpace,
  type ActionSpaceConfig,
  BanditPolicy,
  ContextEncoder,
  type ContextSchemaConfig,
  commonPolicySchema,
  type Feedback,
  type PolicyParts,
  type UpdateReport,
  ValidationError,
} from "@kairos/core";
import { z } from "zod";
import type { NeuralModel } from "./neural-model.js";
import type { NeuralPreset } from "./presets/preset.js";
import { type NeuralPolicyKind, neuralPolicyKinds, neuralPresets } from "./presets/registry.js";

/**
 * A policy served by core's {@link BanditPolicy} (validation, atomic updates, decisions, propensities,
 * snapshots), whose update also runs the network's retraining schedule after the batch is learned.
 */
export class NeuralPolicy extends BanditPolicy {
  /** The neural model (replaced by restore). */
  get neuralModel(): NeuralModel {
    return this.rewardModel as NeuralModel;
  }

  override update(feedback: readonly Feedback[]): UpdateReport {
    const report = super.update(feedback);
    this.neuralModel.endBatch();
    return report;
  }

  /** Retrains the network(s) on the replay buffer now (e.g. nightly, with `retrainEvery: 0`). */
  retrain(): void {
    this.neuralModel.retrain();
  }
}

const commonSchema = commonPolicySchema.extend({
  kind: z.enum(neuralPolicyKinds as [NeuralPolicyKind, ...NeuralPolicyKind[]]),
});
const commonKeys = new Set(Object.keys(commonSchema.shape));

/** The settings every policy shares (as core's CommonPolicyConfig). */
export interface CommonNeuralConfig {
  actionSpace: ActionSpace | ActionSpaceConfig;
  context?: ContextSchemaConfig;
  seed?: string | number;
  id?: string;
  rewardRange?: [number, number];
  discount?: number;
  search?: { maxVisits?: number; restarts?: number };
}

/** Configuration of {@link createNeuralPolicy}: the common settings plus the chosen preset's own. */
export type NeuralPolicyConfig = {
  [K in NeuralPolicyKind]: CommonNeuralConfig & { kind: K } & z.input<(typeof neuralPresets)[K]["settings"]>;
}[NeuralPolicyKind];

/**
 * Builds a neural policy as core's `createPolicy` builds the others (same common settings, errors naming
 * their field, snapshots in `kairos-policy/v1`), from this package's presets.
 */
export function createNeuralPolicy(config: NeuralPolicyConfig): NeuralPolicy {
  if (typeof config !== "object" || config === null) throw new ValidationError("policy", "must be an object");
  const common = parse(
    commonSchema,
    pick(config, (k) => commonKeys.has(k)),
  );
  const preset = neuralPresets[common.kind] as unknown as NeuralPreset;
  const settings = parse(
    preset.settings,
    pick(config, (k) => !commonKeys.has(k)),
  );
  const space =
    config.actionSpace instanceof ActionSpace ? config.actionSpace : new ActionSpace(config.actionSpace);
  const encoder = new ContextEncoder(common.context ?? { features: [] });
  const rewardRange = common.rewardRange;
  const width = rewardRange ? rewardRange[1] - rewardRange[0] : 1;
  const parts = preset.build(settings, {
    space,
    encoder,
    rewardRange,
    width,
    discount: common.discount,
    seed: common.seed,
  });
  const policyParts: PolicyParts = {
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
  };
  return new NeuralPolicy(policyParts);
}

function pick(config: object, keep: (key: string) => boolean): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).filter(([k]) => keep(k)));
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path =
      issue.code === "unrecognized_keys" && issue.keys.length ? [...issue.path, issue.keys[0]!] : issue.path;
    const field = path.reduce<string>(
      (out, part) => out + (typeof part === "number" ? `[${part}]` : `.${String(part)}`),
      "policy",
    );
    throw new ValidationError(field, issue.message);
  }
  return parsed.data;
}
