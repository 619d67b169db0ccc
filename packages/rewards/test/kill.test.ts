// Exactly-once under real crashes: a child process runs the joiner on a SQLite store and is SIGKILLed at
// arbitrary points (mid-checkpoint, mid-delivery, between learning and ack), then restarted from the store.
// Whatever the kill timing, every decision must be learned with the reward of an uninterrupted run, and a
// reward learned twice must be the same emission (same seq) redelivered, never a second emission.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRng, type Rng } from "@kairos/core";
import { afterAll, describe, expect, it } from "vitest";
import { RewardJoiner } from "../src/joiner.js";
import { defineMetric } from "../src/metric.js";
import { presets } from "../src/presets.js";
import { SqliteStore } from "../src/sqlite.js";
import type { JoinerTallies } from "../src/store.js";
import { parseTime } from "../src/time.js";
import { DAY, decision, HOUR, T0 } from "./helpers.js";

// Both must match test/fixtures/joiner-child.ts, so the reference sees the same advanceTo schedule.
const metric = defineMetric(presets.arpu({ window: "3d", cap: 100 }));
const CHECKPOINT_EVERY = 7;

const MINUTE = 60_000;
const DECISIONS = 400;
const USERS = 150;
const KILLS = 6;

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, "..");
const dir = mkdtempSync(join(tmpdir(), "kairos-rewards-kill-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const between = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng.next() * (hi - lo + 1));

/**
 * The input log: decisions sent every 30 minutes over ~8 days to 150 users, 0–5 events each (purchases,
 * irrelevant events, some after the window, some naming their decision), delivered in arrival order with
 * 7% up to a day late (so some land in closed windows) and 3% up to ten days late (past the window and its
 * retention, so a restart's different pruning times are exercised), 10% of events and 5% of decisions
 * replayed, and a few bad records (unknown user, unknown decision, unknown key, other currency).
 */
function generateInput(seed: string): string[] {
  const rng = createRng(seed);
  type Item = { at: number; decision?: unknown; event?: Record<string, unknown> };
  const items: Item[] = [];
  const timeField = (t: number) => (rng.next() < 0.5 ? new Date(t).toISOString() : t);
  let eventNo = 0;
  for (let i = 0; i < DECISIONS; i++) {
    const id = `d${i}`;
    const userId = `u${between(rng, 0, USERS - 1)}`;
    const sentAt = T0 + i * 30 * MINUTE; // distinct sends: no tie for "the user's newest decision"
    const d = decision(id, userId, sentAt, {
      action: { offer: ["none", "10%", "20%"][i % 3] },
      context: { tenure: between(rng, 0, 24) },
    });
    items.push({ at: sentAt, decision: d });
    if (rng.next() < 0.05) items.push({ at: sentAt + rng.next() * DAY, decision: d });
    for (let k = between(rng, 0, 5); k > 0; k--) {
      const time = sentAt + Math.floor(rng.next() * 4 * DAY); // a quarter fall after the 3-day window
      const kind = rng.next();
      const event: Record<string, unknown> =
        kind < 0.75
          ? {
              type: "purchase",
              product_id: `p${between(rng, 1, 9)}`,
              currency: rng.next() < 0.03 ? "EUR" : "USD",
              price: between(rng, 5, 60),
              ...(rng.next() < 0.2 ? { quantity: 2 } : {}),
            }
          : kind < 0.9
            ? { name: "page_view" }
            : { type: "open" };
      event.user_id = userId;
      event.time = timeField(time);
      if (rng.next() < 0.7) event.id = `e${eventNo++}`; // the rest are deduplicated by content
      if (rng.next() < 0.2) event.decision_id = id;
      const delay = rng.next();
      const at =
        time +
        (delay < 0.03 ? rng.next() * 10 * DAY : delay < 0.1 ? rng.next() * DAY : rng.next() * 10 * MINUTE);
      items.push({ at, event });
      if (rng.next() < 0.1) items.push({ at: at + rng.next() * 12 * HOUR, event });
    }
  }
  const span = DECISIONS * 30 * MINUTE;
  for (let k = 0; k < 20; k++) {
    const time = T0 + Math.floor(rng.next() * span);
    const purchase = {
      type: "purchase",
      product_id: "p1",
      currency: "USD",
      price: 10,
      time: timeField(time),
    };
    const bad = [
      { ...purchase, user_id: `ghost${k}` },
      { ...purchase, user_id: `u${k}`, decision_id: `nope${k}` },
      { ...purchase, user_id: `u${k}`, prise: 3 },
    ][k % 3];
    items.push({ at: time, event: bad });
  }
  items.sort((a, b) => a.at - b.at); // stable: a decision stays before its own events at the same instant
  const lines: string[] = [];
  for (let i = 0; i < items.length; ) {
    const item = items[i];
    if (item.decision !== undefined) {
      lines.push(JSON.stringify(item.decision));
      i++;
      continue;
    }
    const group: unknown[] = [];
    for (let n = between(rng, 1, 3); n > 0 && i < items.length && items[i].event !== undefined; n--)
      group.push(items[i++].event);
    lines.push(JSON.stringify(group));
  }
  return lines;
}

/** Same as the child's: the send of a decision, the latest event time of events. */
function lineTime(line: string): number {
  const parsed = JSON.parse(line) as unknown;
  if (!Array.isArray(parsed)) return parseTime((parsed as { sentAt: unknown }).sentAt);
  return Math.max(...parsed.map((r: { time?: unknown }) => parseTime(r.time)).filter(Number.isFinite));
}

interface Reference {
  rewards: Map<string, number>;
  tallies: JoinerTallies;
  quarantine: Record<string, number>;
}

/** The uninterrupted run, in-process and without a store, on the child's advanceTo schedule. */
function reference(lines: string[]): Reference {
  const joiner = new RewardJoiner(metric);
  const rewards = new Map<string, number>();
  const deliver = () => {
    for (const r of joiner.drain().rewards) {
      expect(rewards.has(r.decisionId)).toBe(false);
      rewards.set(r.decisionId, r.reward);
    }
  };
  lines.forEach((line, i) => {
    if (line.startsWith("["))
      joiner.ingestJsonLines((JSON.parse(line) as unknown[]).map((r) => JSON.stringify(r)));
    else joiner.addDecision(JSON.parse(line));
    if ((i + 1) % CHECKPOINT_EVERY === 0) {
      joiner.advanceTo(lineTime(line));
      joiner.checkpoint(String(i + 1));
      deliver();
    }
  });
  joiner.advanceTo(Math.max(...lines.map(lineTime)) + 30 * DAY);
  joiner.checkpoint(String(lines.length));
  deliver();
  return { rewards, tallies: joiner.tallies, quarantine: joiner.quarantine.byReason() };
}

interface Learned {
  decisionId: string;
  seq: number;
  reward: number;
  /** The batch it came in, and that batch's size. */
  through: number;
  size: number;
}

describe("the joiner under SIGKILL", () => {
  it("learns every reward of an uninterrupted run, and a repeat only as a redelivery of the same emission", async () => {
    const lines = generateInput("kill-test-input");
    const ref = reference(lines);
    // The input exercises what matters across a restart.
    expect(ref.rewards.size).toBe(DECISIONS);
    expect(ref.tallies).toMatchObject({ decisions: DECISIONS });
    for (const k of [
      "duplicates",
      "duplicateDecisions",
      "late",
      "unattributed",
      "irrelevant",
      "emittedEarly",
      "expired",
    ])
      expect(ref.tallies[k as keyof JoinerTallies], k).toBeGreaterThan(0);
    expect(Object.keys(ref.quarantine).sort()).toEqual([
      "currency_mismatch",
      "malformed",
      "unknown_decision",
      "unknown_user",
    ]);

    const dbPath = join(dir, "joiner.db");
    const inputPath = join(dir, "input.jsonl");
    const learnedPath = join(dir, "learned.jsonl");
    writeFileSync(inputPath, `${lines.join("\n")}\n`);

    const readLearned = (): Learned[] =>
      existsSync(learnedPath)
        ? readFileSync(learnedPath, "utf8")
            .split("\n")
            .filter(Boolean)
            .map((l) => JSON.parse(l) as Learned)
        : [];
    /** A kill inside a write can leave a partial last line: that reward was not learned. */
    let tornLines = 0;
    const dropTornTail = () => {
      if (!existsSync(learnedPath)) return;
      const text = readFileSync(learnedPath, "utf8");
      const end = text.lastIndexOf("\n") + 1;
      if (end < text.length) {
        tornLines++;
        truncateSync(learnedPath, Buffer.byteLength(text.slice(0, end)));
      }
    };

    const schedule = createRng("kill-test-schedule");
    const runStarts: number[] = [];
    const checkpointsSeen: number[] = [];
    let kills = 0;
    let finished = false;
    while (!finished) {
      runStarts.push(readLearned().length);
      const kill =
        kills < KILLS
          ? { afterCheckpoints: between(schedule, 2, 16), delayMs: between(schedule, 0, 4) }
          : undefined;
      const run = await runChild([dbPath, inputPath, learnedPath], kill);
      checkpointsSeen.push(run.checkpoints);
      if (run.outcome === "killed") {
        kills++;
        dropTornTail();
      } else finished = true; // the last run, or one that reached the end before its kill landed
    }
    expect(kills).toBeGreaterThan(0);

    const learned = readLearned();
    const copies = new Map<string, Learned[]>();
    for (const l of learned) copies.set(l.decisionId, [...(copies.get(l.decisionId) ?? []), l]);

    // 1. Every decision learned, nothing else.
    expect([...copies.keys()].sort()).toEqual([...ref.rewards.keys()].sort());
    // 2. Every copy is the same emission (one seq per decision, one decision per seq) with the reference reward.
    for (const [id, cs] of copies) {
      expect(new Set(cs.map((c) => c.seq)).size, id).toBe(1);
      expect(
        cs.map((c) => c.reward),
        id,
      ).toEqual(cs.map(() => ref.rewards.get(id)));
    }
    const seqs = [...copies.values()].map((cs) => cs[0].seq).sort((a, b) => a - b);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    // 3. Repeats are redeliveries of what was unacknowledged at a kill: only in a run's first batch, at most
    //    one batch per kill, never twice within a run.
    const seen = new Set<string>();
    runStarts.forEach((start, r) => {
      const run = learned.slice(start, runStarts[r + 1] ?? learned.length);
      const ids = run.map((l) => l.decisionId);
      expect(new Set(ids).size, `run ${r}`).toBe(ids.length);
      for (const l of run)
        if (seen.has(l.decisionId))
          expect(l.through, `${l.decisionId} relearned in run ${r}`).toBe(run[0].through);
      for (const id of ids) seen.add(id);
    });
    const duplicated = [...copies.values()].filter((cs) => cs.length > 1).length;
    const largestBatch = Math.max(...learned.map((l) => l.size));
    expect(duplicated).toBeLessThanOrEqual(kills * largestBatch);
    console.log(
      JSON.stringify({
        test: "joiner under SIGKILL",
        kills,
        lines: lines.length,
        decisions: ref.rewards.size,
        learnedLines: learned.length,
        decisionsLearnedTwiceOrMore: duplicated,
        largestBatch,
        tornLines,
        checkpointsSeenPerRun: checkpointsSeen,
      }),
    );

    // 4. The store ends with nothing to deliver and the tallies of the uninterrupted run.
    const store = new SqliteStore(dbPath);
    const reopened = RewardJoiner.open(metric, store);
    expect(reopened.takeBatch().rewards).toEqual([]);
    expect(reopened.pendingCount).toBe(0);
    expect(reopened.savedCursor).toBe(String(lines.length));
    expect(reopened.tallies).toEqual(ref.tallies);
    expect(reopened.quarantine.byReason()).toEqual(ref.quarantine);
    store.close();
  }, 60_000);
});

/**
 * Runs the child until it prints "done", or SIGKILLs it `delayMs` after its `afterCheckpoints`-th
 * checkpoint. Rejects, with its stderr, if it exits any other way or hangs.
 */
function runChild(
  args: string[],
  kill?: { afterCheckpoints: number; delayMs: number },
): Promise<{ outcome: "killed" | "done"; checkpoints: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--conditions=kairos-source", "--import", "tsx", join(here, "fixtures/joiner-child.ts"), ...args],
      { cwd: pkg, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    let checkpoints = 0;
    let done = false;
    let killSent = false;
    const hung = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`joiner child hung after ${checkpoints} checkpoints; stderr:\n${stderr}`));
    }, 30_000);
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      for (let nl = stdout.indexOf("\n"); nl >= 0; nl = stdout.indexOf("\n")) {
        const line = stdout.slice(0, nl);
        stdout = stdout.slice(nl + 1);
        if (line.startsWith("checkpoint ")) checkpoints++;
        else if (line === "done") done = true;
      }
      if (kill && !killSent && checkpoints >= kill.afterCheckpoints) {
        killSent = true;
        setTimeout(() => child.kill("SIGKILL"), kill.delayMs);
      }
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(hung);
      if (code === 0 && done) resolve({ outcome: "done", checkpoints });
      else if (signal === "SIGKILL" && killSent) resolve({ outcome: "killed", checkpoints });
      else
        reject(
          new Error(
            `joiner child exited unexpectedly (code ${code}, signal ${signal}) after ${checkpoints} checkpoints; stderr:\n${stderr}`,
          ),
        );
    });
  });
}
