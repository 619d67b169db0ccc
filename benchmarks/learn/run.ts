// `pnpm bench:learn`: how well every Kairos preset learns, against the peer libraries' algorithms, on
// problems with a known truth (exact regret). Writes benchmarks/results/learn.json and learn.html.
//   pnpm bench:learn                  full run (about 8 minutes on 2 cores)
//   pnpm bench:learn --quick          smoke run: 500 rounds, 2 seeds (prints only, unless --out is given)
//   pnpm bench:learn --problems linear,nonlinear --batches 1 --seeds 5 --horizon 4000
//   pnpm bench:learn --only lints,mabwiser   Kairos presets and peers whose id contains one of these
//                                            (references and random always run)
//   pnpm bench:learn --workers 1      worker threads (default: 2, or the cores there are)
//   pnpm bench:learn --propensities   compute Thompson propensities as the presets do by default (slower;
//                                     decisions are the same)
//   pnpm bench:learn --out path.json --html path.html --markdown
//   pnpm bench:learn --from benchmarks/results/learn.json [--markdown] [--html report.html]
// Partial runs (--quick, --problems, --only, --seeds, --horizon, --batches) write nothing unless --out says so.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { aggregate, codeVersion, defaultOptions, jobsOf, type LearnResults, machineMeta } from "./harness.js";
import { learnHtml } from "./html.js";
import { runJobs } from "./parallel.js";
import { PROBLEM_IDS } from "./problems.js";
import { formatResults } from "./report.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    problems: { type: "string" },
    only: { type: "string" },
    seeds: { type: "string" },
    horizon: { type: "string" },
    batches: { type: "string" },
    workers: { type: "string" },
    propensities: { type: "boolean", default: false },
    out: { type: "string" },
    html: { type: "string" },
    markdown: { type: "boolean", default: false },
    quiet: { type: "boolean", default: false },
    from: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (values.help) {
  console.log(`pnpm bench:learn [options]: regret of every Kairos preset and the peer libraries' algorithms on
problems with a known truth; writes benchmarks/results/learn.json and learn.html (full runs only).

  --quick                 smoke run: 500 rounds, 2 seeds (prints only unless --out is given)
  --problems a,b          problems to run (default: all: ${PROBLEM_IDS.join(", ")})
  --only a,b              Kairos presets and peers whose id contains one of these (references and random
                          always run; without a peer there is no ratio to the best peer)
  --seeds N               seeds 1..N (default 10)
  --horizon N             rounds per problem (default: each problem's own)
  --batches 1,100         batch sizes (default 1 and 100)
  --workers N             worker threads (default 2, or the cores there are)
  --propensities          compute Thompson propensities as the presets do by default (slower; same decisions)
  --out FILE --html FILE  where to write the JSON and the HTML report
  --markdown              print the tables as Markdown
  --from FILE             re-print a saved run (with --markdown or --html)
  --quiet                 no progress on stderr
  -h, --help              this help

Example: pnpm bench:learn --problems linear --batches 100 --seeds 5 --only auto,mabwiser`);
  process.exit(0);
}

function writeHtml(file: string, results: LearnResults): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, learnHtml(results));
  console.error(`wrote ${path.relative(process.cwd(), file)}`);
}

if (values.from) {
  const saved = JSON.parse(readFileSync(values.from, "utf8")) as LearnResults;
  if (values.html) writeHtml(values.html, saved);
  else console.log(formatResults(saved, values.markdown));
  process.exit(0);
}

const list = (s: string | undefined) =>
  (s ?? "")
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);
const opts = defaultOptions(values.quick ? "quick" : "full");
if (values.problems) opts.problems = list(values.problems);
if (values.only) opts.only = list(values.only);
if (values.seeds) opts.seeds = Array.from({ length: Number(values.seeds) }, (_, i) => i + 1);
if (values.horizon) opts.horizon = Number(values.horizon);
if (values.batches) opts.batchSizes = list(values.batches).map(Number);
if (values.workers) opts.workers = Number(values.workers);
opts.propensities = values.propensities;
if (!values.quiet) opts.log = (line) => console.error(line);

const started = performance.now();
const loadStart = os.loadavg()[0]!;
const version = codeVersion();
const jobs = jobsOf(opts);
opts.log(`${jobs.length} replays on ${opts.workers} worker thread(s)`);
const results = await runJobs(jobs, opts.workers, (r, done) => {
  const elapsed = (performance.now() - started) / 1000;
  const eta = (elapsed / done) * (jobs.length - done);
  const what = r.status === "ok" ? `regret ${r.regret.toFixed(1)}` : `n/a: ${r.reason}`;
  opts.log(
    `[${done}/${jobs.length}] ${r.job.problem} b=${r.job.batch} seed ${r.job.seed} ${r.job.policy}: ${what} (${((r.decideMs + r.updateMs) / 1000).toFixed(1)} s; ${elapsed.toFixed(0)} s elapsed, ~${eta.toFixed(0)} s left)`,
  );
});
const learn = aggregate(opts, results, machineMeta(opts, started, loadStart, version));
console.log(formatResults(learn, values.markdown));

const partial =
  values.quick || values.problems || values.only || values.seeds || values.horizon || values.batches;
const out = values.out ?? (partial ? undefined : path.join(here, "..", "results", "learn.json"));
if (out) {
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(learn, null, 1)}\n`);
  console.error(`wrote ${path.relative(process.cwd(), out)}`);
}
const html = values.html ?? (out ? out.replace(/\.json$/, ".html") : undefined);
if (html) writeHtml(html, learn);
