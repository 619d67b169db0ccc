// A crash at every step boundary of runDay (an exception thrown from the progress listener stops the run
// where a kill would), then a rerun of the same day on a reopened state: the same decisions, sends and
// rewards as an uninterrupted run. The crashing runs decide on worker threads and queue their sends on a
// thread of their own (as a large audience does), the uninterrupted one all on one thread. Real SIGKILLs
// in the middle of sending are in kill-resume.test.ts.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BrazeClient, ManualClock } from "@kairos/braze-adapter";
import { startFakeBraze } from "@kairos/braze-adapter/testing";
import { afterAll, describe, expect, it } from "vitest";
import { addDays, compileUseCase, openState, type Progress, runDay } from "../src/index.js";
import { audienceJsonl, CAMPAIGNS, customerIds, SimulatedCustomers, testUseCase } from "./helpers/world.js";

const CUSTOMERS = 150;
const FIRST = "2026-03-02";
const DAYS = 3;
const STEPS: Progress["step"][] = ["audience", "ingest", "learn", "decide", "register"];

class Crash extends Error {}

async function world(name: string) {
  const dir = mkdtempSync(join(tmpdir(), `kairos-crash-${name}-`));
  mkdirSync(join(dir, "outcomes"));
  writeFileSync(join(dir, "audience.jsonl"), audienceJsonl(CUSTOMERS));
  const useCase = compileUseCase(
    testUseCase({ metric: { preset: "conversionRate", settings: { window: "1d" } } }),
    dir,
  );
  const clock = new ManualClock(Date.parse(`${FIRST}T06:00:00Z`));
  const fake = await startFakeBraze({
    apiKey: "k",
    users: customerIds(CUSTOMERS),
    campaigns: CAMPAIGNS,
    clock: () => clock.now(),
    audience: new SimulatedCustomers(3_600_000),
    faults: { rate500: 0.05, dropRate: 0.05, seed: 3 },
  });
  const client = new BrazeClient({
    baseUrl: fake.url,
    apiKey: "k",
    clock,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
  });
  return { dir, useCase, clock, fake, client, state: join(dir, "state") };
}

/**
 * Runs the days; with `crashes`, each day first crashes once at every step, then finishes (deciding and
 * queueing sends on threads, in pages of 40 customers).
 */
async function runDays(w: Awaited<ReturnType<typeof world>>, crashes: boolean): Promise<number> {
  let crashed = 0;
  for (let d = 0; d < DAYS; d++) {
    const day = addDays(FIRST, d);
    w.clock.set(Date.parse(`${day}T06:00:00Z`));
    writeFileSync(join(w.dir, "outcomes", `${day}.json`), JSON.stringify(w.fake.trackBody()));
    for (const at of crashes ? [...STEPS, undefined] : [undefined]) {
      const state = openState(w.state, w.useCase.id);
      try {
        await runDay(w.useCase, state, w.client, {
          day,
          clock: w.clock,
          decide: crashes ? { parallelFrom: 0, workers: 2, pageSize: 40 } : undefined,
          onProgress: (p) => {
            if (p.step === at) throw new Crash(at);
          },
        });
      } catch (e) {
        if (!(e instanceof Crash)) throw e;
        crashed++;
      } finally {
        await state.close();
      }
    }
  }
  return crashed;
}

describe("a crash at every step, then a rerun", () => {
  const worlds: Awaited<ReturnType<typeof world>>[] = [];
  afterAll(async () => {
    for (const w of worlds) {
      await w.client.close();
      await w.fake.close();
    }
  });

  it("finishes each day as an uninterrupted run would", async () => {
    const reference = await world("reference");
    const crashing = await world("crashing");
    worlds.push(reference, crashing);
    await runDays(reference, false);
    // Every step of every day crashes once (a step already done on a rerun is skipped, not crashed).
    expect(await runDays(crashing, true)).toBeGreaterThanOrEqual(DAYS * 4);
    const read = async (w: typeof reference) => {
      const state = openState(w.state, w.useCase.id, { lock: false });
      const out = {
        decisions: state.db
          .prepare("SELECT decision_id, grp, action, status, sent_at FROM decisions ORDER BY decision_id")
          .all(),
        rewards: state.db.prepare("SELECT decision_id, reward FROM rewards ORDER BY decision_id").all(),
        learned: state.db.prepare("SELECT SUM(learned) FROM snapshots").pluck().get(),
        model: state.snapshots.latest()!.json,
      };
      await state.close();
      return out;
    };
    const a = await read(reference);
    const b = await read(crashing);
    expect(b.decisions).toEqual(a.decisions);
    expect(b.rewards).toEqual(a.rewards);
    expect(b.learned).toBe(a.learned);
    // The same model, bit for bit: every reward learned once, in the same order.
    expect(b.model).toEqual(a.model);
    const ids = (sends: typeof reference.fake.sends) =>
      sends.map((s) => String(s.properties.kairos_decision_id)).sort();
    expect(ids(crashing.fake.sends)).toEqual(ids(reference.fake.sends));
    expect(new Set(ids(crashing.fake.sends)).size).toBe(crashing.fake.sends.length);
  }, 120_000);
});
