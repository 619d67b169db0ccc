import {
  type Blocks,
  blocksFor,
  definePreset,
  type ExplorationRule,
  type Preset,
  type PresetContext,
} from "@kairos/core";
import type { z } from "zod";
import type { NeuralModel, NeuralModelContext } from "../neural-model.js";
import { NeuralPolicy } from "../neural-policy.js";
import type { NetworkSettings } from "../settings.js";

/** A neural preset: a core preset whose model is a neural model (it trains from the context's seed). */
export interface NeuralPreset<S extends z.ZodObject = z.ZodObject> extends Omit<Preset<S>, "build"> {
  build(
    settings: z.output<S>,
    context: PresetContext,
  ): { rule: ExplorationRule; makeModel: () => NeuralModel };
}

/**
 * Declares a neural preset: a core preset (core's `definePreset` checks its shape) served by
 * {@link NeuralPolicy}, which runs the retraining schedule.
 */
export function defineNeuralPreset<S extends z.ZodObject>(
  preset: Omit<NeuralPreset<S>, "makePolicy">,
): NeuralPreset<S> {
  const full: NeuralPreset<S> = { ...preset, makePolicy: (parts) => new NeuralPolicy(parts) };
  definePreset<S>(full as unknown as Preset<S>);
  return full;
}

/** Core's split of actions into units: `auto` is a unit per action for one dimension, else per option. */
export function neuralBlocks(context: PresetContext, settings: NetworkSettings): Blocks {
  const space = context.space;
  const oneDimension = space.dimensions.length === 1;
  const structure =
    settings.structure === "auto" ? (oneDimension ? "joint" : "factorised") : settings.structure;
  return blocksFor(space, structure, settings.interactions);
}

/** What every neural model needs from the policy. */
export function modelContext(blocks: Blocks, context: PresetContext): NeuralModelContext {
  return {
    blocks,
    contextDimension: context.encoder.dimension,
    seed: context.seed,
    discount: context.discount,
    shift: context.rewardRange ? context.rewardRange[0] : 0,
    scale: context.width,
  };
}
