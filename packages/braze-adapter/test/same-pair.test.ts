// Two decisions for the same recipient and campaign, close together. Braze keeps one `last_received` per campaign
// and has no idempotency key, so reconciliation cannot tell their sends apart: the activator must never let the
// second one go while the first one's receipt could still be mistaken for it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { type ActivationRequest, Activator, ManualClock, SqliteSendLedger } from "../src/index.js";
import { decisions, mapping } from "./fixtures/decisions.js";
import { startWorld, workspace } from "./fixtures/world.js";

const dir = mkdtempSync(join(tmpdir(), "kairos-braze-pair-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()?.();
});

const RECONCILE_MS = 1_000;
const SKEW_MS = 60_000;

/** Two decisions (a-i, b-i) for each of `users` recipients, same campaign, due at the same time. */
function pairs(users: number): ActivationRequest[] {
  return [...decisions(users, { prefix: "a" }), ...decisions(users, { prefix: "b" })];
}

async function setup(users: number, faults = {}) {
  const clock = new ManualClock(Date.UTC(2024, 4, 1, 6, 0));
  const world = await startWorld(
    {
      ...workspace(users),
      clock: () => clock.now(),
      // One-second windows, so an injected 429 costs a second of wall time, not the hour of the real pool.
      rateLimits: {
        default: { limit: 1_000, windowMs: 1_000 },
        users_export_ids: { limit: 1_000, windowMs: 1_000 },
      },
      faults,
    },
    { maxConcurrency: 8 },
  );
  closers.push(world.close);
  const activator = (ledger: SqliteSendLedger) =>
    new Activator({
      client: world.client,
      ledger,
      mapping,
      clock,
      parallelBatches: 8,
      reconcileDelayMs: RECONCILE_MS,
      clockSkewMs: SKEW_MS,
      retryDelayMs: 1_000,
      maxAttempts: 50,
    });
  return { ...world, clock, activator };
}

describe("two decisions for the same recipient and campaign", () => {
  it("each is sent exactly once under 20% faults; no unknown send is credited with the other's receipt", async () => {
    const USERS = 2_500;
    const { fake, activator } = await setup(USERS, {
      rate429: 0.05,
      rate500: 0.08,
      dropRate: 0.07,
      dropAfterProcessingShare: 0.5,
      paths: ["/campaigns/trigger/send"],
      seed: 7,
    });
    const ledger = new SqliteSendLedger(join(dir, "pairs.db"));
    closers.push(() => ledger.close());
    const a = activator(ledger);
    await a.enqueue(pairs(USERS));
    expect(await a.run()).toEqual({ queued: 0, in_flight: 0, sent: 2 * USERS, failed: 0 });
    const sends = new Map<string, number>();
    for (const s of fake.sends) {
      const id = String(s.properties.kairos_decision_id);
      sends.set(id, (sends.get(id) ?? 0) + 1);
    }
    const rows = await ledger.list();
    const lost = rows.filter((r) => r.status === "sent" && !sends.has(r.decisionId));
    const twice = [...sends.values()].filter((n) => n > 1);
    console.log(
      JSON.stringify({
        test: "two decisions per recipient and campaign",
        decisions: 2 * USERS,
        sends: fake.sends.length,
        lost: lost.length,
        sentTwice: twice.length,
        injected: fake.faults.counts,
        activator: a.stats,
      }),
    );
    expect(lost).toHaveLength(0);
    expect(twice).toHaveLength(0);
    expect(fake.sends).toHaveLength(2 * USERS);
  });

  it("the second decision waits out the first one's receipt window, across a restart too", async () => {
    const { fake, clock, activator } = await setup(1);
    const path = join(dir, "restart.db");
    const first = new SqliteSendLedger(path);
    const before = activator(first);
    await before.enqueue(pairs(1));
    await before.tick();
    expect(fake.sends.map((s) => s.properties.kairos_decision_id)).toEqual(["a-0"]);
    const sentAt = clock.now();
    await first.close();

    const ledger = new SqliteSendLedger(path);
    closers.push(() => ledger.close());
    const after = activator(ledger);
    await after.tick();
    expect(fake.sends).toHaveLength(1); // b-0 is due, but a-0's receipt could still be mistaken for its own
    expect(await after.run()).toEqual({ queued: 0, in_flight: 0, sent: 2, failed: 0 });
    // reconcileDelayMs + 2 × clockSkewMs after a-0's attempt, and not later than needed.
    expect(fake.sends[1]?.at).toBeGreaterThan(sentAt + RECONCILE_MS + 2 * SKEW_MS);
    expect(fake.sends[1]?.at).toBeLessThan(sentAt + RECONCILE_MS + 2 * SKEW_MS + 1_000);
  });
});
