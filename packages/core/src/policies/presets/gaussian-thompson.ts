import { z } from "zod";
import { ThompsonRule } from "../../exploration/thompson.js";
import { NormalInverseGammaModel, nigPriorSchema } from "../../models/normal-inverse-gamma.js";
import { blocksFor, definePreset, interactionsSchema, structureSchema } from "./preset.js";

/** Normal–Inverse-Gamma Thompson sampling: context-free, for continuous rewards such as revenue. */
export const gaussianThompson = definePreset({
  kind: "gaussian-thompson",
  summary: "Normal–Inverse-Gamma, context-free (joint); Thompson",
  propensity: "exact (numerical integration); estimated with a stated error where coupled",
  rewards: "any",
  settings: z.strictObject({
    prior: nigPriorSchema.default({ mean: 0, strength: 1, shape: 1, scale: 1 }),
    structure: structureSchema.default("joint"),
    interactions: interactionsSchema,
    propensityDraws: z.number().int().min(0).default(100),
  }),
  build: (s, context) => {
    const blocks = blocksFor(context.space, s.structure, s.interactions);
    return {
      rule: new ThompsonRule(s.propensityDraws),
      makeModel: () => new NormalInverseGammaModel(blocks, s.prior, context.discount),
    };
  },
});
