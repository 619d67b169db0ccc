// A daily cycle's heavy part for N customers (default 1,000,000), with the functions runDay runs: audience
// read (segment-export JSON Lines) and stored, group assignment, decisions with propensities (auto preset, 3
// dimensions, 4 features; on worker threads) written to the decision log, and the send plan written to the
// ledger (Activator.enqueue: due times in each customer's zone, trigger properties); Braze is not called.
// Prints each step's time, this thread's CPU time, the load average and the peak RSS (every thread).
// Run: npx tsx --conditions=kairos-source packages/runner/bench/day.bench.ts [N]   (KAIROS_WORKERS=0: one thread)
//  or, built: pnpm build && KAIROS_BENCH_DIST=1 npx tsx packages/runner/bench/day.bench.ts [N]
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Activator, BrazeClient } from "@kairos/braze-adapter";
import { writeBenchAudience } from "./audience-file.js";

// KAIROS_BENCH_DIST=1 (run without --conditions=kairos-source, after `pnpm build`): the built package, as
// `kairos day` runs in production (its worker threads then start without compiling TypeScript).
const runner: typeof import("../src/index.js") = process.env.KAIROS_BENCH_DIST
  ? await import(new URL("../dist/index.js", import.meta.url).href)
  : await import("../src/index.js");
const { decideAndLog, loadPolicy, loadUseCase, openState, readAudience, startSendPlan, storeAudience } =
  runner;

const n = Number(process.argv[2] ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), "kairos-bench-"));
const audienceFile = join(dir, "audience.jsonl");
writeBenchAudience(audienceFile, n);

const useCase = await loadUseCase(new URL("../examples/use-cases/win-back.json", import.meta.url).pathname);
const state = openState(join(dir, "state"), useCase.id);
const day = "2026-03-02";
const workers = process.env.KAIROS_WORKERS === undefined ? undefined : Number(process.env.KAIROS_WORKERS);
const times: [string, number, number][] = [];
let t = performance.now();
const lap = (name: string) => {
  const now = performance.now();
  times.push([name, (now - t) / 1000, process.resourceUsage().maxRSS / 1024]);
  t = now;
};
const start = t;
const cpu = process.cpuUsage();
const load = loadavg();

// The steps as runDay runs them (learning aside: a first day has nothing to learn).
const { members } = await readAudience(useCase, undefined, audienceFile);
lap("audience read");
storeAudience(state, day, members);
members.length = 0;
lap("audience stored");
const policy = loadPolicy(useCase, state.snapshots, Date.now());
const client = new BrazeClient({ baseUrl: "https://rest.iad-01.braze.com", apiKey: "unused", dryRun: true });
const activator = new Activator({ client, ledger: state.ledger, mapping: useCase.mapping });
// As in runDay: each page of decisions is logged, then its sends are queued in the ledger (on a thread of
// their own), while the workers decide the next pages.
const plan = startSendPlan(useCase, state, activator, day, Date.now(), { audience: n, workers });
const decided = await decideAndLog(useCase, state, policy, day, {
  workers,
  afterPage: (first, last, rows) => plan.queue(first, last, rows),
});
const queued = await plan.finish();
await plan.close();
lap(
  `groups, decisions, log, send plan (${decided.workers || 1} thread${decided.workers > 1 ? "s" : ""} deciding)`,
);
const total = (performance.now() - start) / 1000;
const used = process.cpuUsage(cpu);
const withPropensity = state.db
  .prepare("SELECT COUNT(*) FROM decisions WHERE propensity IS NOT NULL")
  .pluck()
  .get() as number;
const logged = state.db.prepare("SELECT COUNT(*) FROM decisions").pluck().get() as number;
for (const [name, s, rss] of times)
  console.log(`${name.padEnd(60)} ${s.toFixed(1).padStart(6)} s   (peak RSS so far ${rss.toFixed(0)} MiB)`);
console.log(
  `${n.toLocaleString("en")} customers: ${total.toFixed(1)} s (this thread's CPU ${((used.user + used.system) / 1e6).toFixed(1)} s; load average ${load.map((l) => l.toFixed(1)).join(" ")} before, ${loadavg()
    .map((l) => l.toFixed(1))
    .join(
      " ",
    )} after), ${logged.toLocaleString("en")} decisions (${withPropensity.toLocaleString("en")} with a propensity), ${queued.toLocaleString("en")} sends planned; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
);
await state.close();
await client.close();
rmSync(dir, { recursive: true, force: true });
