// The distributed mode end to end: worker processes on a Redis of their own, against the fake Braze with
// injected 429s, 500s and dropped connections, one worker SIGKILLed mid-shard (after its shard's first sends
// reached Braze) and replaced; two days, the second through `kairos day --redis`. Every decision is sent exactly
// once, the first day's decisions are the single-process runner's, and the model learned from the shards'
// merged statistics equals the one a single process learns on the same data.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeBraze } from "@kairos/braze-adapter/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDistributedDay } from "../../src/distributed/coordinator.js";
import { shardOf, UseCaseKeys } from "../../src/distributed/keys.js";
import type { SharedModel } from "../../src/distributed/model.js";
import { RedisSendLedger } from "../../src/distributed/redis-ledger.js";
import { loadUseCase, openState, reportData, runCli } from "../../src/index.js";
import { runChildDay } from "../fixtures/run-day-child.js";
import { audienceJsonl, CAMPAIGNS, customerIds, SimulatedCustomers, testUseCase } from "../helpers/world.js";
import { type ChildWorker, startChildWorker as startWorkerProcess } from "./child-worker.js";
import { startTestRedis, type TestRedis } from "./redis-server.js";

const CUSTOMERS = 480;
const SHARDS = 4;
const DAYS = ["2026-03-02", "2026-03-03"] as const;
const PREFIX = "kt";
const WINDOW_MS = 4_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let server: TestRedis;
beforeAll(async () => {
  server = await startTestRedis();
});
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  while (cleanups.length) await cleanups.pop()!();
  await server?.stop();
});

/** A directory with the use case, its audience and outcomes, and a fake Braze with faults. */
async function world(name: string) {
  const dir = mkdtempSync(join(tmpdir(), `kairos-dist-${name}-`));
  mkdirSync(join(dir, "outcomes"));
  writeFileSync(join(dir, "audience.jsonl"), audienceJsonl(CUSTOMERS));
  // Sends at once (no send hour) and a four-second window, so a day's rewards close on the wall clock, and a
  // purchase 100 ms after a send's receipt is inside its window even when the send waited seconds after its
  // attempt began (a 429 blocks the bucket for a second; the machine may be busy): the same rewards on both
  // sides. The default policy (auto, with its learned prior precisions): the learn job merges the day's
  // statistics into the model once, as one process learns the day in one batch, so the prior is re-estimated
  // at the same point from the same sums and the models agree to rounding.
  const uc = testUseCase({
    sendTime: { defaultTimeZone: "UTC" },
    metric: { preset: "conversionRate", settings: { window: WINDOW_MS } },
  });
  writeFileSync(join(dir, "use-case.json"), JSON.stringify(uc));
  const fake = await startFakeBraze({
    apiKey: "dist-key",
    users: customerIds(CUSTOMERS),
    campaigns: CAMPAIGNS,
    audience: new SimulatedCustomers(100),
    // One-second windows, so an injected 429 (which reads as the window's empty bucket) costs a second.
    rateLimits: { default: { limit: 1_000, windowMs: 1_000 } },
    faults: { rate429: 0.05, rate500: 0.05, dropRate: 0.05, seed: name },
  });
  cleanups.push(() => fake.close());
  const env = { ...process.env, BRAZE_REST_ENDPOINT: fake.url, BRAZE_API_KEY: "dist-key" };
  return { dir, fake, env, useCase: join(dir, "use-case.json"), state: join(dir, "state") };
}

/** A worker process (see child-worker.ts), killed at the end if still running. */
function startChildWorker(env: NodeJS.ProcessEnv): ChildWorker {
  const w = startWorkerProcess(server.url, PREFIX, env);
  cleanups.push(() => {
    if (!w.exited) w.proc.kill("SIGKILL");
  });
  return w;
}

interface ModelStats {
  gram: { row: number; column: number; values: number[] }[];
  prior?: { values: number[] };
}

/**
 * A snapshot with its learned prior precisions set apart: the shared model's Gram blocks hold them on their
 * diagonals, and a pruned coefficient's precision (λ = σ̂²·γ/θ², up to 10⁶·λ) is ill-conditioned (γ = 1 −
 * λ·(A⁻¹)ᵢᵢ cancels, θ ≈ 0), so summing the same data in another order moves it by ~1e-9 of itself. Returns
 * the precisions, and a copy whose Gram matrices hold their data part only, to be compared to 1e-9.
 */
function splitPrior(snapshot: unknown): { precisions: number[]; rest: unknown } {
  const rest = structuredClone(snapshot) as { model: ModelStats };
  const { gram, prior } = rest.model;
  if (!prior) return { precisions: [], rest };
  for (const block of gram) {
    if (block.row !== block.column) continue;
    const d = Math.round(Math.sqrt(block.values.length));
    for (let i = 0; i < d; i++) block.values[i * d + i]! -= prior.values[block.row * d + i]!;
  }
  delete rest.model.prior;
  return { precisions: prior.values, rest };
}

