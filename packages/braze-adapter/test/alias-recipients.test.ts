// Alias-only profiles (leads and other users Braze knows before they have an external id) as recipients:
// sent by alias, recorded in the ledger, settled by alias when the outcome is unknown, never logged.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import {
  type ActivationRequest,
  Activator,
  type Logger,
  ManualClock,
  SqliteSendLedger,
} from "../src/index.js";
import { decisions, mapping } from "./fixtures/decisions.js";
import { startWorld, workspace } from "./fixtures/world.js";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()?.();
});

const LEADS = [0, 1, 2].map((i) => ({ alias_name: `lead${i}@example.com`, alias_label: "crm_lead" }));

/** A logger that keeps every line, to check that no alias name reaches it. */
function capturingLogger(): { logger: Logger; text: () => string } {
  const lines: string[] = [];
  const keep = (message: string, fields?: unknown) =>
    lines.push(`${message} ${JSON.stringify(fields ?? {})}`);
  return { logger: { debug: keep, info: keep, warn: keep }, text: () => lines.join("\n") };
}

async function setup(faults = {}) {
  const clock = new ManualClock(Date.UTC(2024, 4, 1, 6, 0));
  const log = capturingLogger();
  const world = await startWorld(
    { ...workspace(4), aliasUsers: LEADS, clock: () => clock.now(), faults },
    { logger: log.logger },
  );
  const ledger = new SqliteSendLedger(":memory:");
  const activator = new Activator({
    client: world.client,
    ledger,
    mapping,
    clock,
    reconcileDelayMs: 60_000,
    logger: log.logger,
  });
  closers.push(world.close, () => ledger.close());
  return { ...world, clock, ledger, activator, log };
}

/** Decisions for the leads, by alias, on a channel of the fixture mapping. */
function forLeads(channel: string, prefix: string): ActivationRequest[] {
  return decisions(LEADS.length, { channel, prefix }).map((r, i) => ({
    ...r,
    recipient: { alias: { name: LEADS[i]!.alias_name, label: LEADS[i]!.alias_label } },
  }));
}

describe("alias recipients", () => {
  it("sends by alias alongside external ids (campaign and Canvas), once each, and logs no alias name", async () => {
    const { fake, activator, ledger, log } = await setup();
    await activator.enqueue([...decisions(2), ...forLeads("email", "lead"), ...forLeads("canvas", "lc")]);
    expect(await activator.run()).toEqual({ queued: 0, in_flight: 0, sent: 8, failed: 0 });
    const byAlias = fake.sends.filter((s) => s.alias);
    expect(byAlias).toHaveLength(6);
    expect(new Set(byAlias.map((s) => s.properties.kairos_decision_id)).size).toBe(6);
    const lead0 = fake.sends.find((s) => s.properties.kairos_decision_id === "lead-0");
    expect(lead0?.alias).toEqual(LEADS[0]);
    expect(lead0?.rendered.subject).toBe("Your 10% off");
    expect((await ledger.get("lead-1"))?.alias).toEqual(LEADS[1]);
    expect((await ledger.get("d-1"))?.externalId).toBe("u1");
    expect(log.text()).not.toMatch(/example\.com/);
  });

  it("settles an outcome-unknown alias send by asking Braze about that alias, without sending twice", async () => {
    // Every trigger send is processed, then its connection dropped: the activator cannot know it went out.
    const { fake, activator, ledger, clock } = await setup({
      dropRate: 1,
      dropAfterProcessingShare: 1,
      paths: ["/campaigns/trigger/send"],
    });
    await activator.enqueue(forLeads("email", "lead"));
    await activator.tick();
    expect(await ledger.counts()).toMatchObject({ in_flight: 3 });
    expect(fake.sends).toHaveLength(3);
    fake.setFaults({ dropRate: 0 });
    clock.advance(61_000);
    expect(await activator.run()).toEqual({ queued: 0, in_flight: 0, sent: 3, failed: 0 });
    expect(fake.sends).toHaveLength(3);
    for (const id of ["lead-0", "lead-1", "lead-2"])
      expect((await ledger.get(id))?.confirmedBy).toBe("reconciliation");
  });

  it("refuses a malformed alias, or both identifiers, naming the field, before queueing anything", async () => {
    const { activator, ledger } = await setup();
    const bad = (recipient: unknown) => [
      ...decisions(1),
      { ...decisions(1, { prefix: "x" })[0]!, recipient } as ActivationRequest,
    ];
    await expect(activator.enqueue(bad({ alias: { name: "", label: "crm" } }))).rejects.toThrow(
      /requests\[1\]\.recipient\.alias/,
    );
    await expect(
      activator.enqueue(bad({ externalId: "u1", alias: { name: "a", label: "b" } })),
    ).rejects.toThrow(/requests\[1\]\.recipient: give an externalId or an alias, not both/);
    expect(await ledger.counts()).toMatchObject({ queued: 0 });
  });

  it("opens a ledger file written before alias recipients existed", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "kairos-ledger-")), "old.db");
    const db = new Database(path);
    // The original table, without recipient_alias.
    db.exec(`CREATE TABLE send_ledger (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, decision_id TEXT NOT NULL UNIQUE, external_id TEXT NOT NULL,
      target_key TEXT NOT NULL, plan TEXT NOT NULL, decision TEXT NOT NULL, due_at INTEGER NOT NULL,
      created_at INTEGER NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, attempt_id TEXT,
      attempt_at INTEGER, outcome_unknown INTEGER NOT NULL DEFAULT 0, dispatch_id TEXT, sent_at INTEGER,
      confirmed_by TEXT, error TEXT, notice TEXT, updated_at INTEGER NOT NULL)`);
    db.prepare(
      `INSERT INTO send_ledger (decision_id, external_id, target_key, plan, decision, due_at, created_at, status, updated_at)
       VALUES ('old-1', 'u1', 'campaign:camp-offer', '{"kind":"campaign","campaignId":"camp-offer","properties":{}}', '{"action":{}}', 0, 0, 'queued', 0)`,
    ).run();
    db.close();
    const ledger = new SqliteSendLedger(path);
    closers.push(() => ledger.close());
    expect((await ledger.get("old-1"))?.externalId).toBe("u1");
    await ledger.enqueue([
      {
        decisionId: "new-1",
        alias: LEADS[0]!,
        targetKey: "campaign:camp-offer",
        plan: { kind: "campaign", campaignId: "camp-offer", properties: {} },
        decision: { action: {} },
        dueAt: 0,
        createdAt: 0,
      },
    ]);
    expect((await ledger.get("new-1"))?.alias).toEqual(LEADS[0]);
  });
});
