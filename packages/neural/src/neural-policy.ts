import { BanditPolicy } from "@kairos/core";
import type { NeuralModel } from "./neural-model.js";

/**
 * A policy served by core's {@link BanditPolicy} (validation, atomic updates, decisions, propensities,
 * snapshots; its update ends each batch with the model's `endBatch`, which runs the retraining schedule),
 * with access to the neural model and a retraining on demand.
 */
export class NeuralPolicy extends BanditPolicy {
  /** The neural model (replaced by restore). */
  get neuralModel(): NeuralModel {
    return this.rewardModel as NeuralModel;
  }

  /** Retrains the network(s) on the replay buffer now (e.g. nightly, with `retrainEvery: 0`). */
  retrain(): void {
    this.neuralModel.retrain();
  }
}
