import { keyedRng, type ScoreRequest, SnapshotMismatchError } from "@kairos/core";
import { z } from "zod";
import { Network } from "./network.js";
import { NeuralModel, type NeuralModelContext } from "./neural-model.js";
import type { NetworkSettings } from "./settings.js";
import { trainNetworks } from "./trainer.js";

/**
 * A bootstrapped ensemble (Osband et al. 2016): `members` small networks, each trained on its own bootstrap
 * resample of the replay buffer (every observation gets, per member, weight 0 or 2 with probability ½ when
 * it arrives: the double-or-nothing bootstrap, fixed for the observation's life) from its own random
 * initialisation. A `sample` request draws one member (one `rng.next()`) and scores with it: Thompson
 * sampling over the ensemble as an approximate posterior. `mean` averages the members; `upper` adds `alpha`
 * standard deviations across members. Members train together (batched) after every `retrainEvery` batches.
 */
export class EnsembleModel extends NeuralModel {
  readonly type = "neural-ensemble";
  private members: Network[];
  private readonly scratch: Float64Array;
  private readonly boot: Float32Array;

  constructor(
    context: NeuralModelContext,
    settings: NetworkSettings,
    readonly memberCount: number,
  ) {
    super(context, settings, memberCount);
    this.members = Array.from({ length: memberCount }, (_, m) =>
      Network.initial(this.sizes, this.blocks.unitCount, this.stream(`init:${m}`)),
    );
    this.scratch = new Float64Array(this.blocks.unitCount);
    this.boot = new Float32Array(memberCount);
  }

  /** The member a `sample` request draws with this stream value. */
  memberOf(u: number): number {
    return Math.min(this.memberCount - 1, Math.floor(u * this.memberCount));
  }

  /** Unit scores of one member for context x, in reward units. */
  memberScores(m: number, x: Float64Array, out: Float64Array): void {
    this.members[m]!.unitScores(x, out);
    const { shift, scale } = this.context;
    for (let u = 0; u < out.length; u++) out[u] = shift + scale * out[u]!;
  }

  scoreUnits(x: Float64Array, request: ScoreRequest, out: Float64Array): void {
    if (request.mode === "sample") {
      this.memberScores(this.memberOf(request.rng.next()), x, out);
      return;
    }
    const M = this.memberCount;
    const s = this.scratch;
    out.fill(0);
    const squares = request.mode === "upper" ? new Float64Array(out.length) : undefined;
    for (let m = 0; m < M; m++) {
      this.memberScores(m, x, s);
      for (let u = 0; u < out.length; u++) {
        out[u]! += s[u]! / M;
        if (squares) squares[u]! += (s[u]! * s[u]!) / M;
      }
    }
    if (request.mode === "upper" && squares) {
      for (let u = 0; u < out.length; u++) {
        const variance = Math.max(0, squares[u]! - out[u]! * out[u]!);
        out[u]! += request.alpha * Math.sqrt((variance * M) / Math.max(1, M - 1));
      }
    }
  }

  protected learn(x: Float64Array, units: Int32Array, reward: number, weight: number): void {
    const rng = keyedRng(this.context.seed, `neural:boot:${this.buffer.added}`);
    for (let m = 0; m < this.memberCount; m++) this.boot[m] = rng.next() < 0.5 ? 0 : 2;
    this.buffer.add(x, units, reward, weight, this.boot);
  }

  protected fit(): void {
    this.members = trainNetworks(this.members, this.buffer, this.trainOptions(true), this.trainRng());
  }

  protected modelJSON(): Record<string, unknown> {
    return { members: this.members.map((m) => m.toJSON()) };
  }

  protected loadModel(json: Record<string, unknown>, remap?: Int32Array): void {
    const members = z.array(z.unknown()).parse(json.members);
    if (members.length !== this.memberCount) {
      throw new SnapshotMismatchError(
        `snapshot has ${members.length} members, this model ${this.memberCount}`,
      );
    }
    this.members = members.map((m, i) =>
      Network.fromJSON(m, this.sizes, this.blocks.unitCount, remap, `members[${i}]`),
    );
  }
}
