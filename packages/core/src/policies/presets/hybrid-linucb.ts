import { z } from "zod";
import { ArgmaxRule } from "../../exploration/deterministic.js";
import { HybridLinearModel } from "../../models/hybrid-linear.js";
import { blocksFor, definePreset, linearSettings } from "./preset.js";

/** Li et al.'s (2010) hybrid LinUCB: per-action coefficients plus coefficients shared through option features. */
export const hybridLinucb = definePreset({
  kind: "hybrid-linucb",
  summary: "hybrid linear, per action + shared option effects (joint); UCB, mean + `alpha`·σ·width",
  propensity: "exact: 1 / number of tied best actions",
  rewards: "any",
  settings: z.strictObject({
    lambda: linearSettings.lambda,
    noise: linearSettings.noise,
    alpha: z.number().positive().default(1),
  }),
  build: (s, context) => {
    const blocks = blocksFor(context.space, "joint", []);
    const d = context.encoder.dimension;
    return {
      rule: new ArgmaxRule("ucb", s.alpha),
      makeModel: () =>
        new HybridLinearModel(blocks, d, {
          lambda: s.lambda,
          discount: context.discount,
          noise: s.noise,
          priorNoise: 0.5 * context.width,
        }),
    };
  },
});
