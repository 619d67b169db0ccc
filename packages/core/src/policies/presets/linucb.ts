import { z } from "zod";
import { ArgmaxRule } from "../../exploration/deterministic.js";
import { blocksFor, definePreset, linearModel, linearSettings, structureSchema } from "./preset.js";

/** LinUCB: ridge regression per action, mean plus `alpha` noise-scaled widths. */
export const linucb = definePreset({
  kind: "linucb",
  summary: "linear (joint = disjoint per action); UCB, mean + `alpha`·σ·width",
  propensity: "exact: 1 / number of tied best actions",
  rewards: "any",
  settings: z.strictObject({
    ...linearSettings,
    structure: structureSchema.default("joint"),
    alpha: z.number().positive().default(2),
  }),
  build: (s, context) => ({
    rule: new ArgmaxRule("ucb", s.alpha),
    makeModel: linearModel(blocksFor(context.space, s.structure, s.interactions), s, context),
  }),
});
