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
import type { NetworkSettings } from "../settings.js";

/** A neural preset: a core preset whose model is a neural model (it trains from the context's seed). */
export interface NeuralPreset<S extends z.ZodObject = z.ZodObject> extends Omit<Preset<S>, "build"> {
  build(
    settings: z.output<S>,
    context: PresetContext,
  ): { rule: ExplorationRule; makeModel: () => NeuralModel };
}

/** Declares a neural preset (it is a core preset too: core's `definePreset` checks its shape). */
export function defineNeuralPreset<S extends z.ZodObject>(preset: NeuralPreset<S>): NeuralPreset<S> {
  definePreset<S>(preset as unknown as Preset<S>);
  return preset;
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
