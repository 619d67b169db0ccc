import { type Preset, registerPresets } from "@kairos/core";
import { neuralEnsemble } from "./neural-ensemble.js";
import { neuralLinear } from "./neural-linear.js";

/** The neural presets, by kind. */
export const neuralPresets = {
  "neural-linear": neuralLinear,
  "neural-ensemble": neuralEnsemble,
} as const;

export type NeuralPolicyKind = keyof typeof neuralPresets;
export const neuralPolicyKinds = Object.keys(neuralPresets) as NeuralPolicyKind[];

// Importing the package registers its presets with core's registry, so core's `createPolicy` (and what
// builds policies through it, such as the simulator) builds the neural kinds too.
registerPresets(neuralPresets as unknown as Record<string, Preset>);
