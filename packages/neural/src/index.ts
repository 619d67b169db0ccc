// @kairos/neural: neural-linear and bootstrapped-ensemble Thompson sampling for Kairos, on TensorFlow.js.
// The public API, listed explicitly: everything else is internal.

export { type BackendName, currentBackend, tf, useBackend } from "./backend.js";
export { createNeuralPolicy, type NeuralPolicyConfig } from "./create-neural-policy.js";
export { EnsembleModel } from "./ensemble-model.js";
export { EnsembleThompsonRule } from "./ensemble-rule.js";
export { Network } from "./network.js";
export { type LastLayerSettings, NeuralLinearModel } from "./neural-linear-model.js";
export { NeuralModel, type NeuralModelContext } from "./neural-model.js";
export { NeuralPolicy } from "./neural-policy.js";
export { neuralEnsemble } from "./presets/neural-ensemble.js";
export { neuralLinear } from "./presets/neural-linear.js";
export { defineNeuralPreset, type NeuralPreset } from "./presets/preset.js";
export { type NeuralPolicyKind, neuralPolicyKinds, neuralPresets } from "./presets/registry.js";
export { ReplayBuffer } from "./replay-buffer.js";
export { type NetworkSettings, networkSettings } from "./settings.js";
