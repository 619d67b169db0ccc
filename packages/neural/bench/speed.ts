// Decisions/s and updates/s at d = 32 over 576 combinations (offer 4 × subject 4 × channel 6 × hour 6),
// and the time of one retraining on 100,000 samples, beside linear Thompson sampling (auto) in the same run.
// pnpm tsx --conditions=kairos-source packages/neural/bench/speed.ts [backend]
import { createPolicy, createRng } from "@kairos/core";
import { createNeuralPolicy, useBackend } from "../src/index.js";

const backend = await useBackend((process.argv[2] as "wasm" | "cpu" | "auto" | undefined) ?? "wasm");
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

function measure(name: string, policy: ReturnType<typeof createPolicy>) {
  const warm = Array.from({ length: 1000 }, vec);
  policy.update(warm.map((x, i) => ({ context: x, action: i % 576, reward: rng.next() })));
  const contexts = Array.from({ length: 2000 }, vec);
  let t = performance.now();
  const decisions = contexts.map((x, i) => policy.decide(x, { decisionId: `s${i}` }));
  const decideS = (performance.now() - t) / 1000;
  t = performance.now();
  for (let k = 0; k < 20; k++)
    policy.update(
      decisions
        .slice(k * 100, k * 100 + 100)
        .map((d, i) => ({ context: contexts[k * 100 + i]!, action: d.actionIndex, reward: rng.next() })),
    );
  const updateS = (performance.now() - t) / 1000;
  console.log(
    `${name.padEnd(16)} ${(2000 / decideS).toFixed(0)} decisions/s, ${(2000 / updateS).toFixed(0)} updates/s (batches of 100)`,
  );
}

measure("auto", createPolicy({ kind: "auto", ...common }));
measure("neural-linear", createNeuralPolicy({ kind: "neural-linear", ...common, retrainEvery: 0 }));
measure("neural-ensemble", createNeuralPolicy({ kind: "neural-ensemble", ...common, retrainEvery: 0 }));

for (const kind of ["neural-linear", "neural-ensemble"] as const) {
  const policy = createNeuralPolicy({ kind, ...common, retrainEvery: 0, bufferSize: 100_000 });
  for (let k = 0; k < 100; k++)
    policy.update(
      Array.from({ length: 1000 }, (_, i) => ({
        context: vec(),
        action: (k * 1000 + i) % 576,
        reward: rng.next(),
      })),
    );
  const t = performance.now();
  policy.retrain();
  console.log(
    `${kind} retraining on 100,000 samples (${backend}, defaults: 3 epochs, batch 64): ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
}
