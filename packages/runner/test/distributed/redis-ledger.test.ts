// The Redis ledger keeps the SendLedger contract as the SQLite one does: the same seeded sequence of
// operations (enqueues with duplicates, two rows for one recipient and target, attempts, retries, unknown
// outcomes, failures, reconciliations) applied to both gives the same answers from every method.
import {
  type LedgerEntry,
  type NewLedgerEntry,
  type SendLedger,
  SqliteSendLedger,
} from "@kairos/braze-adapter";
import { createRng } from "@kairos/core";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisSendLedger } from "../../src/distributed/redis-ledger.js";
import { startTestRedis, type TestRedis } from "./redis-server.js";

let server: TestRedis;
let redis: Redis;
beforeAll(async () => {
  server = await startTestRedis();
  redis = new Redis(server.url);
});
afterAll(async () => {
  await redis?.quit();
  await server?.stop();
});

const T0 = Date.UTC(2026, 2, 2, 6);
const GAP = 1_000;

function entry(i: number, user: number, dueAt: number): NewLedgerEntry {
  return {
    decisionId: `d${i}`,
    externalId: `u${user}`,
    targetKey: "campaign:c1",
    plan: { kind: "campaign", campaignId: "c1", properties: { offer: `o${i % 3}` } },
    decision: { action: { offer: `o${i % 3}` }, actionIndex: i % 3, propensity: 1 / 3 + i * 1e-12 },
    dueAt,
    createdAt: T0,
  };
}

/** Order-free view of rows (the Redis queue breaks due-time ties by id, SQLite by insertion). */
const ids = (rows: LedgerEntry[]) => rows.map((r) => r.decisionId).sort();
const strip = (r: LedgerEntry | undefined) => (r ? { ...r, seq: undefined } : r);

describe("RedisSendLedger", () => {
  it("answers every method as SqliteSendLedger does over a seeded sequence of 400 operations", async () => {
    const sqlite = new SqliteSendLedger(":memory:");
    const onRedis = new RedisSendLedger(redis, "test:ledger");
    /** Runs `f` on both ledgers (SQLite first) and expects the same answer. */
    const same = async <T>(f: (l: SendLedger) => Promise<T>, view: (t: T) => unknown = (t) => t) => {
      const a = await f(sqlite);
      expect(view(await f(onRedis))).toEqual(view(a));
      return a;
    };
    const rng = createRng("ledger-contract");
    let now = T0;
    let next = 0;
    for (let step = 0; step < 400; step++) {
      const u = rng.next();
      now += Math.floor(rng.next() * 400);
      if (u < 0.2) {
        // New rows (users 0..29, so some recipients get a second row), plus a duplicate of an old one.
        const batch = Array.from({ length: 1 + Math.floor(rng.next() * 4) }, () =>
          entry(next++, Math.floor(rng.next() * 30), now + Math.floor(rng.next() * 2_000)),
        );
        if (next > 5) batch.push(entry(Math.floor(rng.next() * (next - 1)), 0, now));
        await same((l) => l.enqueue(batch));
      } else {
        const due = await same((l) => l.due(now, 1_000, GAP), ids);
        const flying = await same(
          (l) => l.inFlight(),
          (rows) => rows.map((r) => r.decisionId),
        );
        const pick = (rows: LedgerEntry[]) =>
          ids(rows)
            .filter(() => rng.next() < 0.5)
            .slice(0, 5);
        if (u < 0.55) {
          const chosen = pick(due);
          await same((l) => l.markInFlight(chosen, `a${step}`, now));
        } else {
          const chosen = pick(flying);
          const v = rng.next();
          await same(async (l) => {
            if (v < 0.4)
              await l.markSent(chosen, { dispatchId: `x${step}`, at: now, confirmedBy: "response" });
            else if (v < 0.6) await l.markQueued(chosen, "500", now + 500, v < 0.5);
            else if (v < 0.8) await l.markUnknown(chosen, "timeout", now);
            else if (v < 0.9) await l.markFailed(chosen, "400", now, "paused");
            else await l.markSent(chosen, { at: now, confirmedBy: "reconciliation" });
          });
          if (v < 0.4) await same((l) => l.byDispatch(`x${step}`), ids);
        }
      }
      await same((l) => l.counts());
      await same((l) => l.nextDueAt(GAP));
    }
    for (const status of [undefined, "queued", "in_flight", "sent", "failed"] as const)
      await same(
        (l) => l.list(status),
        (rows) => rows.map(strip),
      );
    for (let i = 0; i < next; i++) await same((l) => l.get(`d${i}`), strip);
    expect((await sqlite.counts()).sent).toBeGreaterThan(20);
    expect(await onRedis.get("nope")).toBeUndefined();
    await sqlite.close();
  });
});
