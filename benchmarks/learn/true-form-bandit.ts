// How low could a bandit's regret go on the learning benchmark's problems? A probe with oracle knowledge:
// Bayesian linear regression over the truth's own functional form (its basis and units, as the
// full-information reference fits), learning from bandit feedback only (the chosen action's reward), with
// the reward noise set to the truth's, and Thompson sampling (prior sd τ on every coefficient, draws from
// the posterior narrowed by a factor s) or greedy play on the posterior mean, over a grid of τ and s.
// No learner without that knowledge can be expected to do better than the grid's best cell; the ratio to
// the best tuned peer of a saved `pnpm bench:learn` run (the same seeds, paired) shows how far any
// default could get below it.
//   pnpm tsx --conditions=kairos-source benchmarks/learn/true-form-bandit.ts --problems marketing \
//     --taus 0.01,0.03,0.1 --scales 1,0.5,0.25 --greedy --seeds 1-10
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createRng, normal } from "../../packages/core/src/index.js";
import { type Interval, overSeeds } from "../../packages/sim/src/index.js";
import { positiveNumbers, seedList } from "./cli-lists.js";
import { bestFeasible, coefficientOffsets, scoreUnits } from "./form-play.js";
import type { LearnResults } from "./harness.js";
import { cholesky, solveLower, solveUpper } from "./linalg.js";
import { PROBLEM_IDS } from "./problems.js";
import { makeStream, type Stream } from "./stream.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    problems: { type: "string", default: PROBLEM_IDS.join(",") },
    batches: { type: "string", default: "100" },
    seeds: { type: "string", default: "1-10" },
    horizon: { type: "string" },
    taus: { type: "string", default: "0.01,0.03,0.1" },
    scales: { type: "string", default: "1,0.5,0.25" },
    greedy: { type: "boolean", default: false },
    against: { type: "string", default: path.join(here, "../results/learn.json") },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  console.log(`true-form-bandit.ts [options]: regret of Thompson sampling (and greedy play) on the truth's own
functional form with the truth's noise, from bandit feedback, over a grid of prior sd τ and posterior scale s

  --problems a,b   problems (default: all)
  --batches 100    batch sizes (the posterior is refactored once per batch: batch size 1 is slow on marketing)
  --seeds 1-10     seeds, a range or a list
  --horizon N      rounds per problem (default: each problem's own)
  --taus a,b       prior sd of every coefficient (default 0.01,0.03,0.1)
  --scales a,b     Thompson posterior scale s (default 1,0.5,0.25)
  --greedy         also greedy play on the posterior mean, for each τ
  --against FILE   a saved bench:learn run to compare with, paired by seed (default results/learn.json)`);
  process.exit(0);
}

/** One cell of the grid: Thompson with posterior scale `scale`, or greedy when it is 0. */
interface Config {
  tau: number;
  scale: number;
}

/**
 * Cumulative regret of one replay. Coefficients: every unit of the truth's form, with the basis slice it
 * reads; the Gram matrix G = (σ²/τ²)·I + Σ φφᵀ and b = Σ r·φ are refactored at the start of every batch and
 * each decision draws θ ~ N(G⁻¹b, s²·σ²·G⁻¹) (θ = G⁻¹b when greedy).
 */
function regretOf(stream: Stream, batch: number, { tau, scale }: Config, seed: number): number {
  const { problem } = stream;
  const { form } = problem.truth;
  const m = problem.basisLength;
  const { offsets, size } = coefficientOffsets(form);
  // The truth's noise: Bernoulli variance at the mean expected reward of uniform play.
  let mean = 0;
  for (const v of stream.average) mean += v / stream.rounds;
  const noiseVariance = mean * (1 - mean);
  const gram = new Float64Array(size * size);
  for (let i = 0; i < size; i++) gram[i * size + i] = noiseVariance / (tau * tau);
  const target = new Float64Array(size);
  const factor = new Float64Array(size * size);
  const rng = createRng(`kairos-learn/true-form-bandit/${problem.id}/${seed}/${tau}/${scale}`);
  const unitScores = new Float64Array(form.units.length);
  const noise = new Float64Array(size);
  const phi = new Float64Array(size);
  const actions = new Int32Array(batch);
  let regret = 0;
  for (let t0 = 0; t0 < stream.rounds; t0 += batch) {
    const n = Math.min(batch, stream.rounds - t0);
    factor.set(gram);
    cholesky(factor, size);
    const posteriorMean = solveUpper(factor, solveLower(factor, target, size), size);
    for (let i = 0; i < n; i++) {
      let theta = posteriorMean;
      if (scale > 0) {
        for (let j = 0; j < size; j++) noise[j] = normal(rng);
        // Lᵀe = z gives e ~ N(0, G⁻¹).
        const e = solveUpper(factor, noise, size);
        const sd = scale * Math.sqrt(noiseVariance);
        theta = e.map((v, j) => posteriorMean[j]! + sd * v);
      }
      const t = t0 + i;
      const z = stream.basis.subarray(t * m, (t + 1) * m);
      scoreUnits(form, offsets, theta, z, unitScores);
      const best = bestFeasible(form, problem.feasible, unitScores);
      actions[i] = best;
      regret += stream.best[t]! - stream.mean(t, best);
    }
    for (let i = 0; i < n; i++) {
      const t = t0 + i;
      const reward = stream.reward(t, actions[i]!);
      const z = stream.basis.subarray(t * m, (t + 1) * m);
      // φ(x, a): z's slice in each of a's units (an action holds a unit once), kept where it is not 0.
      const used: number[] = [];
      for (const u of form.unitsOf[actions[i]!]!) {
        const { lo, hi } = form.units[u]!;
        for (let j = lo; j < hi; j++) {
          if (z[j] === 0) continue;
          const k = offsets[u]! + j - lo;
          used.push(k);
          phi[k] = z[j]!;
        }
      }
      for (const p of used) {
        target[p] += reward * phi[p]!;
        for (const q of used) gram[p * size + q] += phi[p]! * phi[q]!;
      }
    }
  }
  return regret;
}

