import { createPolicy } from "@kairos/core";
import { createNeuralPolicy, useBackend } from "../src/index.js";
import { actionSpace, context, linearMean, nonLinearMean, run } from "../test/problems.js";

await useBackend("wasm");
const which = process.argv[2] ?? "nonlinear";
const mean = which === "linear" ? linearMean : nonLinearMean;
const opts = { batches: Number(process.argv[3] ?? 30), batch: 100, tail: 1000, seed: 1 };
const common = { actionSpace, context, rewardRange: [0, 1] as [number, number], seed: 7 };
const extra = JSON.parse(process.argv[4] ?? "{}");
for (const [name, make] of [
  ["lints", () => createPolicy({ kind: "lints", ...common })],
  ["auto", () => createPolicy({ kind: "auto", ...common })],
  ["neural-linear", () => createNeuralPolicy({ kind: "neural-linear", ...common, ...extra })],
  ["neural-ensemble", () => createNeuralPolicy({ kind: "neural-ensemble", ...common, ...extra })],
] as const) {
  const r = run(make(), mean, opts);
  console.log(
    name.padEnd(16),
    "tail",
    r.tailRegret.toFixed(4),
    "all",
    r.regret.toFixed(4),
    `${r.seconds.toFixed(1)}s`,
  );
}
