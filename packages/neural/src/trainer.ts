import type { Rng } from "@kairos/core";
import { tf } from "./backend.js";
import { Network } from "./network.js";
import type { ReplayBuffer } from "./replay-buffer.js";

export interface TrainOptions {
  epochs: number;
  /** Smallest minibatch. */
  batchSize: number;
  /** Most minibatches per epoch: a larger buffer gets larger minibatches (see {@link minibatchSize}). */
  stepsPerEpoch: number;
  learningRate: number;
  /** Targets are (reward − shift) / scale: the networks learn on the unit scale of the reward range. */
  shift: number;
  scale: number;
  /** Weigh each member's samples by their bootstrap weights (ensembles). */
  bootstrap: boolean;
}

/**
 * The minibatch of a retraining on n samples: `batchSize`, or larger when that would take more than
 * `stepsPerEpoch` steps per epoch. A step costs TensorFlow.js about the same fixed overhead (tens of kernel
 * launches) whether it carries 64 samples or 500, so a buffer of 100,000 trains in a tenth of the time with
 * 391-sample minibatches, and still takes hundreds of Adam steps per epoch.
 */
export function minibatchSize(n: number, batchSize: number, stepsPerEpoch: number): number {
  return Math.min(n, Math.max(batchSize, Math.ceil(n / stepsPerEpoch)));
}

// Adam's constants, as TensorFlow.js's own optimizer has them.
const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-7;

/**
 * Trains M networks of one architecture together on the replay buffer (warm-started from their current
 * weights), on shared minibatches. The loss of member m is the mean, weighted by sample weights (× its
 * bootstrap weights), squared error of the sum of the action's unit heads against the scaled reward.
 * TensorFlow.js computes the losses and their gradients with one two-dimensional matrix product per layer
 * and member (its WebAssembly kernels are several times slower on batched 3-D products and on tiling, so the
 * members are not stacked); Adam (TensorFlow.js's constants, a fresh state each time, so a restored policy
 * retrains like the original) updates the few thousand parameters here in JavaScript, which costs
 * microseconds where TensorFlow.js's optimizer launches about fifteen kernels per weight tensor per step.
 * Minibatch order comes from `rng` (the policy's seed). Every tensor is disposed before returning.
 */
export function trainNetworks(
  nets: readonly Network[],
  buffer: ReplayBuffer,
  options: TrainOptions,
  rng: Rng,
): Network[] {
  const n = buffer.size;
  if (n === 0 || options.epochs === 0) return [...nets];
  const M = nets.length;
  const first = nets[0]!;
  const sizes = first.sizes;
  const layers = sizes.length - 1;
  const rep = first.representationSize;
  const U = first.unitCount;
  const d = first.inputSize;
  const B = buffer.blockCount;
  // Per member: W[l] [in, out], b[l] [out], H [U, rep], c [U] (copies: the networks stay as they were).
  const shapes = [
    ...sizes.slice(1).map((out, l) => [sizes[l]!, out]),
    ...sizes.slice(1).map((out) => [out]),
    [U, rep],
    [U],
  ];
  const params = nets.map((net) =>
    [...net.weights, ...net.biases, net.heads, net.headBias].map((p) => Float32Array.from(p)),
  );
  const grads = params.map((ps) => ps.map((p) => new Float32Array(p.length)));
  const moment1 = params.map((ps) => ps.map((p) => new Float64Array(p.length)));
  const moment2 = params.map((ps) => ps.map((p) => new Float64Array(p.length)));
  let beta1Power = 1;
  let beta2Power = 1;

  /** One member's loss as a function of its parameters (for tf.grads). */
  const loss =
    (x: tf.Tensor2D, S: tf.Tensor2D, y: tf.Tensor1D, w: tf.Tensor1D) =>
    (...p: tf.Tensor[]): tf.Scalar => {
      let h = x;
      for (let l = 0; l < layers; l++) {
        h = tf.relu(tf.add(tf.matMul(h, p[l] as tf.Tensor2D), p[layers + l]!));
      }
      const scores = tf.add(tf.matMul(h, p[2 * layers] as tf.Tensor2D, false, true), p[2 * layers + 1]!);
      const pred = tf.sum(tf.mul(scores, S), 1);
      return tf.sum(tf.mul(w, tf.square(tf.sub(pred, y))));
    };

  const bs = minibatchSize(n, options.batchSize, options.stepsPerEpoch);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const xb = new Float32Array(bs * d);
  const sb = new Float32Array(bs * U);
  const yb = new Float32Array(bs);
  const wb = new Float32Array(M * bs);
  const totals = new Float64Array(M);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    for (let from = 0; from < n; from += bs) {
      const count = Math.min(bs, n - from);
      sb.fill(0, 0, count * U);
      totals.fill(0);
      for (let k = 0; k < count; k++) {
        const s = buffer.slot(order[from + k]!);
        for (let q = 0; q < d; q++) xb[k * d + q] = buffer.xs[s * d + q]!;
        for (let q = 0; q < B; q++) sb[k * U + buffer.units[s * B + q]!]! += 1;
        yb[k] = (buffer.rewards[s]! - options.shift) / options.scale;
        for (let m = 0; m < M; m++) {
          const boot = options.bootstrap ? buffer.boot[s * buffer.members + m]! : 1;
          const weight = buffer.weights[s]! * boot;
          wb[m * count + k] = weight;
          totals[m]! += weight;
        }
      }
      // Each member's loss is its weighted mean squared error over the minibatch.
      for (let m = 0; m < M; m++) {
        const total = Math.max(totals[m]!, 1e-9);
        for (let k = 0; k < count; k++) wb[m * count + k]! /= total;
      }
      tf.tidy(() => {
        const x = tf.tensor2d(xb.subarray(0, count * d), [count, d]);
        const S = tf.tensor2d(sb.subarray(0, count * U), [count, U]);
        const y = tf.tensor1d(yb.subarray(0, count));
        for (let m = 0; m < M; m++) {
          const w = tf.tensor1d(wb.subarray(m * count, (m + 1) * count));
          const p = params[m]!.map((values, i) => tf.tensor(values, shapes[i]!));
          tf.grads(loss(x, S, y, w))(p).forEach((g, i) => {
            grads[m]![i]!.set(g.dataSync() as Float32Array);
          });
        }
      });
      beta1Power *= BETA1;
      beta2Power *= BETA2;
      const rate = options.learningRate;
      for (let m = 0; m < M; m++) {
        for (let i = 0; i < params[m]!.length; i++) {
          const p = params[m]![i]!;
          const g = grads[m]![i]!;
          const m1 = moment1[m]![i]!;
          const m2 = moment2[m]![i]!;
          for (let k = 0; k < p.length; k++) {
            const gk = g[k]!;
            m1[k] = BETA1 * m1[k]! + (1 - BETA1) * gk;
            m2[k] = BETA2 * m2[k]! + (1 - BETA2) * gk * gk;
            const mHat = m1[k]! / (1 - beta1Power);
            const vHat = m2[k]! / (1 - beta2Power);
            p[k]! -= (rate * mHat) / (Math.sqrt(vHat) + EPSILON);
          }
        }
      }
    }
  }
  return params.map(
    (p) =>
      new Network(sizes, U, {
        weights: p.slice(0, layers),
        biases: p.slice(layers, 2 * layers),
        heads: p[2 * layers]!,
        headBias: p[2 * layers + 1]!,
      }),
  );
}
