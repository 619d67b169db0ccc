// Imported by .ci/pack-check inside a plain Node project that installed the packed tarballs.

import * as braze from "@kairos/braze-adapter";
import * as core from "@kairos/core";
import * as neural from "@kairos/neural";
import * as rewards from "@kairos/rewards";
import { SqliteStore } from "@kairos/rewards/sqlite";
import * as runner from "@kairos/runner";
import * as sim from "@kairos/sim";

const space = new core.ActionSpace({ dimensions: { offer: ["a", "b"], channel: ["email", "sms"] } });
const policy = core.createPolicy({ kind: "random", actionSpace: space, seed: 1 });
const decision = policy.decide({});
if (!space.isValidIndex(decision.actionIndex)) throw new Error("pack check: bad decision");
for (const [name, mod] of Object.entries({ rewards, braze, sim, runner })) {
  if (Object.keys(mod).length === 0) throw new Error(`pack check: ${name} exports nothing`);
}
const neuralPolicy = neural.createNeuralPolicy({
  kind: "neural-linear",
  actionSpace: space,
  seed: 1,
  retrainEvery: 1,
  minObservations: 4,
  epochs: 1,
});
neuralPolicy.update([0, 1, 2, 3].map((action) => ({ context: {}, action, reward: action / 3 })));
if (neuralPolicy.neuralModel.trainings !== 1) throw new Error("pack check: neural policy did not retrain");
if (!space.isValidIndex(neuralPolicy.decide({}).actionIndex)) throw new Error("pack check: neural decision");
if (typeof SqliteStore !== "function")
  throw new Error("pack check: @kairos/rewards/sqlite has no SqliteStore");
if (typeof runner.useCaseJsonSchema().properties !== "object") throw new Error("pack check: runner schema");
console.log(`pack check ok: decided ${JSON.stringify(decision.action)} with p=${decision.propensity}`);
