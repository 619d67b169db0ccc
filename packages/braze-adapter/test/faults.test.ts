import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Activator, ManualClock, SqliteSendLedger } from "../src/index.js";
import type { RecordedSend } from "../src/testing/index.js";
import { decisions, mapping } from "./fixtures/decisions.js";
import { startWorld, workspace } from "./fixtures/world.js";

const dir = mkdtempSync(join(tmpdir(), "kairos-braze-faults-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Sends per decision id, according to the fake's own record. */
function sendsPerDecision(sends: readonly RecordedSend[]): Map<string, RecordedSend[]> {
  const by = new Map<string, RecordedSend[]>();
  for (const s of sends) {
    const id = String(s.properties.kairos_decision_id);
    by.set(id, [...(by.get(id) ?? []), s]);
  }
  return by;
}

describe("under injected faults", () => {
  it("sends 10,000 decisions exactly once with 20% 429s, 500s and dropped connections", async () => {
    const N = 10_000;
    const clock = new ManualClock(Date.UTC(2024, 4, 1, 6, 0));
    const { fake, client, close } = await startWorld(
      {
        ...workspace(N),
        clock: () => clock.now(),
        rateLimits: {
          default: { limit: 150, windowMs: 1000 },
          users_export_ids: { limit: 150, windowMs: 1000 },
        },
        faults: { rate429: 0.05, rate500: 0.08, dropRate: 0.07, dropAfterProcessingShare: 0.5, seed: 7 },
      },
      { maxConcurrency: 8 },
    );
    const ledger = new SqliteSendLedger(join(dir, "ten-thousand.db"));
    const activator = new Activator({
      client,
      ledger,
      mapping,
      clock,
      parallelBatches: 8,
      reconcileDelayMs: 1_000,
      retryDelayMs: 1_000,
      maxAttempts: 50,
    });
    const started = Date.now();
    await activator.enqueue(decisions(N));
    const counts = await activator.run();
    const wallMs = Date.now() - started;

    expect(counts).toEqual({ queued: 0, in_flight: 0, sent: N, failed: 0 });
    const per = sendsPerDecision(fake.sends);
    expect(fake.sends).toHaveLength(N);
    expect(per.size).toBe(N);
    for (const [, s] of per) expect(s).toHaveLength(1);
    // The ledger agrees with the fake: same recipient, and the same dispatch id wherever the response was seen.
    for (const row of await ledger.list()) {
      const [s] = per.get(row.decisionId) ?? [];
      expect(s?.externalId).toBe(row.externalId);
      if (row.confirmedBy === "response") expect(row.dispatchId).toBe(s?.dispatchId);
    }
    const f = fake.faults.counts;
    expect(f["429"] + f["500"] + f.drop_before + f.drop_after).toBeGreaterThan(0);
    expect(fake.buckets.violations).toHaveLength(0);
    console.log(
      JSON.stringify({
        test: "10k decisions under faults",
        wallMs,
        fakeRequests: fake.requests.length,
        injected: f,
        client: client.stats,
        activator: activator.stats,
      }),
    );
    await ledger.close();
    await close();
  });
});
