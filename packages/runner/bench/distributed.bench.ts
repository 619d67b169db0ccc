// The daily cycle on Redis against the single-process one, for N customers (default 100,000): the win-back
// example (3 dimensions, 4 features, eligibility, `auto`) sending at once to a fake Braze in a process of its
// own (fake-braze-child.ts; no faults, the documented 250,000 requests/hour bucket), with the short activation delays of the tests'
// worker (test/distributed/worker-child.ts) on both sides. First `runDay` on SQLite, then the distributed
// day on a fresh Redis (appendonly yes, appendfsync everysec) with 1, 2 and 4 worker processes. Prints, per
// run, the wall time and customers per second, Redis' memory per customer once the day is done (INFO memory:
// used_memory over a Redis holding only this use case's state), the same once every settled ledger row is
// pruned (as `--ledger-days` days later), the ratio to the single-process run, and the Braze requests made.
// Run: npx tsx --conditions=kairos-source packages/runner/bench/distributed.bench.ts [N] [shards] [workers]
// (workers: the distributed runs' worker counts, default 1,2,4; 0 for the single-process run alone)
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { BrazeClient } from "@kairos/braze-adapter";
import { Redis } from "ioredis";
import { runDistributedDay } from "../src/distributed/coordinator.js";
import { UseCaseKeys } from "../src/distributed/keys.js";
import { RedisSendLedger } from "../src/distributed/redis-ledger.js";
import { loadUseCase, openState, runDay } from "../src/index.js";
import { startTestRedis } from "../test/distributed/redis-server.js";
import { FAST_ACTIVATION } from "../test/fixtures/run-day-child.js";
import { writeBenchAudience } from "./audience-file.js";

const n = Number(process.argv[2] ?? 100_000);
const shards = Number(process.argv[3] ?? 16);
const workerCounts = (process.argv[4] ?? "1,2,4")
  .split(",")
  .map(Number)
  .filter((w) => w > 0);
const day = "2026-03-02";
const dir = mkdtempSync(join(tmpdir(), "kairos-dist-bench-"));

writeBenchAudience(join(dir, "audience.jsonl"), n);

// The win-back example, reading that file and sending at once (no send hour), with no outcome folder.
const example = new URL("../examples/use-cases/win-back.json", import.meta.url).pathname;
const file = JSON.parse(readFileSync(example, "utf8")) as Record<string, unknown>;
file.audience = { file: "audience.jsonl" };
file.sendTime = { defaultTimeZone: "UTC" };
delete file.outcomes;
// A first day has no send history for the frequency cap to count: both runs go without it.
delete file.frequencyCap;
writeFileSync(join(dir, "use-case.json"), JSON.stringify(file));
const useCase = await loadUseCase(join(dir, "use-case.json"));
const targets = Object.values((file.activation as { targets: Record<string, { campaign: string }> }).targets);

/** A child process' CPU time in seconds (Linux: utime + stime in clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Starts the fake Braze in its own process; `stop` returns the requests it served and its CPU seconds. */
async function fakeBraze(): Promise<{ url: string; stop(): Promise<{ requests: number; cpu: number }> }> {
  const options = {
    apiKey: "bench-key",
    campaigns: targets.map((t, i) => ({
      id: t.campaign,
      name: t.campaign,
      variations: [{ id: `${t.campaign}-v1`, channel: i === 0 ? "email" : "sms" }],
    })),
  };
  const p = spawn(
    process.execPath,
    ["--conditions=kairos-source", "--import", "tsx", fakeChild, JSON.stringify(options), String(n)],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let out = "";
  p.stdout!.on("data", (b) => {
    out += b;
  });
  const line = (prefix: string) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const m = new RegExp(`^${prefix} (\\S+)$`, "m").exec(out);
        if (m) resolve(m[1]!);
        else if (p.exitCode !== null) reject(new Error(`fake Braze exited (${p.exitCode})`));
        else setTimeout(check, 20);
      };
      check();
    });
  const url = await line("URL");
  return {
    url,
    async stop() {
      const cpu = cpuSeconds(p.pid!);
      p.kill("SIGTERM");
      return { requests: Number(await line("REQUESTS")), cpu };
    },
  };
}
const fakeChild = new URL("./fake-braze-child.ts", import.meta.url).pathname;

const rows: string[][] = [];
let cpu0 = process.cpuUsage();
console.log(
  `${n} customers, ${shards} shards, ${cpus().length} cores (${cpus()[0]?.model}), load ${loadavg()[0]!.toFixed(1)}`,
);

