// The frequency cap on distributed days caps exactly whom one process caps: three days of the same audience,
// at most one message per customer over two days. One process counts a customer's messages from its decision
// log; each shard keeps its customers' send days in Redis (send-history.ts). Day 2 must skip everyone sent on
// day 1, day 3 no one (day 1 has left the window), on both sides, customer for customer.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeBraze } from "@kairos/braze-adapter/testing";
import { afterAll, describe, expect, it } from "vitest";
import { runDistributedDay } from "../../src/distributed/coordinator.js";
import { loadUseCase, openState } from "../../src/index.js";
import { runChildDay } from "../fixtures/run-day-child.js";
import { audienceJsonl, CAMPAIGNS, customerIds, testUseCase } from "../helpers/world.js";
import { startChildWorker } from "./child-worker.js";
import { useTestRedis } from "./use-test-redis.js";

const CUSTOMERS = 60;
const DAYS = ["2026-03-02", "2026-03-03", "2026-03-04"] as const;
const env = useTestRedis();
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A use case capped at one message per two days, its audience, and a fake Braze of its own. */
async function world(name: string) {
  const dir = mkdtempSync(join(tmpdir(), `kairos-cap-${name}-`));
  mkdirSync(join(dir, "outcomes"));
  writeFileSync(join(dir, "audience.jsonl"), audienceJsonl(CUSTOMERS));
  const file = join(dir, "use-case.json");
  writeFileSync(
    file,
    JSON.stringify(
      testUseCase({ sendTime: { defaultTimeZone: "UTC" }, frequencyCap: { messages: 1, days: 2 } }),
    ),
  );
  const fake = await startFakeBraze({
    apiKey: "cap-key",
    users: customerIds(CUSTOMERS),
    campaigns: CAMPAIGNS,
  });
  cleanups.push(() => fake.close());
  return {
    file,
    state: join(dir, "state"),
    env: { ...process.env, BRAZE_REST_ENDPOINT: fake.url, BRAZE_API_KEY: "cap-key" },
  };
}

/** Per day: the customers decided for, and how many the cap skipped, from a state's log and cycles. */
async function daysOf(file: string, stateDir: string) {
  const useCase = await loadUseCase(file);
  const state = openState(stateDir, useCase.id, { lock: false });
  try {
    return DAYS.map((day) => ({
      decided: state.db
        .prepare("SELECT external_id FROM decisions WHERE day = ? ORDER BY external_id")
        .pluck()
        .all(day),
      capped: state.cycles.get(day)?.summary.skipped?.frequency_cap,
    }));
  } finally {
    await state.close();
  }
}

describe("the frequency cap on distributed days", () => {
  it("skips the same customers as one process, day after day", async () => {
    const reference = await world("reference");
    const dist = await world("distributed");
    const worker = startChildWorker(env.server.url, "cap", dist.env);
    cleanups.push(() => {
      if (!worker.exited) worker.proc.kill("SIGKILL");
    });
    const useCase = await loadUseCase(dist.file);
    for (const day of DAYS) {
      await runChildDay(reference.file, reference.state, day, reference.env);
      const state = openState(dist.state, useCase.id);
      try {
        await runDistributedDay(useCase, {
          redisUrl: env.server.url,
          state,
          prefix: "cap",
          shards: 2,
          day,
          pollMs: 50,
        });
      } finally {
        await state.close();
      }
    }
    const one = await daysOf(reference.file, reference.state);
    const many = await daysOf(dist.file, dist.state);
    expect(many).toEqual(one);
    // The cap bit on day 2 (everyone sent on day 1: all but the holdout) and let go on day 3.
    expect(one[0]!.capped).toBe(0);
    expect(one[1]!.capped).toBe(CUSTOMERS - one[1]!.decided.length);
    expect(one[1]!.decided.length).toBeLessThan(CUSTOMERS / 2);
    expect(one[2]!.capped).toBe(0);
    expect(one[2]!.decided).toHaveLength(CUSTOMERS);
  }, 90_000);
});
