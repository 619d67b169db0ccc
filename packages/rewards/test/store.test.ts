import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { RewardEvent } from "../src/event.js";
import { RewardJoiner } from "../src/joiner.js";
import { defineMetric } from "../src/metric.js";
import { presets } from "../src/presets.js";
import { SqliteStore } from "../src/sqlite.js";
import { type JoinerStore, MemoryStore } from "../src/store.js";
import { DAY, decision, HOUR, purchase, T0 } from "./helpers.js";

const metric = defineMetric(presets.conversionRate({ event: "signup" }));
const dbPath = () => join(mkdtempSync(join(tmpdir(), "kairos-rewards-")), "joiner.db");

// The input, as a log the caller can resume from a cursor (its index).
const decisions = [decision("d1", "u1"), decision("d2", "u2"), decision("d3", "u3")];
const events: RewardEvent[] = [
  { id: "e1", userId: "u1", time: T0 + HOUR, kind: "custom", name: "signup", properties: {}, value: 1 },
  { id: "e2", userId: "u2", time: T0 + 2 * HOUR, kind: "custom", name: "signup", properties: {}, value: 1 },
  {
    id: "e3",
    userId: "ghost",
    time: T0 + 2 * HOUR,
    kind: "custom",
    name: "signup",
    properties: {},
    value: 1,
  },
];

/** Feeds events from `from` and checkpoints with the next cursor. */
function feed(j: RewardJoiner, from: number, to = events.length, checkpoint = true): void {
  for (let i = from; i < to; i++) j.ingestEvent(events[i]);
  if (checkpoint) j.checkpoint(String(to));
}

/** Everything the consumer ever received, by decision id. */
function emittedIds(store: JoinerStore): string[] {
  return (store.load()?.outbox ?? []).map((r) => r.decisionId).sort();
}

describe.each([
  ["memory", () => new MemoryStore()],
  ["sqlite", () => new SqliteStore(dbPath())],
])("joiner on a %s store", (_name, makeStore) => {
  it("keeps rewards invisible until the checkpoint that saves the state producing them", () => {
    const store = makeStore();
    const j = RewardJoiner.open(metric, store);
    j.addDecisions(decisions);
    j.checkpoint("0");
    feed(j, 0, 2, false);
    expect(j.takeBatch().feedback).toEqual([]); // emitted, not yet saved
    j.checkpoint("2");
    expect(
      j
        .takeBatch()
        .feedback.map((f) => f.decisionId)
        .sort(),
    ).toEqual(["d1", "d2"]);
  });

  it("a crash between 'reward emitted' and 'state saved' does not emit twice after restart", () => {
    const store = makeStore();
    const a = RewardJoiner.open(metric, store);
    a.addDecisions(decisions);
    a.checkpoint("0");
    feed(a, 0, 2, false); // d1, d2 emitted in memory
    // crash: `a` is gone without saving. Restart and resume from the saved cursor.
    const b = RewardJoiner.open(metric, store);
    expect(b.savedCursor).toBe("0");
    expect(b.pendingCount).toBe(3);
    feed(b, Number(b.savedCursor));
    b.advanceTo(T0 + 8 * DAY);
    b.checkpoint(String(events.length));
    expect(emittedIds(store)).toEqual(["d1", "d2", "d3"]);
  });

  it("a crash after the save but before the consumer's ack redelivers once, and replayed input adds nothing", () => {
    const store = makeStore();
    const a = RewardJoiner.open(metric, store);
    a.addDecisions(decisions);
    feed(a, 0);
    expect(a.takeBatch().feedback).toHaveLength(2);
    // crash before ack; an at-least-once source replays everything, decisions included.
    const b = RewardJoiner.open(metric, store);
    b.addDecisions(decisions);
    feed(b, 0);
    b.advanceTo(T0 + 8 * DAY);
    b.checkpoint();
    const batch = b.takeBatch();
    expect(batch.feedback.map((f) => f.decisionId).sort()).toEqual(["d1", "d2", "d3"]);
    expect(b.tallies.duplicates).toBe(2);
    b.ack(batch.through);
    const c = RewardJoiner.open(metric, store);
    expect(c.takeBatch().feedback).toEqual([]);
    expect(c.tallies).toEqual(b.tallies);
    expect(c.quarantine.byReason()).toEqual({ unknown_user: 2 });
  });

  it("holds events whose decision is not there yet across a reopen, and joins them when it arrives", () => {
    const store = makeStore();
    const a = RewardJoiner.open(metric, store);
    a.addDecision(decision("d1", "u1"));
    const early = (userId: string, extra: Partial<RewardEvent>): RewardEvent => ({
      userId,
      time: T0 + HOUR,
      kind: "custom",
      name: "signup",
      properties: {},
      value: 1,
      ...extra,
    });
    a.ingest([early("u9", { id: "by-user" }), early("u7", { id: "by-decision", decisionId: "d7" })]);
    a.checkpoint("2");
    const b = RewardJoiner.open(metric, store);
    expect(b.quarantine.byReason()).toEqual({ unknown_user: 1, unknown_decision: 1 });
    b.addDecisions([decision("d9", "u9"), decision("d7", "u7")]);
    expect(b.quarantine.byReason()).toEqual({});
    expect(b.tallies).toMatchObject({ received: 2, attributed: 2, quarantined: 0 });
    b.checkpoint("2");
    const c = RewardJoiner.open(metric, store);
    expect(c.quarantine.list()).toEqual([]);
    expect(c.tallies).toEqual(b.tallies);
    expect(
      c
        .takeBatch()
        .feedback.map((f) => [f.decisionId, f.reward])
        .sort(),
    ).toEqual([
      ["d7", 1],
      ["d9", 1],
    ]);
  });

  it("a released record stays released after a reopen (its count stays: it was received)", () => {
    const store = makeStore();
    const a = RewardJoiner.open(metric, store, { rematch: false });
    a.addDecisions(decisions);
    feed(a, 0);
    expect(a.quarantine.release("unknown_user").map((r) => r.reason)).toEqual(["unknown_user"]);
    a.checkpoint(String(events.length));
    const b = RewardJoiner.open(metric, store);
    expect(b.quarantine.list()).toEqual([]);
    expect(b.quarantine.byReason()).toEqual({ unknown_user: 1 });
  });
});

