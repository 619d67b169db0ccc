import {
  BanditPolicy,
  type CommonPolicyConfig,
  type Feedback,
  type Preset,
  policyParts,
  type UpdateReport,
} from "@kairos/core";
import type { z } from "zod";
import type { NeuralModel } from "./neural-model.js";
import { type NeuralPolicyKind, neuralPresets } from "./presets/registry.js";

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

/** Configuration of {@link createNeuralPolicy}: the common settings plus the chosen preset's own. */
export type NeuralPolicyConfig = {
  [K in NeuralPolicyKind]: CommonPolicyConfig & { kind: K } & z.input<(typeof neuralPresets)[K]["settings"]>;
}[NeuralPolicyKind];

/**
 * Builds a neural policy as core's `createPolicy` builds the others (same common settings, errors naming
 * their field, snapshots in `kairos-policy/v1`), from this package's presets.
 */
export function createNeuralPolicy(config: NeuralPolicyConfig): NeuralPolicy {
  return new NeuralPolicy(policyParts(config, neuralPresets as unknown as Record<string, Preset>));
}
