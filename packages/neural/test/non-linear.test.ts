import { createPolicy } from "@kairos/core";
import { beforeAll, expect, it } from "vitest";
import { createNeuralPolicy, useBackend } from "../src/index.js";
import { actionSpace, context, nonLinearMean, type RunResult, run } from "./problems.js";

beforeAll(async () => {
  await useBackend("wasm");
});

const common = { actionSpace, context, rewardRange: [0, 1] as [number, number], seed: 7 };
const schedule = { batches: 60, batch: 100, tail: 1500, seed: 1 };

/** Standard error of a difference of two tail means (per-decision expected regrets, independent runs). */
function seDiff(a: RunResult, b: RunResult): number {
  const v = (r: RunResult) => {
    const m = r.tailRegret;
    return (
      r.tailRegrets.reduce((s, x) => s + (x - m) ** 2, 0) / (r.tailRegrets.length - 1) / r.tailRegrets.length
    );
  };
  return Math.sqrt(v(a) + v(b));
}

it("on a non-linear response (a threshold AND and an XOR of traits) neural presets beat linear Thompson sampling", () => {
  const lints = run(createPolicy({ kind: "lints", ...common }), nonLinearMean, schedule);
  const auto = run(createPolicy({ kind: "auto", ...common }), nonLinearMean, schedule);
  const neural = run(
    createNeuralPolicy({ kind: "neural-linear", ...common, hidden: [16, 8], retrainEvery: 5, epochs: 5 }),
    nonLinearMean,
    schedule,
  );
  const ensemble = run(
    createNeuralPolicy({
      kind: "neural-ensemble",
      ...common,
      hidden: [16, 8],
      retrainEvery: 3,
      epochs: 4,
      members: 6,
    }),
    nonLinearMean,
    schedule,
  );
  const report = (name: string, r: RunResult) =>
    `${name}: tail regret ${r.tailRegret.toFixed(4)}, overall ${r.regret.toFixed(4)}, ${r.seconds.toFixed(1)} s`;
  console.log(
    [
      report("lints", lints),
      report("auto", auto),
      report("neural-linear", neural),
      report("neural-ensemble", ensemble),
    ].join("\n"),
  );
  // The linear models cannot represent either interaction: their regret stays at the price of answering
  // every customer with the best additive guess. The margin is 4 standard errors of the difference of the
  // tail means (the decisions' expected regrets), so a chance win cannot pass.
  for (const linear of [lints, auto]) {
    expect(neural.tailRegret).toBeLessThan(linear.tailRegret - 4 * seDiff(neural, linear));
  }
  // The ensemble learns more slowly (each member sees half the data and moves only when retrained): at
  // this horizon it clears the shared linear model (auto) by the same margin, and per-action LinTS only
  // later (measured at 8,000 decisions: 0.025 against 0.030).
  expect(ensemble.tailRegret).toBeLessThan(auto.tailRegret - 4 * seDiff(ensemble, auto));
});