describe("SqliteStore", () => {
  it("rolls back a commit that fails half-way, so the retry emits exactly once", () => {
    const path = dbPath();
    let fail = true;
    const store = new SqliteStore(path, {
      duringCommit: () => {
        if (fail) throw new Error("power cut");
      },
    });
    const setup = RewardJoiner.open(metric, store);
    setup.addDecisions(decisions);
    fail = false;
    setup.checkpoint("0");
    fail = true;
    feed(setup, 0, 2, false);
    expect(() => setup.checkpoint("2")).toThrow("power cut");
    store.close();
    const reopened = new SqliteStore(path);
    const snap = reopened.load()!;
    expect(snap.outbox).toEqual([]);
    expect(snap.pending).toHaveLength(3);
    expect(snap.cursor).toBe("0");
    const j = RewardJoiner.open(metric, reopened);
    feed(j, 0);
    j.advanceTo(T0 + 8 * DAY);
    j.checkpoint();
    expect(emittedIds(reopened)).toEqual(["d1", "d2", "d3"]);
    expect(j.takeBatch().feedback.find((f) => f.decisionId === "d1")?.reward).toBe(1);
    reopened.close();
  });

  it("restores pending accumulators, dedup keys, closed windows and tallies across a reopen", () => {
    const path = dbPath();
    const revenue = defineMetric(presets.revenue());
    const s1 = new SqliteStore(path);
    const a = RewardJoiner.open(revenue, s1);
    a.addDecisions([decision("d1", "u1"), decision("d2", "u2", T0 - 10 * DAY)]);
    a.ingest([purchase("u1", T0 + 1, 4, "p1")]);
    a.advanceTo(T0);
    a.checkpoint();
    s1.close();
    const s2 = new SqliteStore(path);
    const b = RewardJoiner.open(revenue, s2);
    expect(b.snapshot().pending.map((p) => [p.decisionId, p.acc])).toEqual([["d1", [4]]]);
    b.ingest([
      purchase("u1", T0 + 1, 4, "p1"),
      purchase("u1", T0 + 2, 6, "p2"),
      purchase("u2", T0 - 9 * DAY, 1, "p3"),
    ]);
    expect(b.tallies).toMatchObject({ duplicates: 1, late: 1, attributed: 2 });
    b.advanceTo(T0 + 7 * DAY);
    b.checkpoint();
    expect(b.takeBatch().feedback.map((f) => [f.decisionId, f.reward])).toEqual([
      ["d2", 0],
      ["d1", 10],
    ]);
    s2.close();
  });

  it("refuses a state saved for another metric", () => {
    const store = new MemoryStore();
    const j = RewardJoiner.open(metric, store);
    j.addDecision(decision("d1", "u1"));
    j.checkpoint();
    expect(() => RewardJoiner.open(defineMetric(presets.revenue()), store)).toThrow(/snapshot\.metric/);
  });
});

describe("the package entries", () => {
  it("@kairos/rewards does not load better-sqlite3; @kairos/rewards/sqlite does", () => {
    const code = `
      import { createRequire } from "node:module";
      const cache = createRequire(import.meta.url).cache;
      const loaded = () => Object.keys(cache).some((k) => k.includes("better-sqlite3"));
      const main = await import("@kairos/rewards");
      const before = loaded();
      const sqlite = await import("@kairos/rewards/sqlite");
      console.log(JSON.stringify({ before, after: loaded(), main: "SqliteStore" in main, sub: typeof sqlite.SqliteStore }));`;
    const out = spawnSync(
      process.execPath,
      ["--conditions=kairos-source", "--import", "tsx", "--input-type=module", "-e", code],
      { cwd: join(dirname(fileURLToPath(import.meta.url)), ".."), encoding: "utf8" },
    );
    expect(out.stderr).toBe("");
    expect(JSON.parse(out.stdout)).toEqual({ before: false, after: true, main: false, sub: "function" });
  }, 30_000);
});
