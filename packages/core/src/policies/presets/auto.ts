import { z } from "zod";
import { RANDOMISED_UCB_SCALE, RandomisedUcbRule } from "../../exploration/randomised-ucb.js";
import { ThompsonRule } from "../../exploration/thompson.js";
import { blocksFor, definePreset, linearModel, linearSettings } from "./preset.js";

/**
 * The preset to start with. Its model: one ridge regression per action for a single dimension, else the
 * shared model (an effect per option, fitted jointly, plus declared `interactions`), whose data needs grow
 * with the number of options rather than of combinations. The reward noise that scales exploration is
 * estimated from the data, and so is the prior precision of every coefficient (`learnPrior`: features the
 * data do not support are shrunk and stop being explored), so conversions, revenue and many features need
 * no tuning. It explores by randomising, so it stays efficient when feedback arrives in daily batches (UCB
 * and greedy would repeat one choice per context until the next update):
 *
 * - `exploration: "thompson"` (the default, when absent): optimistic Thompson sampling (a draw below its
 *   option's posterior mean counts as the mean), with `sampleScale` narrowing the posterior; propensities
 *   exact where no constraint or exclusion couples the shared model's blocks, estimated with a stated error
 *   where one does.
 * - `exploration: "randomised-ucb"`: one multiplier Z = 1.6 · `sampleScale` · max(0, N(0, 1)) per decision,
 *   shared by every option, and the best mean + Z · width. Thompson's independent draws grow more
 *   optimistic with the number of options; a shared Z does not. 1–6% less regret on 13 of the learning
 *   benchmark's 14 problem × batch-size columns, but as much or less on the simulator's scenarios, whose
 *   outcomes arrive over days (up to 5% less revenue), hence not the default (the README's "Exploration").
 *   Propensities exact everywhere.
 */
export const auto = definePreset({
  kind: "auto",
  summary:
    "Thompson sampling (or randomised UCB) on a linear model: per action for one dimension, else shared",
  propensity:
    "exact (numerical integration); estimated with a stated error where coupled (randomised UCB: exact)",
  rewards: "any",
  settings: z.strictObject({
    ...linearSettings,
    /**
     * Exploration narrowed by this factor: randomised UCB's Z, or Thompson's posterior (1: as designed; see
     * the README).
     */
    sampleScale: z.number().positive().default(1),
    /**
     * Exploration narrows the context's part of a score by this further factor, around the mean observed
     * context, so an option's level keeps the full width (1: the plain posterior; see the README's "Context
     * scale"). When absent, 0.3 for a per-action model (one dimension) and 1 for the shared one, as measured
     * on the learning benchmark.
     */
    contextScale: z.number().min(0).max(1).optional(),
    /** Thompson sampling only: draws below the posterior mean are raised to it (see the README). */
    optimistic: z.boolean().default(true),
    learnPrior: z.boolean().default(true),
    /** 0 skips propensities (NaN); Thompson's draws per estimated propensity where coupled. */
    propensityDraws: z.number().int().min(0).default(100),
    /**
     * Over several dimensions, a unit every action shares (the customer's baseline: who converts whatever
     * is sent), so option effects are learned as differences from it. Off when absent (absent rather than
     * false, so snapshots taken before the setting existed still restore): 1–4% less regret, within noise,
     * on the learning benchmark's marketing problems and nothing beyond noise elsewhere, for 15–20% more
     * time per round (see the README's "The shared model").
     */
    baseline: z.boolean().optional(),
    /**
     * How options are explored (see above and the README's "Exploration"): Thompson sampling when absent
     * (absent rather than a default, so snapshots taken before the setting existed still restore).
     */
    exploration: z.enum(["randomised-ucb", "thompson"]).optional(),
  }),
  build: (s, context) => {
    return {
      rule:
        s.exploration === "randomised-ucb"
          ? new RandomisedUcbRule(RANDOMISED_UCB_SCALE * s.sampleScale, s.propensityDraws > 0)
          : new ThompsonRule(s.propensityDraws),
      makeModel: linearModel(
        blocksFor(context.space, "auto", s.interactions),
        { ...s, contextScale: s.contextScale ?? "by-model" },
        context,
      ),
    };
  },
});
