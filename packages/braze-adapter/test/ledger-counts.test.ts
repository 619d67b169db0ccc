// The SQLite ledger's counts per status are kept by triggers (the Activator asks after every tick; a scan
// made sending quadratic in the ledger's size). They must equal a scan after any sequence of writes, and a
// ledger made before the counts table must get it, right, when first opened.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { type NewLedgerEntry, SqliteSendLedger } from "../src/index.js";

const T0 = Date.UTC(2026, 2, 2, 6);

function entry(i: number): NewLedgerEntry {
  return {
    decisionId: `d${i}`,
    externalId: `u${i}`,
    targetKey: "campaign:c1",
    plan: { kind: "campaign", campaignId: "c1", properties: {} },
    decision: { action: { offer: "o" }, actionIndex: 0, propensity: 0.5 },
    dueAt: T0,
    createdAt: T0,
  };
}

/** Counts per status by scanning the file (what the ledger answered before the counts table). */
function scanned(path: string): Record<string, number> {
  const db = new Database(path, { readonly: true });
  const out: Record<string, number> = { queued: 0, in_flight: 0, sent: 0, failed: 0 };
  for (const r of db.prepare("SELECT status, COUNT(*) AS n FROM send_ledger GROUP BY status").all() as {
    status: string;
    n: number;
  }[])
    out[r.status] = r.n;
  db.close();
  return out;
}

describe("SqliteSendLedger counts", () => {
  it("equal a scan after enqueues (with duplicates), attempts, retries, sends and failures", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "kairos-ledger-counts-")), "ledger.sqlite");
    const ledger = new SqliteSendLedger(path);
    await ledger.enqueue(Array.from({ length: 20 }, (_, i) => entry(i)));
    await ledger.enqueue([entry(3), entry(20)]); // one duplicate, one new
    await ledger.markInFlight(["d0", "d1", "d2", "d3", "d4", "d5"], "a1", T0);
    await ledger.markSent(["d0", "d1"], { dispatchId: "dispatch-1", at: T0 + 1, confirmedBy: "response" });
    await ledger.markQueued(["d2"], "429", T0 + 2, true);
    await ledger.markFailed(["d3"], "400", T0 + 3);
    await ledger.markUnknown(["d4"], "dropped", T0 + 4);
    const counts = await ledger.counts();
    expect(counts).toEqual({ queued: 16, in_flight: 2, sent: 2, failed: 1 });
    expect(counts).toEqual(scanned(path));
    await ledger.close();
  });

  it("a ledger made before the counts table gets it, filled from a scan, when opened", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "kairos-ledger-counts-")), "ledger.sqlite");
    const ledger = new SqliteSendLedger(path);
    await ledger.enqueue(Array.from({ length: 8 }, (_, i) => entry(i)));
    await ledger.markInFlight(["d0", "d1", "d2"], "a1", T0);
    await ledger.markSent(["d0"], { dispatchId: "dispatch-1", at: T0 + 1, confirmedBy: "response" });
    await ledger.close();
    // As an older version left it: no counts table, no triggers.
    const db = new Database(path);
    db.exec(`DROP TRIGGER send_ledger_counted_insert; DROP TRIGGER send_ledger_counted_update;
             DROP TRIGGER send_ledger_counted_delete; DROP TABLE send_ledger_counts;`);
    db.close();
    const reopened = new SqliteSendLedger(path);
    expect(await reopened.counts()).toEqual({ queued: 5, in_flight: 2, sent: 1, failed: 0 });
    await reopened.enqueue([entry(8)]);
    await reopened.markSent(["d1"], { dispatchId: "dispatch-2", at: T0 + 2, confirmedBy: "response" });
    expect(await reopened.counts()).toEqual(scanned(path));
    await reopened.close();
  });
});