/** Numbers equal to 1e-9 (relative to their size), everything else exactly; `version` and counters aside. */
function expectSameModel(actual: unknown, expected: unknown, path = "snapshot"): void {
  if (typeof expected === "number" && typeof actual === "number") {
    expect(Math.abs(actual - expected), path).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
    return;
  }
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual) && actual.length === expected.length, path).toBe(true);
    for (let i = 0; i < expected.length; i++)
      expectSameModel((actual as unknown[])[i], expected[i], `${path}[${i}]`);
    return;
  }
  if (expected && typeof expected === "object") {
    expect(Object.keys(actual as object).sort(), path).toEqual(Object.keys(expected).sort());
    for (const [k, e] of Object.entries(expected)) {
      // How many updates and decisions a policy has seen counts merges differently; not part of the model.
      if (path === "snapshot" && (k === "version" || k === "decisions")) continue;
      expectSameModel((actual as Record<string, unknown>)[k], e, `${path}.${k}`);
    }
    return;
  }
  expect(actual, path).toEqual(expected);
}

/** Sends per decision id. */
function sendCounts(fake: Awaited<ReturnType<typeof world>>["fake"]): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of fake.sends) {
    const id = String(s.properties.kairos_decision_id);
    out.set(id, (out.get(id) ?? 0) + 1);
  }
  return out;
}