/** The saved run's per-seed regrets of a cell, by seed. */
function savedRegrets(saved: LearnResults | undefined, problem: string, batch: number, policy: string) {
  const cell = saved?.cells.find((c) => c.problem === problem && c.batch === batch && c.policy === policy);
  if (!saved || !cell?.perSeed) return undefined;
  return new Map(saved.settings.seeds.map((s, i) => [s, cell.perSeed![i]!]));
}

/** Mean of ours ÷ mean of theirs over the seeds both have ("" when the saved run has none of them). */
function ratio(ours: Map<number, number>, theirs: Map<number, number> | undefined): string {
  if (!theirs) return "";
  let a = 0;
  let b = 0;
  for (const [seed, r] of ours) {
    const other = theirs.get(seed);
    if (other === undefined) return "";
    a += r;
    b += other;
  }
  return `${(a / b).toFixed(2)}×`;
}

const unknown = values.problems.split(",").filter((p) => !(PROBLEM_IDS as readonly string[]).includes(p));
if (unknown.length > 0) {
  console.error(`--problems: unknown ${unknown.join(", ")}; known: ${PROBLEM_IDS.join(", ")}`);
  process.exit(2);
}
const seeds = seedList(values.seeds);
const horizon = values.horizon === undefined ? undefined : positiveNumbers("horizon", values.horizon)[0];
const saved: LearnResults | undefined =
  horizon === undefined && existsSync(values.against)
    ? JSON.parse(readFileSync(values.against, "utf8"))
    : undefined;
const configs: Config[] = [];
for (const tau of positiveNumbers("taus", values.taus)) {
  for (const scale of positiveNumbers("scales", values.scales)) configs.push({ tau, scale });
  if (values.greedy) configs.push({ tau, scale: 0 });
}
console.log(
  `Bandit feedback on the true form, seeds ${values.seeds}${saved ? `; ratios paired with ${path.relative(process.cwd(), values.against)}` : ""}`,
);
console.log("| problem | batch | play | τ | regret (95% CI) | ÷ best peer | ÷ auto |");
console.log("| --- | ---: | --- | ---: | ---: | ---: | ---: |");
for (const problem of values.problems.split(",")) {
  const streams = seeds.map((seed) => makeStream(problem, seed, horizon));
  for (const batch of positiveNumbers("batches", values.batches)) {
    const comparison = saved?.comparisons.find((c) => c.problem === problem && c.batch === batch);
    const peer = comparison?.bestPeer
      ? savedRegrets(saved, problem, batch, comparison.bestPeer.policy)
      : undefined;
    const auto = savedRegrets(saved, problem, batch, "kairos:auto");
    for (const config of configs) {
      const play = config.scale > 0 ? `Thompson, s = ${config.scale}` : "greedy";
      const regrets = new Map<number, number>();
      seeds.forEach((seed, i) => {
        process.stderr.write(
          `${problem} b=${batch} ${play}, τ = ${config.tau}: seed ${seed} (${i + 1}/${seeds.length})\n`,
        );
        regrets.set(seed, regretOf(streams[i]!, batch, config, seed));
      });
      const interval: Interval = overSeeds([...regrets.values()]);
      console.log(
        `| ${problem} | ${batch} | ${play} | ${config.tau} | ${interval.estimate.toFixed(0)} (${interval.low.toFixed(0)}–${interval.high.toFixed(0)}) | ${ratio(regrets, peer)} | ${ratio(regrets, auto)} |`,
      );
    }
  }
}
