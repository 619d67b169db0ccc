import { z } from "zod";
import { ThompsonRule } from "../../exploration/thompson.js";
import { BetaBernoulliModel, betaPriorSchema } from "../../models/beta-bernoulli.js";
import { blocksFor, definePreset, interactionsSchema, structureSchema } from "./preset.js";

/** Beta–Bernoulli Thompson sampling: context-free, for conversions (rewards in [0, 1]). */
export const betaThompson = definePreset({
  kind: "beta-thompson",
  summary: "Beta–Bernoulli, context-free (joint); Thompson",
  propensity: "exact (numerical integration); estimated with a stated error where coupled",
  rewards: "unit",
  settings: z.strictObject({
    prior: betaPriorSchema.default({ alpha: 1, beta: 1 }),
    structure: structureSchema.default("joint"),
    interactions: interactionsSchema,
    propensityDraws: z.number().int().min(0).default(100),
  }),
  build: (s, context) => {
    const blocks = blocksFor(context.space, s.structure, s.interactions);
    return {
      rule: new ThompsonRule(s.propensityDraws),
      makeModel: () => new BetaBernoulliModel(blocks, s.prior, context.discount),
    };
  },
});
