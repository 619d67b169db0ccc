import { z } from "zod";
import { ThompsonRule } from "../../exploration/thompson.js";
import { blocksFor, definePreset, linearModel, linearSettings, structureSchema } from "./preset.js";

/** Linear Thompson sampling: ridge regression per action, draws scaled by the (estimated) noise. */
export const lints = definePreset({
  kind: "lints",
  summary: "linear (joint = disjoint per action); Thompson, scale `noise` (estimated by default)",
  propensity: "exact (numerical integration); estimated with a stated error where coupled",
  rewards: "any",
  settings: z.strictObject({
    ...linearSettings,
    structure: structureSchema.default("joint"),
    /** Thompson draws from the posterior narrowed by this factor (1: the plain posterior). */
    sampleScale: z.number().positive().default(1),
    /**
     * Thompson draws narrow the context's part of a score by this further factor, around the mean observed
     * context, so an option's level keeps the full width (1: the plain posterior; see the README's "Context
     * scale").
     */
    contextScale: z.number().min(0).max(1).default(1),
    /** Optimistic Thompson sampling: draws below the posterior mean are raised to it (May et al. 2012). */
    optimistic: z.boolean().default(false),
    propensityDraws: z.number().int().min(0).default(100),
  }),
  build: (s, context) => ({
    rule: new ThompsonRule(s.propensityDraws),
    makeModel: linearModel(blocksFor(context.space, s.structure, s.interactions), s, context),
  }),
});
