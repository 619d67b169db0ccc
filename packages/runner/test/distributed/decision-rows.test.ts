// A distributed day's decisions reach the coordinator's decision log once: logged, then logged again as a
// coordinator killed before dropping the staged rows would (the rows staged again, the day listed again),
// the log holds each decision once and the day's cycle as first written.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { DistributedDaySummary } from "../../src/distributed/day-jobs.js";
import { logFinishedDays, stageDecisions } from "../../src/distributed/decision-rows.js";
import { UseCaseKeys } from "../../src/distributed/keys.js";
import { type LoggedDecision, openState } from "../../src/index.js";
import { useTestRedis } from "./use-test-redis.js";

const env = useTestRedis();

const DAY = "2026-03-02";
const AT = Date.UTC(2026, 2, 2, 6);

function decision(i: number): LoggedDecision {
  const held = i % 4 === 0;
  return {
    decisionId: `promo:${DAY}:c${i}`,
    day: DAY,
    externalId: `c${i}`,
    group: held ? "holdout" : "kairos",
    action: held ? null : { offer: `o${i % 3}` },
    actionIndex: held ? null : i % 3,
    propensity: held ? null : 0.5,
    policyVersion: held ? null : 1,
    context: { tenure: i },
    timeZone: null,
    status: held ? "held" : "sent",
    sentAt: AT + i,
    explanation: null,
  };
}

describe("the distributed decision log", () => {
  it("writes each decision and the cycle once, however often the coordinator logs the day", async () => {
    const { redis } = env;
    const keys = new UseCaseKeys("t", "promo");
    const state = openState(join(mkdtempSync(join(tmpdir(), "kairos-rows-")), "state"), "promo");
    const shards = [Array.from({ length: 30 }, (_, i) => decision(i)), [decision(30), decision(31)]];
    const summary: DistributedDaySummary = {
      audience: 32,
      decided: { kairos: 24, holdout: 8 },
      skipped: { frequency_cap: 0, no_eligible_action: 0, bad_attributes: 0 },
      queued: 24,
      sent: 24,
      failed: 0,
      held: 8,
    };
    const stage = async () => {
      for (const [s, rows] of shards.entries()) await stageDecisions(redis, keys.decisions(DAY, s), rows);
      await redis.multi().set(keys.result(DAY), JSON.stringify(summary)).sadd(keys.toLog, DAY).exec();
    };
    await stage();
    expect(await logFinishedDays(redis, keys, state, 2, AT + 1_000)).toEqual([{ day: DAY, logged: 32 }]);
    expect(state.decisions.forDay(DAY)).toEqual(shards.flat());
    const cycle = state.cycles.get(DAY);
    expect(cycle).toMatchObject({ step: "done", startedAt: AT + 1_000, summary: { sent: 24, audience: 32 } });
    // Staged rows and the listing are gone from Redis.
    expect(await redis.exists(keys.decisions(DAY, 0), keys.decisions(DAY, 1), keys.toLog)).toBe(0);

    await stage();
    expect(await logFinishedDays(redis, keys, state, 2, AT + 5_000)).toEqual([{ day: DAY, logged: 0 }]);
    expect(state.decisions.forDay(DAY)).toHaveLength(32);
    expect(state.cycles.get(DAY)).toEqual(cycle);
    await state.close();
  });
});
