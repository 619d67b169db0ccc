// Where one replay's regret comes from: over the last rounds, how often each action was the best one and
// which action was chosen instead (count and expected regret), then the learned prior precision of every
// unit's coefficients (log10; 6 means shrunk to zero by `learnPrior`). A policy that stopped exploring an
// action shows as a column of zeros under a row that keeps losing.
//   pnpm tsx --conditions=kairos-source benchmarks/learn/regret-sources.ts --problem linear --seed 15 \
//     --settings '{"contextScale":1,"sampleScale":0.5}'
import { parseArgs } from "node:util";
import { positiveNumbers } from "./cli-lists.js";
import { createKairos, KairosLearner } from "./learner.js";
import { makeStream } from "./stream.js";

const { values } = parseArgs({
  options: {
    problem: { type: "string", default: "linear" },
    kind: { type: "string", default: "auto" },
    settings: { type: "string", default: "{}" },
    seed: { type: "string", default: "1" },
    batch: { type: "string", default: "1" },
    horizon: { type: "string" },
    last: { type: "string", default: "5000" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  console.log(`regret-sources.ts [options]: which actions a replay missed, and the prior precisions it learned

  --problem P     a learning-benchmark problem with at most 16 actions (default linear)
  --kind K        preset (default auto)
  --settings JSON the preset's settings (default {})
  --seed N        seed (default 1)
  --batch N       batch size (default 1)
  --horizon N     rounds (default: the problem's own)
  --last N        rounds counted, at the end (default 5000)`);
  process.exit(0);
}

const [seed] = positiveNumbers("seed", values.seed);
const [batch] = positiveNumbers("batch", values.batch);
const [last] = positiveNumbers("last", values.last);
const horizon = values.horizon === undefined ? undefined : positiveNumbers("horizon", values.horizon)[0];
const stream = makeStream(values.problem, seed!, horizon);
const K = stream.problem.actionCount;
if (K > 16) {
  console.error(`--problem: ${values.problem} has ${K} actions; the table is for at most 16`);
  process.exit(2);
}
const policy = createKairos(values.kind, stream.problem, seed!, false, JSON.parse(values.settings));
const learner = new KairosLearner(policy, stream);
const counts = new Int32Array(K * K);
const regrets = new Float64Array(K * K);
let total = 0;
for (let t0 = 0; t0 < stream.rounds; t0 += batch!) {
  const n = Math.min(batch!, stream.rounds - t0);
  const actions = learner.decide(t0, n);
  const rewards = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = t0 + i;
    const chosen = actions[i]!;
    if (t >= stream.rounds - last!) {
      let best = stream.problem.feasible[0]!;
      for (const a of stream.problem.feasible) if (stream.mean(t, a) > stream.mean(t, best)) best = a;
      const regret = stream.best[t]! - stream.mean(t, chosen);
      counts[best * K + chosen]!++;
      regrets[best * K + chosen]! += regret;
      total += regret;
    }
    rewards[i] = stream.reward(t, chosen);
  }
  learner.update(t0, n, actions, rewards);
}

const rounds = Math.min(last!, stream.rounds);
console.log(`${values.kind} ${values.settings} on ${values.problem}, seed ${seed}, batch ${batch}`);
console.log(
  `last ${rounds} rounds: regret ${total.toFixed(1)}; rows: the best action, columns: the one chosen`,
);
console.log(
  `(count/regret)\n${"best".padStart(6)} ${Array.from({ length: K }, (_, a) => `${a}`.padStart(9)).join(" ")}`,
);
for (let b = 0; b < K; b++) {
  const row = Array.from({ length: K }, (_, a) =>
    `${counts[b * K + a]}/${regrets[b * K + a]!.toFixed(0)}`.padStart(9),
  );
  console.log(`${`${b}`.padStart(6)} ${row.join(" ")}`);
}

const model = (policy.snapshot() as { model?: { prior?: { values: number[] } } }).model;
const precisions = model?.prior?.values;
if (precisions) {
  const units = model && "units" in model && Array.isArray(model.units) ? model.units.length : K;
  const d = precisions.length / units;
  console.log("\nlearned prior precision of each unit's coefficients (log10, intercept first):");
  for (let u = 0; u < units; u++) {
    const row = precisions.slice(u * d, (u + 1) * d).map((v) => Math.log10(v).toFixed(1).padStart(4));
    console.log(`unit ${`${u}`.padStart(2)}: ${row.join(" ")}`);
  }
}
