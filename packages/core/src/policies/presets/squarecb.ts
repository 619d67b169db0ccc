import { z } from "zod";
import { SquareCbRule } from "../../exploration/squarecb.js";
import { blocksFor, definePreset, linearModel, linearSettings, structureSchema } from "./preset.js";

/** SquareCB (Foster & Rakhlin 2020): inverse-gap weighting over the model's mean predictions. */
export const squarecb = definePreset({
  kind: "squarecb",
  summary: "linear (`auto`); inverse-gap weighting, γ = `gammaScale`·√(K·t)/range over `maxCandidates`",
  propensity: "exact over the K candidates",
  rewards: "any",
  settings: z.strictObject({
    ...linearSettings,
    structure: structureSchema.default("auto"),
    gammaScale: z.number().positive().default(10),
    maxCandidates: z.number().int().positive().default(1024),
  }),
  build: (s, context) => ({
    rule: new SquareCbRule(s.gammaScale, context.width, s.maxCandidates),
    makeModel: linearModel(blocksFor(context.space, s.structure, s.interactions), s, context),
  }),
});
