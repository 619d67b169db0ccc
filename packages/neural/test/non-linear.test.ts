import { createPolicy } from "@kairos/core";
import { beforeAll, describe, expect, it } from "vitest";
import { createNeuralPolicy, useBackend } from "../src/index.js";
import { actionSpace, context, nonLinearMean, type RunResult, run } from "./problems.js";

beforeAll(async () => {
  await useBackend("wasm");
});

const common = { actionSpace, context, rewardRange: [0, 1] as [number, number], seed: 7 };
const schedule = { batches: 60, batch: 100, tail: 1500, seed: 1 };
/**
 * Small networks, and at most 16 minibatches per epoch (minibatches of 64 up to 1,024 buffered observations,
 * larger beyond): the same regrets as minibatches of 64 throughout (measured: neural-linear 0.0113 against
 * 0.0109, the ensemble 0.0259 against 0.0268) at 40% of the training time.
 */
const small = { hidden: [16, 8], stepsPerEpoch: 16 };

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

const report = (name: string, r: RunResult) =>
  `${name}: tail regret ${r.tailRegret.toFixed(4)}, overall ${r.regret.toFixed(4)}, ${r.seconds.toFixed(1)} s`;

// The linear models cannot represent either interaction: their regret stays at the price of answering every
// customer with the best additive guess. Each margin below is 4 standard errors of the difference of the
// tail means (the decisions' expected regrets), so a chance win cannot pass.
let lints: RunResult;
let auto: RunResult;
beforeAll(() => {
  lints = run(createPolicy({ kind: "lints", ...common }), nonLinearMean, schedule);
  auto = run(createPolicy({ kind: "auto", ...common }), nonLinearMean, schedule);
  console.log([report("lints", lints), report("auto", auto)].join("\n"));
});

describe("on a non-linear response (a threshold AND and an XOR of traits)", () => {
  it("neural-linear beats linear Thompson sampling, per action (lints) and shared (auto)", () => {
    const neural = run(
      createNeuralPolicy({ kind: "neural-linear", ...common, ...small, retrainEvery: 5, epochs: 5 }),
      nonLinearMean,
      schedule,
    );
    console.log(report("neural-linear", neural));
    for (const linear of [lints, auto]) {
      expect(neural.tailRegret).toBeLessThan(linear.tailRegret - 4 * seDiff(neural, linear));
    }
  });

  it("the bootstrapped ensemble beats the shared linear model (auto)", () => {
    const ensemble = run(
      createNeuralPolicy({
        kind: "neural-ensemble",
        ...common,
        ...small,
        retrainEvery: 3,
        epochs: 4,
        members: 6,
      }),
      nonLinearMean,
      schedule,
    );
    console.log(report("neural-ensemble", ensemble));
    // The ensemble learns more slowly (each member sees half the data and moves only when retrained): at
    // this horizon it clears the shared linear model (auto) by the margin, and per-action LinTS only later.
    expect(ensemble.tailRegret).toBeLessThan(auto.tailRegret - 4 * seDiff(ensemble, auto));
  });
});
