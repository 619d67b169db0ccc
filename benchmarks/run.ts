// `pnpm bench`: decisions/s, updates/s and heap per policy of @kairos/core; writes benchmarks/results/core.json.
//   pnpm bench                 full run (a few minutes)
//   pnpm bench --quick         smoke run on tiny sizes (prints only, unless --out is given)
//   pnpm bench --only lints,factorised   only variants whose id contains one of these (random always runs)
//   pnpm bench --budget 200    timed milliseconds per measurement (default 400)
//   pnpm bench --out path.json --markdown
//   pnpm bench --from benchmarks/results/core.json --markdown   re-print the tables of a saved run
//   pnpm bench --from benchmarks/results/core.json --html report.html   write the HTML report of a saved run
// A full run also writes benchmarks/results/core.html (charts); --html <file> writes it elsewhere.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { resultsHtml } from "./lib/html.js";
import { formatResults } from "./lib/report.js";
import { type BenchResults, defaultOptions, runSuite } from "./lib/suite.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
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

if (values.from) {
  const saved = JSON.parse(readFileSync(values.from, "utf8")) as BenchResults;
  if (values.html) writeReport(values.html, saved);
  else console.log(formatResults(saved, values.markdown));
  process.exit(0);
}

const opts = defaultOptions(values.quick ? "quick" : "full");
if (values.only) opts.filter = values.only.split(",").filter(Boolean);
if (values.budget) opts.budgetMs = Number(values.budget);
if (!values.quiet) opts.log = (line) => console.error(line);

const results = runSuite(opts);
console.log(formatResults(results, values.markdown));

const partial = opts.filter.length > 0 || values.budget !== undefined;
const out = values.out ?? (values.quick || partial ? undefined : path.join(here, "results", "core.json"));
if (out) {
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.error(`wrote ${path.relative(process.cwd(), out)}`);
}
const html = values.html ?? (out ? out.replace(/\.json$/, ".html") : undefined);
if (html) writeReport(html, results);