// Single process, SQLite.
let single: number;
{
  const fake = await fakeBraze();
  const braze = new BrazeClient({
    baseUrl: fake.url,
    apiKey: "bench-key",
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
  });
  const state = openState(join(dir, "state"), useCase.id);
  const t0 = performance.now();
  // The workers' activation settings (worker-child.ts), so both sides pace their sends alike.
  const result = await runDay(useCase, state, braze, { day, activation: FAST_ACTIVATION });
  single = (performance.now() - t0) / 1000;
  const cpuSingle = process.cpuUsage(cpu0);
  const served = await fake.stop();
  rows.push([
    "single process (SQLite)",
    single.toFixed(1),
    (n / single).toFixed(0),
    "–",
    "–",
    "1.00",
    ((cpuSingle.user + cpuSingle.system) / n).toFixed(0),
    String(served.requests),
    served.cpu.toFixed(1),
    String(result.summary.sent),
  ]);
  console.log(rows.at(-1)!.join(" | "));
  await state.close();
  await braze.close();
}
cpu0 = process.cpuUsage();

// Distributed, 1, 2 and 4 workers, each on a fresh Redis.
const child = new URL("../test/distributed/worker-child.ts", import.meta.url).pathname;
for (const workers of workerCounts) {
  const redisServer = await startTestRedis();
  const redis = new Redis(redisServer.url);
  const fake = await fakeBraze();
  const env = { ...process.env, BRAZE_REST_ENDPOINT: fake.url, BRAZE_API_KEY: "bench-key" };
  const procs: ChildProcess[] = [];
  const ready: Promise<void>[] = [];
  for (let w = 0; w < workers; w++) {
    const p = spawn(
      process.execPath,
      ["--conditions=kairos-source", "--import", "tsx", child, redisServer.url, "bench", "30000"],
      {
        env,
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    procs.push(p);
    ready.push(
      new Promise((resolve) => {
        let out = "";
        p.stdout!.on("data", (b) => {
          out += b;
          if (out.includes("READY")) resolve();
        });
      }),
    );
  }
  await Promise.all(ready);
  // The coordinator writes the day's decisions and cycle to a local state, as `kairos day --redis` does.
  const localState = openState(join(dir, `state-${workers}`), useCase.id);
  const t0 = performance.now();
  const result = await runDistributedDay(useCase, {
    redisUrl: redisServer.url,
    state: localState,
    prefix: "bench",
    shards,
    day,
  });
  await localState.close();
  const seconds = (performance.now() - t0) / 1000;
  const info = await redis.info("memory");
  const cpuInfo = await redis.info("cpu");
  const redisCpu =
    Number(/used_cpu_user:([\d.]+)/.exec(cpuInfo)![1]) + Number(/used_cpu_sys:([\d.]+)/.exec(cpuInfo)![1]);
  // The workers' CPU time, start-up included.
  const workerCpu = procs.reduce((sum, p) => sum + cpuSeconds(p.pid!), 0);
  const used = Number(/used_memory:(\d+)/.exec(info)![1]);
  const peak = Number(/used_memory_peak:(\d+)/.exec(info)![1]);
  // What stays once the day's sends are older than --ledger-days: every settled ledger row pruned.
  const keys = new UseCaseKeys("bench", useCase.id);
  for (let s = 0; s < shards; s++) await new RedisSendLedger(redis, keys.ledger(s)).prune(Date.now() + 1);
  const pruned = Number(/used_memory:(\d+)/.exec(await redis.info("memory"))![1]);
  const served = await fake.stop();
  rows.push([
    `${workers} worker${workers > 1 ? "s" : ""} (Redis)`,
    seconds.toFixed(1),
    (n / seconds).toFixed(0),
    `${(used / n).toFixed(0)} (peak ${(peak / n).toFixed(0)})`,
    (pruned / n).toFixed(0),
    (seconds / single).toFixed(2),
    `${((workerCpu * 1e6) / n).toFixed(0)} + ${((redisCpu * 1e6) / n).toFixed(0)}`,
    String(served.requests),
    served.cpu.toFixed(1),
    String(result.summary.sent),
  ]);
  console.log(rows.at(-1)!.join(" | "));
  for (const p of procs) p.kill("SIGTERM");
  await Promise.all(procs.map((p) => new Promise((r) => p.once("exit", r))));
  redis.disconnect();
  await redisServer.stop();
}

console.log(
  "\n| run | wall s | customers/s | Redis bytes/customer | the same, ledger pruned | time vs single | CPU µs/customer (process or workers + Redis) | Braze requests | fake Braze CPU s | sent |",
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
const used = process.cpuUsage(cpu0);
console.log(
  `\ncoordinator CPU ${((used.user + used.system) / 1e6).toFixed(1)} s; load ${loadavg()[0]!.toFixed(1)}`,
);
rmSync(dir, { recursive: true, force: true });
