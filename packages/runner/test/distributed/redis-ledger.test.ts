// The Redis ledger keeps the SendLedger contract as the SQLite one does: the same seeded sequence of
// operations (enqueues with duplicates, two rows for one recipient and target, attempts, retries, unknown
// outcomes, failures, reconciliations) applied to both gives the same answers from every method; pruning drops
// only old settled rows.
import {
  type LedgerEntry,
  type NewLedgerEntry,
  type SendLedger,
  SqliteSendLedger,
} from "@kairos/braze-adapter";
import { createRng } from "@kairos/core";
import { describe, expect, it } from "vitest";
import { RedisSendLedger } from "../../src/distributed/redis-ledger.js";
import { useTestRedis } from "./use-test-redis.js";

const env = useTestRedis();

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
    const { redis } = env;
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

  it("prunes the settled rows last changed before a time, with their dispatch and pair entries", async () => {
    const { redis } = env;
    const ledger = new RedisSendLedger(redis, "test:prune");
    const rows = [entry(1, 1, T0), entry(2, 2, T0), entry(3, 3, T0), entry(4, 1, T0 + 3 * GAP)];
    await ledger.enqueue(rows);
    await ledger.markInFlight(["d1", "d2", "d3"], "a1", T0);
    await ledger.markSent(["d1"], { dispatchId: "x1", at: T0 + 10, confirmedBy: "response" });
    await ledger.markFailed(["d2"], "400", T0 + 20);

    expect(await ledger.prune(T0 + 15)).toBe(1);
    expect(await ledger.get("d1")).toBeUndefined();
    expect(await ledger.byDispatch("x1")).toEqual([]);
    expect((await ledger.get("d2"))?.status).toBe("failed");
    expect(await ledger.counts()).toEqual({ queued: 1, in_flight: 1, sent: 0, failed: 1 });
    // u1's pair keeps only its queued row, which goes once due.
    expect(JSON.parse((await redis.hget("test:prune:p", "id:u1\u0000campaign:c1"))!)).toEqual([
      ["d4", "queued", null],
    ]);
    expect(ids(await ledger.due(T0 + 3 * GAP, 10, GAP))).toEqual(["d4"]);

    // A row in flight is never pruned, however old.
    expect(await ledger.prune(T0 + 100 * GAP)).toBe(1);
    expect(ids(await ledger.list())).toEqual(["d3", "d4"]);
    expect(await redis.hexists("test:prune:p", "id:u2\u0000campaign:c1")).toBe(0);
    expect(await ledger.counts()).toEqual({ queued: 1, in_flight: 1, sent: 0, failed: 0 });
  });
});
