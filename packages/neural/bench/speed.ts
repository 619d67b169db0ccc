// Decisions/s and updates/s at d = 32 over 576 combinations (offer 4 × subject 4 × channel 6 × hour 6),
// and the time of one retraining on 100,000 samples, beside linear Thompson sampling (lints, auto) in the
// same run. The retraining's rewards come from a known non-linear response, so the bench also prints how
// well the retrained model predicts it on 5,000 held-out (context, action) pairs: the minibatch cap
// (`stepsPerEpoch`) must make retraining faster without making it worse.
// pnpm tsx --conditions=kairos-source packages/neural/bench/speed.ts [wasm|cpu|auto]
import { type BanditPolicy, createPolicy, createRng } from "@kairos/core";
import { createNeuralPolicy, NeuralPolicy, tf, useBackend } from "../src/index.js";

const backend = await useBackend((process.argv[2] as "wasm" | "cpu" | "auto" | undefined) ?? "wasm");
console.log(
  `backend ${backend}; wasm SIMD ${tf.env().getBool("WASM_HAS_SIMD_SUPPORT")}, threads ${tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT")}`,
);
const actionSpace = {
  dimensions: {
    offer: [0, 1, 2, 3],
    subject: [0, 1, 2, 3],
    channel: [0, 1, 2, 3, 4, 5],
    hour: [0, 1, 2, 3, 4, 5],
  },
};
const context = { vectorLength: 31 }; // + intercept = 32
const rng = createRng("speed");
const vec = () => Array.from({ length: 31 }, () => rng.next() * 2 - 1);
const common = { actionSpace, context, rewardRange: [0, 1] as [number, number], seed: 1 };

/** Seconds of wall clock and of this process's CPU that `f` takes (the CPU is what a busy machine shares). */
function timed(f: () => void): { wall: number; cpu: number } {
  const cpu = process.cpuUsage();
  const t = performance.now();
  f();
  const used = process.cpuUsage(cpu);
  return { wall: (performance.now() - t) / 1000, cpu: (used.user + used.system) / 1e6 };
}

function measure(name: string, policy: BanditPolicy) {
  const warm = Array.from({ length: 1000 }, vec);
  policy.update(warm.map((x, i) => ({ context: x, action: i % 576, reward: rng.next() })));
  const contexts = Array.from({ length: 2000 }, vec);
  let decisions: ReturnType<BanditPolicy["decide"]>[] = [];
  const decide = timed(() => {
    decisions = contexts.map((x, i) => policy.decide(x, { decisionId: `s${i}` }));
  });
  const update = timed(() => {
    for (let k = 0; k < 20; k++)
      policy.update(
        decisions
          .slice(k * 100, k * 100 + 100)
          .map((d, i) => ({ context: contexts[k * 100 + i]!, action: d.actionIndex, reward: rng.next() })),
      );
  });
  const rate = (t: { wall: number; cpu: number }) =>
    `${(2000 / t.wall).toFixed(0).padStart(6)} (${(2000 / t.cpu).toFixed(0).padStart(6)} per CPU second)`;
  console.log(`${name.padEnd(16)} decisions/s ${rate(decide)}, updates/s ${rate(update)} (batches of 100)`);
}

measure("lints", createPolicy({ kind: "lints", ...common }));
measure("auto", createPolicy({ kind: "auto", ...common }));
measure("neural-linear", createNeuralPolicy({ kind: "neural-linear", ...common, retrainEvery: 0 }));
measure("neural-ensemble", createNeuralPolicy({ kind: "neural-ensemble", ...common, retrainEvery: 0 }));

/** Conversion probability: thresholds and an XOR of context features decide which offer pays. */
function truth(x: readonly number[], action: number): number {
  const offer = Math.floor(action / 144);
  const channel = Math.floor(action / 6) % 6;
  let p = 0.3 + 0.02 * channel;
  if (offer === 1) p += x[0]! > 0 && x[1]! < 0 ? 0.3 : -0.1;
  if (offer === 2) p += x[2]! > 0 !== x[3]! > 0 ? 0.25 : -0.1;
  if (offer === 3) p += 0.1 * x[4]!;
  return p;
}

const samples = Array.from({ length: 100_000 }, () => {
  const x = vec();
  const action = Math.floor(rng.next() * 576);
  return { context: x, action, reward: rng.next() < truth(x, action) ? 1 : 0 };
});
const heldOut = Array.from({ length: 5000 }, () => ({ x: vec(), action: Math.floor(rng.next() * 576) }));

/** Mean squared error of the model's posterior mean against the true conversion probability. */
function heldOutError(policy: BanditPolicy): number {
  const model = policy.rewardModel!;
  const scores = new Float64Array(model.blocks.unitCount);
  const units = new Int32Array(model.blocks.count);
  let sum = 0;
  for (const { x, action } of heldOut) {
    const encoded = policy.encoder.encode(x, new Float64Array(policy.encoder.dimension));
    model.scoreUnits(encoded, { mode: "mean" }, scores);
    model.blocks.unitsOf(policy.space.codesOf(action), units);
    let prediction = 0;
    for (const u of units) prediction += scores[u]!;
    sum += (prediction - truth(x, action)) ** 2;
  }
  return sum / heldOut.length;
}

const buffered = { ...common, retrainEvery: 0, bufferSize: 100_000 };
const retrainings: [string, () => BanditPolicy][] = [
  ["lints (no network)", () => createPolicy({ kind: "lints", ...common })],
  ["neural-linear", () => createNeuralPolicy({ kind: "neural-linear", ...buffered })],
  [
    "neural-linear, batch 64 throughout",
    () => createNeuralPolicy({ kind: "neural-linear", ...buffered, stepsPerEpoch: 1_000_000 }),
  ],
  ["neural-ensemble", () => createNeuralPolicy({ kind: "neural-ensemble", ...buffered })],
];
for (const [name, make] of retrainings) {
  const policy = make();
  for (let k = 0; k < 100; k++) policy.update(samples.slice(k * 1000, (k + 1) * 1000));
  const t = timed(() => {
    if (policy instanceof NeuralPolicy) policy.retrain();
  });
  console.log(
    `${name.padEnd(36)} retraining on 100,000 samples: ${t.wall.toFixed(1).padStart(5)} s (CPU ${t.cpu.toFixed(1)} s); held-out squared error ${heldOutError(policy).toFixed(4)}`,
  );
}
