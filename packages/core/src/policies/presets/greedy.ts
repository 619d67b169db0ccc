import { z } from "zod";
import { ArgmaxRule } from "../../exploration/deterministic.js";
import { blocksFor, definePreset, linearModel, linearSettings, structureSchema } from "./preset.js";

/** The posterior mean's best action: no exploration beyond random tie-breaking. */
export const greedy = definePreset({
  kind: "greedy",
  summary: "linear (`auto`: per action for one dimension, else shared); best posterior mean",
  propensity: "exact: 1 / number of tied best actions",
  rewards: "any",
  settings: z.strictObject({ ...linearSettings, structure: structureSchema.default("auto") }),
  build: (s, context) => ({
    rule: new ArgmaxRule("greedy"),
    makeModel: linearModel(blocksFor(context.space, s.structure, s.interactions), s, context),
  }),
});
