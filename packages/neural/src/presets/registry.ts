import { neuralEnsemble } from "./neural-ensemble.js";
import { neuralLinear } from "./neural-linear.js";

/** The neural presets, by kind (core's registry is closed: createNeuralPolicy serves these). */
export const neuralPresets = {
  "neural-linear": neuralLinear,
  "neural-ensemble": neuralEnsemble,
} as const;

export type NeuralPolicyKind = keyof typeof neuralPresets;
export const neuralPolicyKinds = Object.keys(neuralPresets) as NeuralPolicyKind[];
