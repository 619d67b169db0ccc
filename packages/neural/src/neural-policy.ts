import { BanditPolicy, type Feedback, type UpdateReport } from "@kairos/core";
import type { NeuralModel } from "./neural-model.js";

/**
 * A policy served by core's {@link BanditPolicy} (validation, atomic updates, decisions, propensities,
 * snapshots), whose update also runs the network's retraining schedule after the batch is learned.
 */
export class NeuralPolicy extends BanditPolicy {
  /** The neural model (replaced by restore). */
  get neuralModel(): NeuralModel {
    return this.rewardModel as NeuralModel;
  }

  override update(feedback: readonly Feedback[]): UpdateReport {
    const report = super.update(feedback);
    this.neuralModel.endBatch();
    return report;
  }

  /** Retrains the network(s) on the replay buffer now (e.g. nightly, with `retrainEvery: 0`). */
  retrain(): void {
    this.neuralModel.retrain();
  }
}
