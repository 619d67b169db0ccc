import { type CommonPolicyConfig, type Preset, policyParts } from "@kairos/core";
import type { z } from "zod";
import { NeuralPolicy } from "./neural-policy.js";
import { type NeuralPolicyKind, neuralPresets } from "./presets/registry.js";

/** Configuration of a neural preset: the common settings plus the chosen preset's own. */
export type NeuralPolicyConfig = {
  [K in NeuralPolicyKind]: CommonPolicyConfig & { kind: K } & z.input<(typeof neuralPresets)[K]["settings"]>;
}[NeuralPolicyKind];

declare module "@kairos/core" {
  /** This package registers its presets with core's `createPolicy` (on import), which then types them. */
  interface RegisteredPolicyConfigs {
    neural: NeuralPolicyConfig;
  }
}

/**
 * Builds a neural policy, as core's `createPolicy` does once this package is imported (same common
 * settings, errors naming their field, snapshots in `kairos-policy/v1`), typed as {@link NeuralPolicy}
 * and accepting only the neural kinds.
 */
export function createNeuralPolicy(config: NeuralPolicyConfig): NeuralPolicy {
  return new NeuralPolicy(policyParts(config, neuralPresets as unknown as Record<string, Preset>));
}
