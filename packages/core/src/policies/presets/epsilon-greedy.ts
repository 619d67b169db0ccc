import { z } from "zod";
import { EpsilonGreedyRule } from "../../exploration/epsilon-greedy.js";
import { blocksFor, definePreset, linearModel, linearSettings, structureSchema } from "./preset.js";

/** Greedy, except a share ε of decisions drawn uniformly (fixed, or halving every `halfLife` observations). */
export const epsilonGreedy = definePreset({
  kind: "epsilon-greedy",
  summary: "linear (`auto`); ε uniform, else greedy (`epsilon`, `halfLife`, `floor`)",
  propensity: "exact",
  rewards: "any",
  settings: z.strictObject({
    ...linearSettings,
    structure: structureSchema.default("auto"),
    epsilon: z.number().min(0).max(1).default(0.1),
    halfLife: z.number().positive().optional(),
    floor: z.number().min(0).max(1).default(0),
  }),
  build: (s, context) => ({
    rule: new EpsilonGreedyRule({ epsilon: s.epsilon, halfLife: s.halfLife, floor: s.floor }),
    makeModel: linearModel(blocksFor(context.space, s.structure, s.interactions), s, context),
  }),
});
