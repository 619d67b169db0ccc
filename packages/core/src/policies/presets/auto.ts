import { z } from "zod";
import { ThompsonRule } from "../../exploration/thompson.js";
import { blocksFor, definePreset, linearModel, linearSettings } from "./preset.js";

/**
 * The preset to start with. Thompson sampling, because it explores by randomising: it stays efficient when
 * feedback arrives in daily batches (UCB and greedy would repeat one choice per context until the next
 * update) and it reports exact propensities for off-policy evaluation. Its model: one ridge regression per
 * action for a single dimension, else the shared model (an effect per option, fitted jointly, plus declared
 * `interactions`), whose data needs grow with the number of options rather than of combinations. The
 * reward noise that scales exploration is estimated from the data, and so is the prior precision of every
 * coefficient (`learnPrior`: features the data do not support are shrunk and stop being explored), so
 * conversions, revenue and many features need no tuning. Draws are optimistic (a draw below its option's
 * posterior mean counts as the mean): about 5% less regret on the learning benchmark's linear problems, no
 * change on the others. `sampleScale` below 1 narrows the posterior (Chapelle & Li 2011): less regret in
 * batches, but small effects are identified less reliably, and one decision at a time `learnPrior` can shrink
 * a rarely chosen option's coefficients to zero for good. The README's "Which policy when" has the numbers.
 */
export const auto = definePreset({
  kind: "auto",
  summary: "Thompson sampling on a linear model: per action for one dimension, else shared over options",
  propensity: "exact (numerical integration); estimated with a stated error where coupled",
  rewards: "any",
  settings: z.strictObject({
    ...linearSettings,
    /** Thompson draws from the posterior narrowed by this factor (1: the plain posterior; see the README). */
    sampleScale: z.number().positive().default(1),
    /**
     * Thompson draws narrow the context's part of a score by this further factor, around the mean observed
     * context, so an option's level keeps the full width (1: the plain posterior; see the README's "Context
     * scale"). When absent, 0.3 for a per-action model (one dimension) and 1 for the shared one, as measured
     * on the learning benchmark.
     */
    contextScale: z.number().min(0).max(1).optional(),
    /** Optimistic Thompson sampling: draws below the posterior mean are raised to it (see the README). */
    optimistic: z.boolean().default(true),
    learnPrior: z.boolean().default(true),
    propensityDraws: z.number().int().min(0).default(100),
    /**
     * Over several dimensions, a unit every action shares (the customer's baseline: who converts whatever
     * is sent), so option effects are learned as differences from it. Off when absent (absent rather than
     * false, so snapshots taken before the setting existed still restore): 1–4% less regret, within noise,
     * on the learning benchmark's marketing problems and nothing beyond noise elsewhere, for 15–20% more
     * time per round (see the README's "The shared model").
     */
    baseline: z.boolean().optional(),
  }),
  build: (s, context) => {
    return {
      rule: new ThompsonRule(s.propensityDraws),
      makeModel: linearModel(
        blocksFor(context.space, "auto", s.interactions),
        { ...s, contextScale: s.contextScale ?? "by-model" },
        context,
      ),
    };
  },
});
