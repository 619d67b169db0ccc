import {
  BayesianLinearModel,
  type GaussianPosterior,
  type RewardModel,
  type ScoreRequest,
  SharedLinearModel,
  SnapshotMismatchError,
} from "@kairos/core";
import { Network } from "./network.js";
import { NeuralModel, type NeuralModelContext } from "./neural-model.js";
import type { NetworkSettings } from "./settings.js";
import { trainNetworks } from "./trainer.js";

/** Settings of the Bayesian last layer (core's linear models on the representation). */
export interface LastLayerSettings {
  lambda: number;
  noise?: number | undefined;
  sampleScale: number;
}

type Posterior = RewardModel & GaussianPosterior;

/**
 * Neural-linear Thompson sampling (Riquelme, Tucker & Snoek 2018): an MLP learns a representation z(x) of
 * the context by regressing rewards through one linear head per unit; the decisions come from a Bayesian
 * linear regression on φ(x) = [z(x), 1] per unit, which is exactly core's linear model on φ instead of x:
 * per action ({@link BayesianLinearModel}) for one block, else the shared model fitted jointly over blocks
 * ({@link SharedLinearModel}). So its unit draws are independent normals (core's exact Thompson
 * propensities, constraints and eligibility apply as for `auto`), its noise is estimated the same way, and
 * the posterior updates after every feedback batch. On each retraining (every `retrainEvery` batches) the
 * network warm-starts on the replay buffer and the posterior is rebuilt from the buffer on the new
 * representation (data older than the buffer then leave the posterior, as in the paper).
 */
export class NeuralLinearModel extends NeuralModel implements GaussianPosterior {
  readonly type = "neural-linear";
  private network: Network;
  private posterior: Posterior;
  private readonly phi: Float64Array;
  private readonly cachedX: Float64Array;
  private cachedRevision = -1;

  constructor(
    context: NeuralModelContext,
    settings: NetworkSettings,
    private readonly lastLayer: LastLayerSettings,
  ) {
    super(context, settings, 0);
    this.network = Network.initial(this.sizes, this.blocks.unitCount, this.stream("init"));
    this.posterior = this.makePosterior();
    this.phi = new Float64Array(this.network.representationSize + 1);
    this.cachedX = new Float64Array(this.contextDimension);
  }

  private makePosterior(): Posterior {
    const options = {
      lambda: this.lastLayer.lambda,
      noise: this.lastLayer.noise,
      priorNoise: 0.5 * this.context.scale,
      sampleScale: this.lastLayer.sampleScale,
    };
    const dim = this.settings.hidden[this.settings.hidden.length - 1]! + 1;
    // The buffer carries the discount's decay in its weights, so a rebuilt posterior needs none; live
    // batches apply it through startBatch.
    return this.blocks.count === 1
      ? new BayesianLinearModel(this.blocks, dim, options, this.context.discount)
      : new SharedLinearModel(this.blocks, dim, options, this.context.discount);
  }

  /** φ(x) = [z(x), 1], cached for the last context while the network is unchanged. */
  private features(x: Float64Array): Float64Array {
    const d = this.contextDimension;
    if (this.cachedRevision === this.trainings) {
      let same = true;
      for (let i = 0; i < d; i++) {
        if (this.cachedX[i] !== x[i]) {
          same = false;
          break;
        }
      }
      if (same) return this.phi;
    }
    const z = this.network.represent(x);
    this.phi.set(z);
    this.phi[z.length] = 1;
    this.cachedX.set(x.subarray(0, d));
    this.cachedRevision = this.trainings;
    return this.phi;
  }

  /** The current network (for diagnostics). */
  get net(): Network {
    return this.network;
  }

  /** The Bayesian last layer (core's linear model on φ). */
  get lastLayerModel(): RewardModel {
    return this.posterior;
  }

  scoreUnits(x: Float64Array, request: ScoreRequest, out: Float64Array): void {
    this.posterior.scoreUnits(this.features(x), request, out);
  }

  gaussianScores(x: Float64Array, means: Float64Array, sds: Float64Array): void {
    this.posterior.gaussianScores(this.features(x), means, sds);
  }

  get optimistic(): boolean {
    return this.posterior.optimistic === true;
  }

  countPending(x: Float64Array, units: Int32Array): void {
    this.posterior.countPending?.(this.features(x), units);
  }

  clearPending(): void {
    this.posterior.clearPending?.();
  }

  protected learn(x: Float64Array, units: Int32Array, reward: number, weight: number): void {
    this.buffer.add(x, units, reward, weight);
    this.posterior.observe(Float64Array.from(this.features(x)), units, reward, weight);
  }

  override startBatch(): void {
    super.startBatch();
    this.posterior.startBatch();
  }

  /** Ends the batch in the posterior too (before a retraining may rebuild it). */
  override endBatch(): boolean {
    this.posterior.endBatch?.();
    return super.endBatch();
  }

  protected fit(): void {
    const [trained] = trainNetworks([this.network], this.buffer, this.trainOptions(false), this.trainRng());
    this.network = trained!;
    this.cachedRevision = -1;
    const posterior = this.makePosterior();
    const b = this.buffer;
    const units = new Int32Array(b.blockCount);
    for (let i = 0; i < b.size; i++) {
      const s = b.slot(i);
      const x = b.xs.subarray(s * b.dimension, (s + 1) * b.dimension);
      units.set(b.units.subarray(s * b.blockCount, (s + 1) * b.blockCount));
      const phi = Float64Array.from(this.network.represent(x));
      const full = new Float64Array(phi.length + 1);
      full.set(phi);
      full[phi.length] = 1;
      if (b.weights[s]! > 0) posterior.observe(full, units, b.rewards[s]!, b.weights[s]!);
    }
    this.posterior = posterior;
    this.cachedRevision = -1;
  }

  protected modelJSON(): Record<string, unknown> {
    return { network: this.network.toJSON(), posterior: this.posterior.toJSON() };
  }

  protected loadModel(json: Record<string, unknown>, remap?: Int32Array): void {
    const network = Network.fromJSON(json.network, this.sizes, this.blocks.unitCount, remap);
    const posterior = this.makePosterior();
    try {
      posterior.load(json.posterior, remap);
    } catch (error) {
      if (error instanceof SnapshotMismatchError) throw error;
      throw new SnapshotMismatchError(`posterior: ${(error as Error).message.split("\n")[0]}`);
    }
    this.network = network;
    this.posterior = posterior;
    this.cachedRevision = -1;
  }
}
