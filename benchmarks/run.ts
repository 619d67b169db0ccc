// `pnpm bench`: decisions/s, updates/s and heap per policy of @kairos/core; writes benchmarks/results/core.json.
// `pnpm bench --help` lists the options.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { compareCores, coreAt } from "./lib/against.js";
import { resultsHtml } from "./lib/html.js";
import { formatAgainst, formatResults } from "./lib/report.js";
import { FULL_SPACES } from "./lib/spaces.js";
import { type BenchResults, defaultOptions, runSuite } from "./lib/suite.js";

const USAGE = `pnpm bench [options]: throughput (decisions/s, updates/s), heap per model and µs per round in
batches for every policy preset of @kairos/core, with a same-process baseline (benchmarks/README.md).

  (no option)          full run (a few minutes): tables on stdout, writes benchmarks/results/core.json and
                       core.html
  --quick              smoke run on tiny sizes (~12 s); prints only, unless --out is given
  --targets            only what the speed targets are judged on (~20 s): LinTS, linucb and
                       factorised-thompson on 10 arms and 120,960 combinations at d = 32, and the batched
                       rounds; prints only, unless --out is given
  --against REV        the targets' workloads on @kairos/core as of git revision REV and on the working
                       tree, in one process with interleaved repetitions (rates per CPU-second, best of
                       12 each): before/after numbers that a loaded machine slows alike (~1 min)
  --only a,b           only variants whose id contains one of these (random always runs)
  --budget MS          timed milliseconds per measurement (default 400)
  --out FILE.json      write the results there (and FILE.html)
  --markdown           print the tables as markdown (for the README)
  --quiet              no progress lines on stderr
  --from FILE.json     re-print the tables of a saved run (with --html FILE: write its HTML report instead)
  --html FILE          write the HTML report there
  --help               this text`;

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    targets: { type: "boolean", default: false },
    against: { type: "string" },
    help: { type: "boolean", default: false },
    only: { type: "string" },
    budget: { type: "string" },
    out: { type: "string" },
    markdown: { type: "boolean", default: false },
    quiet: { type: "boolean", default: false },
    from: { type: "string" },
    html: { type: "string" },
  },
});

function writeReport(file: string, results: BenchResults): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, resultsHtml(results));
  console.error(`wrote ${path.relative(process.cwd(), file)}`);
}

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

if (values.against) {
  const before = await coreAt(values.against);
  const rows = compareCores(before, 12, 150, values.quiet ? undefined : (line) => console.error(line));
  console.log(formatAgainst(rows, values.against, values.markdown));
  process.exit(0);
}

if (values.from) {
  const saved = JSON.parse(readFileSync(values.from, "utf8")) as BenchResults;
  if (values.html) writeReport(values.html, saved);
  else console.log(formatResults(saved, values.markdown));
  process.exit(0);
}

const opts = defaultOptions(values.quick ? "quick" : "full");
if (values.targets) {
  opts.spaces = FULL_SPACES.filter((s) => s.id === "arms-10" || s.id === "combos-120960");
  opts.dimensions = [32];
  opts.memorySpaces = [];
  opts.filter = ["lints", "linucb", "factorised-thompson"];
}
if (values.only) opts.filter = values.only.split(",").filter(Boolean);
if (values.budget) opts.budgetMs = Number(values.budget);
if (!values.quiet) opts.log = (line) => console.error(line);

const results = runSuite(opts);
console.log(formatResults(results, values.markdown));

const partial = opts.filter.length > 0 || values.budget !== undefined || values.targets;
const out = values.out ?? (values.quick || partial ? undefined : path.join(here, "results", "core.json"));
if (out) {
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.error(`wrote ${path.relative(process.cwd(), out)}`);
}
const html = values.html ?? (out ? out.replace(/\.json$/, ".html") : undefined);
if (html) writeReport(html, results);