describe("the daily cycle on several worker processes", () => {
  it("sends every decision exactly once through a SIGKILL and learns the single-process model", async () => {
    const reference = await world("reference");
    const dist = await world("distributed");
    const redis = new Redis(server.url);
    cleanups.push(() => redis.disconnect());
    const useCase = await loadUseCase(dist.useCase);
    const keys = new UseCaseKeys(PREFIX, useCase.id);

    const workers = [0, 1, 2].map(() => startChildWorker(dist.env));
    // Kill the first worker seen deciding a shard whose sends have started reaching Braze, and replace it.
    let killed: { shard: number; worker: ReturnType<typeof startChildWorker> } | undefined;
    const killer = setInterval(() => {
      if (killed) return;
      for (const w of workers) {
        const last = w.lines.at(-1) ?? "";
        const m = /^decide promo \S+ shard (\d+)$/.exec(last);
        if (!m) continue;
        const shard = Number(m[1]);
        if (!dist.fake.sends.some((s) => shardOf(s.externalId, SHARDS) === shard)) continue;
        w.proc.kill("SIGKILL");
        killed = { shard, worker: w };
        workers.push(startChildWorker(dist.env));
        return;
      }
    }, 2);
    cleanups.push(() => clearInterval(killer));

    // Day 1: the single-process runner, and the coordinator in this process.
    await runChildDay(reference.useCase, reference.state, DAYS[0], reference.env);
    const distState = openState(dist.state, useCase.id);
    const day1 = await runDistributedDay(useCase, {
      redisUrl: server.url,
      state: distState,
      prefix: PREFIX,
      shards: SHARDS,
      day: DAYS[0],
      pollMs: 50,
    });
    await distState.close();
    clearInterval(killer);
    expect(killed, "a worker was killed mid-shard").toBeDefined();
    expect(killed!.worker.lines).not.toContain(`completed decide promo.${DAYS[0]}.decide.${killed!.shard}`);
    // The killed worker's shard was finished by another worker.
    const finisher = workers.find(
      (w) =>
        w !== killed!.worker && w.lines.includes(`completed decide promo.${DAYS[0]}.decide.${killed!.shard}`),
    );
    expect(finisher, "another worker finished the killed shard").toBeDefined();

    // Day 2, once day 1's windows closed: the night's outcomes, then `kairos day --redis`.
    await sleep(WINDOW_MS + 200);
    for (const w of [reference, dist])
      writeFileSync(join(w.dir, "outcomes", `${DAYS[1]}.json`), JSON.stringify(w.fake.trackBody()));
    await runChildDay(reference.useCase, reference.state, DAYS[1], reference.env);
    let out = "";
    let err = "";
    const code = await runCli(
      [
        "day",
        dist.useCase,
        "--redis",
        server.url,
        "--prefix",
        PREFIX,
        "--date",
        DAYS[1],
        "--state",
        dist.state,
        "--quiet",
      ],
      { out: (t) => (out += t), err: (t) => (err += t), env: dist.env },
    );
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toMatch(new RegExp(`^${DAYS[1]}: done on Redis: ${CUSTOMERS} customers`));

    // Every decision sent exactly once: as many sends as decisions outside the holdout, each once.
    const state = openState(reference.state, "promo", { lock: false });
    cleanups.push(() => state.close());
    const refDecisions = state.db
      .prepare("SELECT decision_id, grp, action FROM decisions ORDER BY decision_id")
      .all() as { decision_id: string; grp: string; action: string | null }[];
    const sends = sendCounts(dist.fake);
    expect([...sends.values()].every((n) => n === 1)).toBe(true);
    const summaries = [day1.summary, JSON.parse((await redis.get(keys.result(DAYS[1])))!)];
    for (const s of summaries) {
      expect(s.audience).toBe(CUSTOMERS);
      expect(s.failed).toBe(0);
      expect(s.sent + s.held).toBe(CUSTOMERS);
    }
    expect(dist.fake.sends.length).toBe(summaries[0].sent + summaries[1].sent);
    for (let s = 0; s < SHARDS; s++)
      expect(await new RedisSendLedger(redis, keys.ledger(s)).counts()).toMatchObject({
        queued: 0,
        in_flight: 0,
        failed: 0,
      });

    // Day 1 was decided from the prior on both sides: the same groups and actions, sent as decided.
    const distDay1 = new Map(
      dist.fake.sends
        .filter((s) => String(s.properties.kairos_decision_id).includes(DAYS[0]))
        .map((s) => [String(s.properties.kairos_decision_id), [s.properties.offer, s.channel]]),
    );
    const refDay1 = refDecisions.filter((d) => d.decision_id.includes(DAYS[0]) && d.grp !== "holdout");
    expect(distDay1.size).toBe(refDay1.length);
    for (const d of refDay1) {
      const action = JSON.parse(d.action!) as { offer: string; channel: string };
      expect(distDay1.get(d.decision_id), d.decision_id).toEqual([action.offer, action.channel]);
    }

    // The model learned on day 2 from the shards' merged statistics is the single process' model.
    const model = JSON.parse((await redis.get(keys.model))!) as SharedModel;
    expect(model.day).toBe(DAYS[1]);
    const refModel = JSON.parse(state.snapshots.latest()!.json);
    const learned = state.db.prepare("SELECT SUM(learned) FROM snapshots").pluck().get() as number;
    expect(summaries[1].learned.learned).toBe(learned);
    expect(learned).toBe(refDay1.length);
    const learnedModel = splitPrior(model.snapshot);
    const refLearned = splitPrior(refModel);
    expect(learnedModel.precisions.length).toBe(refLearned.precisions.length);
    learnedModel.precisions.forEach((p, i) => {
      expect(Math.abs(p - refLearned.precisions[i]!)).toBeLessThanOrEqual(1e-6 * p);
    });
    expectSameModel(learnedModel.rest, refLearned.rest);

    // Both distributed days are in the local decision log and cycles, as the single-process runner's are:
    // day 1 row for row (groups, actions, how each send ended), and `kairos status` and the report see them,
    // with the rewards learned.
    const logged = openState(dist.state, useCase.id, { lock: false });
    cleanups.push(() => logged.close());
    const rowsOf = (st: typeof state, day: string) =>
      st.db
        .prepare("SELECT decision_id, grp, action, status FROM decisions WHERE day = ? ORDER BY decision_id")
        .all(day);
    expect(rowsOf(logged, DAYS[0])).toEqual(rowsOf(state, DAYS[0]));
    // The report's explained sample: shard 0's first Kairos decisions of each day carry an explanation.
    const explained = logged.db
      .prepare("SELECT grp, explanation FROM decisions WHERE day = ? AND explanation IS NOT NULL")
      .all(DAYS[0]) as { grp: string; explanation: string }[];
    expect(explained.length).toBeGreaterThan(0);
    expect(explained.length).toBeLessThanOrEqual(20);
    expect(explained.every((r) => r.grp === "kairos")).toBe(true);
    expect(rowsOf(logged, DAYS[1])).toHaveLength(CUSTOMERS);
    for (const [i, day] of DAYS.entries())
      expect(logged.cycles.get(day)).toMatchObject({ step: "done", summary: { sent: summaries[i].sent } });
    let status = "";
    expect(
      await runCli(["status", dist.useCase, "--state", dist.state], {
        out: (t) => (status += t),
        err: () => {},
        env: dist.env,
      }),
    ).toBe(0);
    for (const day of DAYS) expect(status).toMatch(new RegExp(`^${day}  done\\s+${CUSTOMERS} `, "m"));
    // The coordinator had Braze credentials on day 2: it pulled the day's data_series, as one process does.
    expect(status).not.toContain("no data_series pulled yet");
    expect(status).toContain("Braze vs Kairos (data_series");
    // Day 2 learned day 1's rewards: the same rewards in the local reward table, and the model as a snapshot.
    const rewardsOf = (st: typeof state) =>
      st.db.prepare("SELECT decision_id, reward FROM rewards ORDER BY decision_id").all();
    expect(rewardsOf(logged)).toEqual(rewardsOf(state));
    expect(logged.snapshots.latest()).toMatchObject({ day: DAYS[1], reason: "learned", learned });
    expect(JSON.parse(logged.snapshots.latest()!.json)).toEqual(model.snapshot);
    // The prior too (what day 1 decided with), as the single process saved it (versions count merges apart).
    expect(logged.snapshots.list().map((r) => [r.reason, r.learned])).toEqual(
      state.snapshots.list().map((r) => [r.reason, r.learned]),
    );
    expect(logged.snapshots.get(1)!.json).toBe(state.snapshots.get(1)!.json);
    const report = reportData(useCase, logged, Date.now());
    expect(report.days.map((d) => d.day)).toEqual([...DAYS]);
    expect(report.days[0]!.decided).toEqual(summaries[0].decided);

    for (const w of workers) if (!w.exited) w.proc.kill("SIGTERM");
  }, 90_000);
});
