import type { Rng } from "@kairos/core";
import { tf } from "./backend.js";
import { Network } from "./network.js";
import type { ReplayBuffer } from "./replay-buffer.js";

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Targets are (reward − shift) / scale: the networks learn on the unit scale of the reward range. */
  shift: number;
  scale: number;
  /** Weigh each member's samples by their bootstrap weights (ensembles). */
  bootstrap: boolean;
}

/**
 * Trains M networks of one architecture together on the replay buffer (warm-started from their current
 * weights): each minibatch goes through all members at once as batched matrix products, so an ensemble of
 * five costs little more than one network. The loss is the weighted squared error of the sum of the action's
 * unit heads against the scaled reward; member m weighs sample i by its weight (× its bootstrap weight).
 * Minibatch order comes from `rng` (the policy's seed), Adam from a fresh state each time (so a restored
 * policy retrains like the original). Every tensor is disposed before returning.
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
  const stack = (arrays: Float32Array[]) => {
    const out = new Float32Array(arrays.reduce((s, a) => s + a.length, 0));
    let at = 0;
    for (const a of arrays) {
      out.set(a, at);
      at += a.length;
    }
    return out;
  };
  const variables: tf.Variable[] = [];
  const optimizer = tf.train.adam(options.learningRate);
  try {
    // tidy disposes the initial values; the variables survive it (they are disposed below).
    const variable = (values: Float32Array, shape: [number, number, number]) =>
      tf.tidy(() => tf.variable(tf.tensor3d(values, shape)));
    const W = sizes
      .slice(1)
      .map((out, l) => variable(stack(nets.map((net) => net.weights[l]!)), [M, sizes[l]!, out]));
    const b = sizes.slice(1).map((out, l) => variable(stack(nets.map((net) => net.biases[l]!)), [M, 1, out]));
    const H = variable(stack(nets.map((net) => net.heads)), [M, U, rep]);
    const c = variable(stack(nets.map((net) => net.headBias)), [M, 1, U]);
    variables.push(...W, ...b, H, c);

    const bs = Math.min(options.batchSize, n);
    const order = Int32Array.from({ length: n }, (_, i) => i);
    const xb = new Float32Array(bs * d);
    const sb = new Float32Array(bs * U);
    const yb = new Float32Array(bs);
    const wb = new Float32Array(M * bs);
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(rng.next() * (i + 1));
        const t = order[i]!;
        order[i] = order[j]!;
        order[j] = t;
      }
      for (let from = 0; from < n; from += bs) {
        const count = Math.min(bs, n - from);
        sb.fill(0);
        wb.fill(0);
        for (let k = 0; k < count; k++) {
          const s = buffer.slot(order[from + k]!);
          for (let q = 0; q < d; q++) xb[k * d + q] = buffer.xs[s * d + q]!;
          for (let q = 0; q < B; q++) sb[k * U + buffer.units[s * B + q]!]! += 1;
          yb[k] = (buffer.rewards[s]! - options.shift) / options.scale;
          for (let m = 0; m < M; m++) {
            const boot = options.bootstrap ? buffer.boot[s * buffer.members + m]! : 1;
            wb[m * bs + k] = buffer.weights[s]! * boot;
          }
        }
        tf.tidy(() => {
          const x = tf.tensor3d(xb.subarray(0, count * d), [1, count, d]);
          const S = tf.tensor3d(sb.subarray(0, count * U), [1, count, U]);
          const y = tf.tensor2d(yb.subarray(0, count), [1, count]);
          const w = tf.tensor2d(
            wb.filter((_, i) => i % bs < count),
            [M, count],
          );
          const total = tf.maximum(tf.sum(w), 1e-9);
          optimizer.minimize(
            () => {
              let h: tf.Tensor3D = tf.tile(x, [M, 1, 1]);
              for (let l = 0; l < layers; l++) h = tf.relu(tf.add(tf.matMul(h, W[l]!), b[l]!));
              const scores = tf.add(tf.matMul(h, H, false, true), c);
              const pred = tf.sum(tf.mul(scores, S), 2);
              return tf.div(tf.sum(tf.mul(w, tf.square(tf.sub(pred, y)))), total) as tf.Scalar;
            },
            false,
            variables,
          );
        });
      }
    }
    const read = (v: tf.Variable) => v.dataSync() as Float32Array;
    const Wd = W.map(read);
    const bd = b.map(read);
    const Hd = read(H);
    const cd = read(c);
    return nets.map(
      (_, m) =>
        new Network(sizes, U, {
          weights: Wd.map((w, l) =>
            w.slice(m * sizes[l]! * sizes[l + 1]!, (m + 1) * sizes[l]! * sizes[l + 1]!),
          ),
          biases: bd.map((v, l) => v.slice(m * sizes[l + 1]!, (m + 1) * sizes[l + 1]!)),
          heads: Hd.slice(m * U * rep, (m + 1) * U * rep),
          headBias: cd.slice(m * U, (m + 1) * U),
        }),
    );
  } finally {
    for (const v of variables) v.dispose();
    optimizer.dispose();
  }
}
