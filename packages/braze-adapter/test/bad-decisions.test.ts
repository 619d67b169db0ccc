// One bad decision must never fail the others of its batch: documented limits are checked per decision before
// sending, and a batch Braze refuses with a 400 is halved until the refused recipient stands alone.
import { afterEach, describe, expect, it } from "vitest";
import { Activator, ManualClock, SqliteSendLedger } from "../src/index.js";
import { decisions, mapping } from "./fixtures/decisions.js";
import { startWorld, workspace } from "./fixtures/world.js";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()?.();
});

async function setup(activatorMapping = mapping) {
  const clock = new ManualClock(Date.UTC(2024, 4, 1, 6, 0));
  const world = await startWorld({ ...workspace(60), blocklisted: ["u7"], clock: () => clock.now() });
  const ledger = new SqliteSendLedger(":memory:");
  const activator = new Activator({ client: world.client, ledger, mapping: activatorMapping, clock });
  closers.push(world.close, () => ledger.close());
  return { ...world, ledger, activator };
}

const triggerRequests = (fake: { requests: readonly { path: string; status: number | string }[] }) =>
  fake.requests.filter((r) => r.path === "/campaigns/trigger/send");

describe("a bad decision in a batch", () => {
  it("fails alone: 60 KB of properties before any request, a recipient Braze refuses after bisecting", async () => {
    const { fake, ledger, activator } = await setup();
    const reqs = decisions(50);
    reqs[3].decision.action.offer = "x".repeat(60_000); // over Braze's 50 KB of trigger properties
    await activator.enqueue(reqs);
    expect(await activator.run()).toEqual({ queued: 0, in_flight: 0, sent: 48, failed: 2 });
    expect((await ledger.get("d-3"))?.error).toMatch(/trigger_properties.*60,0\d\d bytes.*50,000/);
    expect((await ledger.get("d-7"))?.error).toMatch(/blacklisted/);
    const sent = fake.sends.map((s) => String(s.properties.kairos_decision_id));
    expect(sent).toHaveLength(48);
    expect(new Set(sent).size).toBe(48);
    expect(sent).not.toContain("d-3");
    expect(sent).not.toContain("d-7");
    // Halving 49 rows down to the refused one: one refused request per level, at most ceil(log2(49)) + 1.
    const refused = triggerRequests(fake).filter((r) => r.status === 400).length;
    expect(refused).toBeGreaterThan(1);
    expect(refused).toBeLessThanOrEqual(7);
    console.log(
      JSON.stringify({ test: "bad decision in a batch", requests: triggerRequests(fake).length, refused }),
    );
  });

  it("a 400 about the request itself (an unknown campaign) fails the batch in one request", async () => {
    const { fake, activator } = await setup({
      targets: { default: { kind: "campaign", campaignId: "gone" } },
    });
    await activator.enqueue(decisions(50));
    expect(await activator.run()).toEqual({ queued: 0, in_flight: 0, sent: 0, failed: 50 });
    expect(triggerRequests(fake)).toHaveLength(1);
  });

  it("the client refuses oversized properties locally, naming the recipient; the fake enforces the limit too", async () => {
    const { fake, client } = await setup();
    const big = { offer: "x".repeat(60_000) };
    const recipients = [{ external_user_id: "u1" }, { external_user_id: "u2", trigger_properties: big }];
    await expect(client.messaging.triggerCampaign({ campaign_id: "camp-offer", recipients })).rejects.toThrow(
      /recipients\[1\]: trigger_properties/,
    );
    await expect(
      client.messaging.triggerCanvas({ canvas_id: "canvas-live", context: big, recipients: [recipients[0]] }),
    ).rejects.toThrow(/recipients\[0\]: context/);
    expect(triggerRequests(fake)).toHaveLength(0);
    const res = await fetch(`${fake.url}/campaigns/trigger/send`, {
      method: "POST",
      headers: { authorization: `Bearer ${fake.key}`, "content-type": "application/json" },
      body: JSON.stringify({ campaign_id: "camp-offer", recipients }),
    });
    expect(res.status).toBe(400);
    expect(fake.sends).toHaveLength(0);
  });
});
