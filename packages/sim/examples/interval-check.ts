// Checks the 95% intervals of `kairos-sim run` against the spread of results over disjoint seed sets.
//
//   pnpm exec tsx --conditions=kairos-source packages/sim/examples/interval-check.ts simulations/default.json \
//     [--sets 16] [--size 3] [--first 1] [--policies a,b,…] [--workers 2] [--jobs jobs.json] [--also a.json,…]
//
// Runs sets × size replications once (seeds 1 … sets·size), splits them into `sets` disjoint sets of `size`
// replications, aggregates each set as `run --seeds` would, and prints per quantity (reward per customer,
// uplift against each control group): the spread of the estimates between sets (their sample sd), the
// reported standard error (root mean square over sets, an unbiased scale for the sd), their ratio, and
// leave-one-out coverage: how many sets' 95% intervals contain the mean of the other sets' estimates.
// The last columns do the same for the former uplift interval (delta method within each replication,
// combined as sqrt(Σ se²)/R) for comparison. `--jobs` saves the raw job results (or reads them if present);
// `--first N` starts at seed N, and `--also` adds results saved by other runs (other seeds) before splitting,
// so a check can be extended in pieces.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import {
  aggregate,
  type Job,
  type JobResult,
  loadScenario,
  parsePolicyList,
  relativeUplift,
  runJobs,
  t975,
  type Unit,
  unitLabel,
} from "@kairos/sim";

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const file = args[0];
if (!file || file.startsWith("--")) {
  console.error(
    "usage: interval-check.ts <scenario.json> [--sets N] [--size R] [--policies …] [--jobs file]",
  );
  process.exit(2);
}
const scenario = loadScenario(file);
const sets = Number(flag("sets") ?? 16);
const size = Number(flag("size") ?? 3);
const jobsFile = flag("jobs");
const first = Number(flag("first") ?? 1);
const specs = parsePolicyList(
  flag("policies") ??
    scenario.policies?.join(",") ??
    "random,bau,ab-test,segment-ab-test,factorised-thompson,factorised-ucb,squarecb",
);

let results: JobResult[];
if (jobsFile && existsSync(jobsFile)) results = JSON.parse(readFileSync(jobsFile, "utf8"));
else {
  const units: Unit[] = specs.map((spec) => ({ type: "policy", spec }));
  for (const g of ["random", "bau", "holdout"] as const)
    if (scenario.groups[g] > 0) units.push({ type: "group", group: g });
  const jobs: Job[] = [];
  for (let r = first; r < first + sets * size; r++)
    for (const unit of units) jobs.push({ id: jobs.length, scenario, replication: r, unit });
  const started = performance.now();
  let done = 0;
  results = await runJobs(jobs, {
    workers: flag("workers") === undefined ? undefined : Number(flag("workers")),
    onDay: (_id, day) => {
      if (day === scenario.days - 1 && ++done % 20 === 0)
        console.error(`${done}/${jobs.length} jobs · ${Math.round((performance.now() - started) / 1000)} s`);
    },
  });
  if (jobsFile) writeFileSync(jobsFile, JSON.stringify(results.map((r) => ({ ...r, log: undefined }))));
}

interface Quantity {
  estimate: number[];
  se: number[];
  low: number[];
  high: number[];
  formerSe: number[];
}
const quantities = new Map<string, Quantity>();
const quantity = (key: string) => {
  let q = quantities.get(key);
  if (!q) quantities.set(key, (q = { estimate: [], se: [], low: [], high: [], formerSe: [] }));
  return q;
};
for (const file of flag("also")?.split(",") ?? [])
  results = results.concat(JSON.parse(readFileSync(file, "utf8")) as JobResult[]);
const replications = [...new Set(results.map((r) => r.replication))].sort((a, b) => a - b);
const usable = Math.min(sets, Math.floor(replications.length / size));
for (let k = 0; k < usable; k++) {
  const reps = replications.slice(k * size, (k + 1) * size);
  const sub = results.filter((r) => reps.includes(r.replication));
  const agg = aggregate(sub, {
    scenario: scenario.name,
    metric: scenario.metric.kind,
    days: scenario.days,
    populationSize: scenario.population.size,
    seconds: 0,
  });
  const control = (g: string, r: number) =>
    sub.find((j) => j.unit.type === "group" && j.unit.group === g && j.replication === r)?.run;
  for (const u of [...agg.policies, ...agg.groups]) {
    const label = u.type === "group" ? `group:${u.label}` : u.label;
    const runs = sub
      .filter((j) => unitLabel(j.unit) === label)
      .sort((a, b) => a.replication - b.replication)
      .map((j) => j.run);
    const q = quantity(`${label} · reward per customer`);
    q.estimate.push(u.rewardPerCustomer.estimate);
    q.se.push(u.rewardPerCustomer.se ?? Number.NaN);
    q.low.push(u.rewardPerCustomer.low);
    q.high.push(u.rewardPerCustomer.high);
    q.formerSe.push(Number.NaN);
    for (const g of ["random", "bau", "holdout"] as const) {
      const up = u.uplift[g];
      if (!up) continue;
      const v = quantity(`${label} · uplift vs ${g}`);
      v.estimate.push(up.estimate);
      v.se.push(up.se ?? Number.NaN);
      v.low.push(up.low);
      v.high.push(up.high);
      const within = runs.map((r, i) => {
        const c = control(g, reps[i]!)!;
        const x = relativeUplift(
          r.perCustomer.mean,
          r.perCustomer.variance / r.customers,
          c.perCustomer.mean,
          c.perCustomer.variance / c.customers,
        );
        return (x.high - x.low) / (2 * 1.96);
      });
      v.formerSe.push(Math.sqrt(within.reduce((s, x) => s + x * x, 0)) / size);
    }
  }
}

const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
const sd = (xs: number[]) => Math.sqrt(xs.reduce((s, v) => s + (v - mean(xs)) ** 2, 0) / (xs.length - 1));
const rms = (xs: number[]) => Math.sqrt(mean(xs.map((x) => x * x)));
const f = (x: number) => (Number.isFinite(x) ? x.toPrecision(3) : "–");
console.log(
  `${scenario.name}: ${usable} disjoint sets of ${size} replications (seeds ${replications[0]}–${replications[usable * size - 1]}); truth for coverage: mean of the other sets`,
);
const rows = [...quantities].map(([key, q]) => {
  const n = q.estimate.length;
  const spread = sd(q.estimate);
  let covered = 0;
  let formerCovered = 0;
  for (let i = 0; i < n; i++) {
    const truth = (mean(q.estimate) * n - q.estimate[i]!) / (n - 1);
    if (q.low[i]! <= truth && truth <= q.high[i]!) covered++;
    if (Math.abs(q.estimate[i]! - truth) <= 1.96 * q.formerSe[i]!) formerCovered++;
  }
  const former = q.formerSe.every(Number.isFinite);
  return [
    key,
    f(spread),
    f(rms(q.se)),
    f(spread / rms(q.se)),
    `${covered}/${n}`,
    former ? f(spread / rms(q.formerSe)) : "",
    former ? `${formerCovered}/${n}` : "",
  ];
});
const header = [
  "quantity",
  "spread",
  "reported se",
  "spread/se",
  "covered",
  "former spread/se",
  "former covered",
];
const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
for (const r of [header, ...rows])
  console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  "));
console.log(`(t quantile for ${size} replications: ${t975(size - 1)})`);
