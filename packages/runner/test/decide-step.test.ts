// The decide step on worker threads makes exactly the decisions of one thread: same rows in the decision
// log (actions, propensities, contexts, explanations), same groups, same skips, and the send plan on its own
// thread queues the same sends as on this one.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Activator, BrazeClient } from "@kairos/braze-adapter";
import { keyedRng } from "@kairos/core";
import { afterAll, describe, expect, it } from "vitest";
import {
  type AudienceMember,
  decideAndLog,
  loadPolicy,
  loadUseCase,
  openState,
  type RunnerState,
  startSendPlan,
  storeAudience,
} from "../src/index.js";

const useCase = await loadUseCase(new URL("../examples/use-cases/win-back.json", import.meta.url).pathname);
const DAY = "2026-03-02";

/** Win-back customers; some lack SMS consent (eligibility), a few have a bad attribute. */
function audience(n: number): AudienceMember[] {
  return Array.from({ length: n }, (_, i) => {
    const r = keyedRng("decide-step-test", String(i));
    return {
      externalId: `customer-${i}`,
      timeZone: ["Europe/London", "Asia/Tokyo", "Nowhere/Invalid"][i % 3],
      attrs: {
        lapseStage: ["cooling", "lapsed", "dormant"][i % 3],
        daysSincePurchase: i % 97 === 0 ? "long ago" : Math.round(45 + 300 * r.next()),
        lastCategory: ["fashion", "home", "beauty"][i % 2],
        emailOpener: r.next() < 0.35,
        smsConsent: r.next() < 0.5,
      },
    };
  });
}

describe("decide step", () => {
  const states: RunnerState[] = [];
  const clients: BrazeClient[] = [];
  afterAll(async () => {
    for (const s of states) await s.close();
    for (const c of clients) await c.close();
  });

  async function run(workers: number, crashAfterPages?: number) {
    const state = openState(mkdtempSync(join(tmpdir(), "kairos-decide-step-")), useCase.id);
    states.push(state);
    storeAudience(state, DAY, audience(2_500));
    // Yesterday's sends for some customers: the frequency cap (1 message in 7 days) skips them today.
    state.db
      .prepare(
        "INSERT INTO decisions (decision_id, day, external_id, grp, context, status) SELECT 'y' || external_id, '2026-03-01', external_id, 'kairos', '{}', 'sent' FROM audience WHERE CAST(substr(external_id, 10) AS INTEGER) % 10 = 0",
      )
      .run();
    const client = new BrazeClient({
      baseUrl: "https://rest.iad-01.braze.com",
      apiKey: "unused",
      dryRun: true,
    });
    clients.push(client);
    const activator = new Activator({ client, ledger: state.ledger, mapping: useCase.mapping });
    // With workers, the sends are queued on a thread of their own too.
    const startPlan = () =>
      startSendPlan(useCase, state, activator, DAY, Date.parse(`${DAY}T06:00:00Z`), {
        audience: 2_500,
        workers,
        parallelFrom: 0,
      });
    const policy = loadPolicy(useCase, state.snapshots, 0);
    const options = { workers, parallelFrom: 0, pageSize: 300 };
    if (crashAfterPages !== undefined) {
      // A run that dies after some pages were logged (the last of them before its sends were queued).
      const plan = startPlan();
      let pages = 0;
      const dying = decideAndLog(useCase, state, policy, DAY, {
        ...options,
        afterPage: async (first, last, rows) => {
          if (++pages === crashAfterPages) throw new Error("killed");
          await plan.queue(first, last, rows);
        },
      });
      await expect(dying).rejects.toThrow("killed");
      await plan.close();
    }
    const plan = startPlan();
    const result = await decideAndLog(useCase, state, policy, DAY, {
      ...options,
      afterPage: (first, last, rows) => plan.queue(first, last, rows),
    });
    const queued = await plan.finish();
    await plan.close();
    const rows = state.db.prepare("SELECT * FROM decisions WHERE day = ? ORDER BY decision_id").all(DAY);
    const groups = state.db.prepare("SELECT * FROM groups ORDER BY external_id").all();
    const ledger = (await state.ledger.list()).map((e) => [e.decisionId, e.dueAt, e.plan, e.decision]);
    return { result, rows, groups, ledger, queued };
  }

  it("decides the same on two worker threads as on this one", async () => {
    const inline = await run(0);
    const parallel = await run(2);
    expect(inline.result.workers).toBe(0);
    expect(parallel.result.workers).toBe(2);
    const { workers: _a, ...a } = inline.result;
    const { workers: _b, ...b } = parallel.result;
    expect(b).toEqual(a);
    expect(parallel.rows).toEqual(inline.rows);
    expect(parallel.groups).toEqual(inline.groups);
    expect(parallel.ledger).toEqual(inline.ledger);
    // What was exercised: every group, skips of each kind, explanations, eligibility, sends queued.
    expect(Object.keys(a.byGroup).sort()).toEqual(["bau", "holdout", "kairos", "random"]);
    expect(a.skipped.frequency_cap).toBeGreaterThan(100);
    expect(a.skipped.bad_attributes).toBeGreaterThan(10);
    expect(a.examples.bad_attributes).toContain("daysSincePurchase");
    const explained = (inline.rows as { explanation: string | null }[]).filter((r) => r.explanation !== null);
    expect(explained).toHaveLength(20);
    const sms = (inline.rows as { action: string | null; context: string }[]).filter((r) =>
      r.action?.includes('"sms"'),
    );
    expect(sms.length).toBeGreaterThan(0);
    expect(inline.queued).toBe((a.byGroup.kairos ?? 0) + (a.byGroup.random ?? 0) + (a.byGroup.bau ?? 0));
    expect(inline.ledger).toHaveLength(inline.queued);
  });

  it("run again after dying halfway, gives the same log and the same sends", async () => {
    const whole = await run(0);
    const resumed = await run(2, 4);
    expect(resumed.rows).toEqual(whole.rows);
    expect(resumed.groups).toEqual(whole.groups);
    expect(resumed.ledger).toEqual(whole.ledger);
  });
});
