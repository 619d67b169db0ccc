import {
  type Blocks,
  createRng,
  keyedRng,
  MergeError,
  type RewardModel,
  type ScoreRequest,
  SnapshotMismatchError,
} from "@kairos/core";
import { z } from "zod";
import { ReplayBuffer } from "./replay-buffer.js";
import type { NetworkSettings } from "./settings.js";
import type { TrainOptions } from "./trainer.js";

/** What every neural model is built from (besides its own settings). */
export interface NeuralModelContext {
  blocks: Blocks;
  /** Encoded context length. */
  contextDimension: number;
  /** The policy's seed: weight initialisation, minibatch order and bootstrap draws come from it. */
  seed: string | number;
  /** Forgetting factor per update batch. */
  discount: number;
  /** Rewards are learned as (reward − shift) / scale: the declared range's lower end and width. */
  shift: number;
  scale: number;
}

const countersSchema = z.strictObject({
  batches: z.number().int().nonnegative(),
  sinceRetrain: z.number().int().nonnegative(),
  trainings: z.number().int().nonnegative(),
  observations: z.number().nonnegative(),
});

/**
 * What the two neural models share: the replay buffer, the retraining schedule (counted in update batches,
 * run by {@link endBatch}), the counters and the snapshot envelope. Subclasses hold the networks.
 */
export abstract class NeuralModel implements RewardModel {
  abstract readonly type: string;
  readonly blocks: Blocks;
  readonly contextDimension: number;
  protected buffer: ReplayBuffer;
  protected batches = 0;
  protected sinceRetrain = 0;
  /** Retrainings so far (keys the minibatch order of the next one). */
  trainings = 0;
  observations = 0;
  /** Bumped on every change of the networks or statistics. */
  protected revision = 0;

  constructor(
    protected readonly context: NeuralModelContext,
    protected readonly settings: NetworkSettings,
    members: number,
  ) {
    this.blocks = context.blocks;
    this.contextDimension = context.contextDimension;
    this.buffer = new ReplayBuffer(
      settings.bufferSize,
      context.contextDimension,
      context.blocks.count,
      members,
    );
  }

  /** Layer sizes of every network: context, hidden layers. */
  protected get sizes(): number[] {
    return [this.contextDimension, ...this.settings.hidden];
  }

  /** Stream of one purpose (initialisation, a retraining's minibatches), keyed by the policy seed. */
  protected stream(purpose: string) {
    return keyedRng(this.context.seed, `neural:${purpose}`);
  }

  abstract scoreUnits(x: Float64Array, request: ScoreRequest, out: Float64Array): void;
  protected abstract learn(x: Float64Array, units: Int32Array, reward: number, weight: number): void;
  /** Retrains the networks on the buffer and rebuilds what depends on them. */
  protected abstract fit(): void;
  protected abstract modelJSON(): Record<string, unknown>;
  protected abstract loadModel(json: Record<string, unknown>, remap?: Int32Array): void;

  observe(x: Float64Array, units: Int32Array, reward: number, weight: number): void {
    this.learn(x, units, reward, weight);
    this.observations += weight;
    this.revision++;
  }

  startBatch(): void {
    this.buffer.scale(this.context.discount);
    this.observations *= this.context.discount;
  }

  /**
   * Called by the policy (core's `BanditPolicy.update`) after each update batch: retrains when the schedule says so (every
   * `retrainEvery` batches, once the buffer holds `minObservations`). Returns whether it retrained.
   */
  endBatch(): boolean {
    this.batches++;
    this.sinceRetrain++;
    const due = this.settings.retrainEvery > 0 && this.sinceRetrain >= this.settings.retrainEvery;
    if (!due || this.buffer.size < this.settings.minObservations) return false;
    this.retrain();
    return true;
  }

  /** Retrains now on the replay buffer (a nightly job may call this with `retrainEvery: 0`). */
  retrain(): void {
    if (this.buffer.size === 0) return;
    this.fit();
    this.trainings++;
    this.sinceRetrain = 0;
    this.revision++;
  }

  /** Observations in the replay buffer. */
  get bufferedObservations(): number {
    return this.buffer.size;
  }

  /** How the network(s) train on the buffer: the settings' schedule and the context's standardisation. */
  protected trainOptions(bootstrap: boolean): TrainOptions {
    return {
      epochs: this.settings.epochs,
      batchSize: this.settings.batchSize,
      stepsPerEpoch: this.settings.stepsPerEpoch,
      learningRate: this.settings.learningRate,
      shift: this.context.shift,
      scale: this.context.scale,
      bootstrap,
    };
  }

  protected trainRng() {
    return createRng(`${this.context.seed}\u0000neural:train:${this.trainings}`);
  }

  toJSON(): unknown {
    return {
      format: `kairos-${this.type}/v1`,
      counters: {
        batches: this.batches,
        sinceRetrain: this.sinceRetrain,
        trainings: this.trainings,
        observations: this.observations,
      },
      buffer: this.buffer.toJSON(),
      ...this.modelJSON(),
    };
  }

  load(json: unknown, remap?: Int32Array): void {
    if (typeof json !== "object" || json === null) throw new SnapshotMismatchError("model must be an object");
    const j = json as Record<string, unknown>;
    if (j.format !== `kairos-${this.type}/v1`) {
      throw new SnapshotMismatchError(`model format ${String(j.format)}, expected kairos-${this.type}/v1`);
    }
    const counters = countersSchema.parse(j.counters);
    const buffer = new ReplayBuffer(
      this.buffer.capacity,
      this.buffer.dimension,
      this.buffer.blockCount,
      this.buffer.members,
    );
    buffer.load(j.buffer, this.blocks.unitCount, remap);
    // Called on a fresh model by the policy, which swaps it in only when this succeeds.
    this.loadModel(j, remap);
    this.buffer = buffer;
    this.batches = counters.batches;
    this.sinceRetrain = counters.sinceRetrain;
    this.trainings = counters.trainings;
    this.observations = counters.observations;
    this.revision++;
  }

  merge(_other: RewardModel): void {
    throw new MergeError(
      `${this.type} models cannot be merged: replicas learn different representations (retrain one on both buffers instead)`,
    );
  }
}
