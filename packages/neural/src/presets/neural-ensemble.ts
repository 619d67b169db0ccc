import { z } from "zod";
import { EnsembleModel } from "../ensemble-model.js";
import { EnsembleThompsonRule } from "../ensemble-rule.js";
import { networkSettings } from "../settings.js";
import { defineNeuralPreset, modelContext, neuralBlocks } from "./preset.js";

/** Bootstrapped ensemble: Thompson sampling by drawing one member per decision. */
export const neuralEnsemble = defineNeuralPreset({
  kind: "neural-ensemble",
  summary: "bootstrapped ensemble of MLPs with a head per unit; Thompson by drawing a member per decision",
  propensity: "exact: share of members whose best feasible action it is",
  rewards: "any",
  settings: z.strictObject({
    ...networkSettings,
    members: z.number().int().min(2).max(64).default(8),
  }),
  build: (s, context) => {
    const blocks = neuralBlocks(context, s);
    return {
      rule: new EnsembleThompsonRule(s.members),
      makeModel: () => new EnsembleModel(modelContext(blocks, context), s, s.members),
    };
  },
});
