import { ThompsonRule } from "@kairos/core";
import { z } from "zod";
import { NeuralLinearModel } from "../neural-linear-model.js";
import { networkSettings } from "../settings.js";
import { defineNeuralPreset, modelContext, neuralBlocks } from "./preset.js";

/**
 * Neural-linear Thompson sampling: an MLP representation of the context, a Bayesian linear last layer per
 * unit (core's linear models on the representation), core's Thompson rule with exact propensities.
 */
export const neuralLinear = defineNeuralPreset({
  kind: "neural-linear",
  summary:
    "MLP representation + Bayesian linear last layer (per action for one dimension, else shared over options); Thompson",
  propensity: "exact (numerical integration); estimated with a stated error where coupled",
  rewards: "any",
  settings: z.strictObject({
    ...networkSettings,
    /** Prior precision of the last layer. */
    lambda: z.number().positive().default(1),
    /** Reward noise sd of the last layer: estimated from the data when absent. */
    noise: z.number().positive().optional(),
    sampleScale: z.number().positive().default(1),
    propensityDraws: z.number().int().min(0).default(100),
  }),
  build: (s, context) => {
    const blocks = neuralBlocks(context, s);
    return {
      rule: new ThompsonRule(s.propensityDraws),
      makeModel: () => new NeuralLinearModel(modelContext(blocks, context), s, s),
    };
  },
});
