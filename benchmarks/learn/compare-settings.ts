// Two settings of one Kairos preset (or of two presets) replayed on the same problems and seeds: mean regret of each and their
// paired difference (B − A) with its standard error over seeds, so a change of default can be judged
// against seed-to-seed noise. Propensities are skipped (they never change a decision).
//   pnpm tsx --conditions=kairos-source benchmarks/learn/compare-settings.ts --kind auto \
//     --a '{"optimistic":false}' --b '{}' --problems linear,nonlinear --batches 1,100 --seeds 11-40
import { parseArgs } from "node:util";
import { positiveNumbers, seedList } from "./cli-lists.js";
import { createKairos, KairosLearner } from "./learner.js";
import { PROBLEM_IDS } from "./problems.js";
import { makeStream } from "./stream.js";

const { values } = parseArgs({
  options: {
    kind: { type: "string", default: "auto" },
    "kind-b": { type: "string" },
    a: { type: "string", default: "{}" },
    b: { type: "string", default: "{}" },
    problems: { type: "string", default: PROBLEM_IDS.join(",") },
    batches: { type: "string", default: "1,100" },
    seeds: { type: "string", default: "1-10" },
    horizon: { type: "string" },
    "per-seed": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  console.log(`compare-settings.ts [options]: paired regret of two settings of one preset on the learning benchmark's problems

  --kind K        preset (default auto)
  --kind-b K      preset of B, when it is another one (default: --kind)
  --a JSON        settings A (default {}: the preset's defaults)
  --b JSON        settings B
  --problems a,b  problems (default: all)
  --batches 1,100 batch sizes
  --seeds 1-10    seeds, a range or a list
  --horizon N     rounds per problem (default: each problem's own)
  --per-seed      also print each seed's B − A (a heavy tail shows as a few large differences)`);
  process.exit(0);
}

/** Regret of one replay. */
function regretOf(problem: string, seed: number, batch: number, kind: string, settings: object): number {
  const stream = makeStream(problem, seed, horizon);
  const policy = createKairos(kind, stream.problem, seed, false, settings);
  const learner = new KairosLearner(policy, stream);
  let regret = 0;
  for (let t0 = 0; t0 < stream.rounds; t0 += batch) {
    const n = Math.min(batch, stream.rounds - t0);
    const actions = learner.decide(t0, n);
    const rewards = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      regret += stream.best[t0 + i]! - stream.mean(t0 + i, actions[i]!);
      rewards[i] = stream.reward(t0 + i, actions[i]!);
    }
    learner.update(t0, n, actions, rewards);
  }
  return regret;
}

const horizon = values.horizon === undefined ? undefined : positiveNumbers("horizon", values.horizon)[0];
const a = JSON.parse(values.a);
const b = JSON.parse(values.b);
const seeds = seedList(values.seeds);
const kindB = values["kind-b"] ?? values.kind;
console.log(`A = ${values.kind} ${values.a}, B = ${kindB} ${values.b}; seeds ${values.seeds}`);
console.log("| problem | batch | regret A | regret B | B − A (paired, ± se) | t |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
for (const problem of values.problems.split(","))
  for (const batch of positiveNumbers("batches", values.batches)) {
    const diffs: number[] = [];
    let sumA = 0;
    let sumB = 0;
    for (const seed of seeds) {
      const ra = regretOf(problem, seed, batch, values.kind, a);
      const rb = regretOf(problem, seed, batch, kindB, b);
      sumA += ra;
      sumB += rb;
      diffs.push(rb - ra);
    }
    const n = seeds.length;
    const mean = diffs.reduce((s, d) => s + d, 0) / n;
    const sd = Math.sqrt(diffs.reduce((s, d) => s + (d - mean) ** 2, 0) / Math.max(1, n - 1));
    const se = sd / Math.sqrt(n);
    if (values["per-seed"])
      console.log(
        `  ${problem} b=${batch} B − A by seed: ${diffs.map((d, i) => `${seeds[i]}:${d.toFixed(0)}`).join(" ")}`,
      );
    console.log(
      `| ${problem} | ${batch} | ${(sumA / n).toFixed(0)} | ${(sumB / n).toFixed(0)} | ${mean.toFixed(1)} ± ${se.toFixed(1)} | ${(mean / se).toFixed(2)} |`,
    );
  }
