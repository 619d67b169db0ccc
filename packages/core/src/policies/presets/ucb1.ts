import { z } from "zod";
import { ArgmaxRule } from "../../exploration/deterministic.js";
import { NormalInverseGammaModel } from "../../models/normal-inverse-gamma.js";
import { blocksFor, definePreset, interactionsSchema, structureSchema } from "./preset.js";

/** UCB1-Tuned on empirical means, context-free; pending decisions count in the widths within a batch. */
export const ucb1 = definePreset({
  kind: "ucb1",
  summary: "empirical means, context-free (joint); UCB1-Tuned, `alpha` the reward range (default: declared)",
  propensity: "exact: 1 / number of tied best actions",
  rewards: "any",
  settings: z.strictObject({
    alpha: z.number().positive().optional(),
    structure: structureSchema.default("joint"),
    interactions: interactionsSchema,
  }),
  build: (s, context) => {
    const blocks = blocksFor(context.space, s.structure, s.interactions);
    return {
      rule: new ArgmaxRule("ucb", s.alpha ?? context.width),
      makeModel: () => new NormalInverseGammaModel(blocks, undefined, context.discount),
    };
  },
});
