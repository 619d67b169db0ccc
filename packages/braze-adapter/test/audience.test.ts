import { afterEach, describe, expect, it } from "vitest";
import { Activator, ManualClock, SqliteSendLedger } from "../src/index.js";
import type { AudienceResponder } from "../src/testing/index.js";
import { decisions, mapping } from "./fixtures/decisions.js";
import { startWorld, workspace } from "./fixtures/world.js";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()?.();
});

const HOUR = 3_600_000;

/** A toy population: everyone opens an hour later; "BOGO" recipients also click and buy two hours later. */
const audience: AudienceResponder = {
  respond(send) {
    const events: ReturnType<AudienceResponder["respond"]> = [{ type: "open", at: send.at + HOUR }];
    if (send.properties.offer === "BOGO") {
      events.push({ type: "click", at: send.at + 2 * HOUR });
      events.push({ type: "purchase", at: send.at + 2 * HOUR, productId: "shoes", price: 40 });
    }
    return events;
  },
};

describe("audience-response interface", () => {
  it("turns sends into events visible through event records, /users/export/ids and data_series, as time passes", async () => {
    const clock = new ManualClock(Date.UTC(2024, 4, 1, 6, 0));
    const { fake, client, close } = await startWorld({
      ...workspace(30),
      clock: () => clock.now(),
      audience,
    });
    const ledger = new SqliteSendLedger(":memory:");
    closers.push(close, () => ledger.close());
    const activator = new Activator({ client, ledger, mapping, clock });
    await activator.enqueue(decisions(30));
    await activator.run();
    expect(fake.events()).toHaveLength(0); // nothing has happened yet on the fake's clock
    clock.advance(3 * HOUR);
    const events = fake.events();
    expect(events.filter((e) => e.type === "open")).toHaveLength(30);
    expect(events.filter((e) => e.type === "purchase")).toHaveLength(10);
    const bought = events.find((e) => e.kind === "purchase");
    expect(bought?.properties.kairos_decision_id).toMatch(/^d-/);
    const body = fake.trackBody();
    expect(body.purchases).toHaveLength(10);
    expect(body.events[0]).toMatchObject({ name: "email_open", external_id: expect.any(String) });

    const { users } = await client.users.exportIds({
      external_ids: ["u2"],
      fields_to_export: ["external_id", "purchases", "total_revenue", "campaigns_received"],
    });
    expect(users[0].total_revenue).toBe(40);
    expect(users[0].campaigns_received?.[0].api_campaign_id).toBe("camp-offer");

    const [day] = await client.campaigns.dataSeries("camp-offer", {
      endingAt: new Date(clock.now()),
      days: 1,
    });
    const variant = day.messages?.email?.find((v) => v.variation_api_id === "var-a");
    expect(variant).toMatchObject({
      sent: 30,
      unique_opens: 30,
      unique_clicks: 10,
      revenue: 400,
      conversions: 10,
    });
  });
});
