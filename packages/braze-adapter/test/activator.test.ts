import { afterEach, describe, expect, it } from "vitest";
import { Activator, BrazeClient, dueTime, ManualClock, SqliteSendLedger } from "../src/index.js";
import { decisions, mapping } from "./fixtures/decisions.js";
import { startWorld, workspace } from "./fixtures/world.js";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()?.();
});

async function setup(users = 40) {
  const clock = new ManualClock(Date.UTC(2024, 4, 1, 6, 0));
  const world = await startWorld({ ...workspace(users), clock: () => clock.now() });
  const ledger = new SqliteSendLedger(":memory:");
  const activator = new Activator({ client: world.client, ledger, mapping, clock, reconcileDelayMs: 60_000 });
  closers.push(world.close, () => ledger.close());
  return { ...world, clock, ledger, activator };
}

describe("Activator", () => {
  it("sends each decision once with its properties and decision id, and records dispatch ids", async () => {
    const { fake, activator, ledger } = await setup();
    const q = await activator.enqueue(decisions(30));
    expect(q.queued).toBe(30);
    const again = await activator.enqueue(decisions(30));
    expect(again.duplicates).toHaveLength(30);
    const counts = await activator.run();
    expect(counts).toEqual({ queued: 0, in_flight: 0, sent: 30, failed: 0 });
    expect(fake.sends).toHaveLength(30);
    const d7 = fake.sends.find((s) => s.properties.kairos_decision_id === "d-7");
    expect(d7?.externalId).toBe("u7");
    expect(d7?.rendered.subject).toBe("Your free shipping");
    const row = await ledger.get("d-7");
    expect(row?.dispatchId).toBe(d7?.dispatchId);
    expect(row?.confirmedBy).toBe("response");
    expect(row?.decision.propensity).toBeCloseTo(1 / 3);
  });

  it("waits until each decision is due in the recipient's time zone", async () => {
    const { fake, activator, clock } = await setup();
    const reqs = decisions(2, { timing: { hour: 9, day: 1 } });
    reqs[1].recipient.timeZone = "America/New_York";
    await activator.enqueue(reqs);
    await activator.tick();
    expect(fake.sends).toHaveLength(0);
    const utc9 = Date.UTC(2024, 4, 2, 9, 0);
    clock.set(utc9);
    await activator.tick();
    expect(fake.sends.map((s) => s.externalId)).toEqual(["u0"]);
    await activator.run();
    const ny = fake.sends.find((s) => s.externalId === "u1");
    // 09:00 in New York on 2 May 2024 is 13:00 UTC (EDT).
    expect(ny?.at).toBe(Date.UTC(2024, 4, 2, 13, 0));
  });

  it("marks a paused Canvas' decisions failed with Braze's notice", async () => {
    const { activator, ledger } = await setup();
    await activator.enqueue(decisions(3, { channel: "paused" }));
    await activator.run();
    const rows = await ledger.list("failed");
    expect(rows).toHaveLength(3);
    expect(rows[0].notice).toMatch(/paused/);
  });

  it("sends Canvas decisions with their context", async () => {
    const { fake, activator } = await setup();
    await activator.enqueue(decisions(2, { channel: "canvas" }));
    await activator.run();
    expect(fake.sends.map((s) => s.rendered.subject)).toEqual(["Hi 10% off", "Hi free shipping"]);
  });

  it("in dry-run mode validates and records everything but sends nothing", async () => {
    const { fake, clock } = await setup();
    const client = new BrazeClient({ baseUrl: fake.url, apiKey: fake.key, dryRun: true });
    const ledger = new SqliteSendLedger(":memory:");
    closers.push(
      () => client.close(),
      () => ledger.close(),
    );
    const activator = new Activator({ client, ledger, mapping, clock });
    await activator.enqueue(decisions(60));
    await activator.run();
    expect(fake.sends).toHaveLength(0);
    expect(fake.requests.filter((r) => r.method === "POST")).toHaveLength(0);
    expect(client.dryRunLog.map((r) => r.path)).toEqual([
      "/campaigns/trigger/send",
      "/campaigns/trigger/send",
    ]);
    expect((await ledger.list("sent")).every((r) => r.confirmedBy === "dry_run")).toBe(true);
  });

  it("refuses a decision whose option has no Braze target, before queueing anything", async () => {
    const { activator, ledger } = await setup();
    const reqs = decisions(3);
    reqs[2].decision.action.channel = "carrier-pigeon";
    await expect(activator.enqueue(reqs)).rejects.toThrow(/action.channel/);
    expect((await ledger.counts()).queued).toBe(0);
  });
});

describe("dueTime", () => {
  const now = Date.UTC(2024, 2, 9, 12, 0); // Saturday 9 March 2024, 12:00 UTC
  it("reads hour and day offsets in the zone", () => {
    expect(dueTime({ hour: 18, day: 0 }, { hourDimension: "hour", dayDimension: "day" }, "UTC", now)).toBe(
      Date.UTC(2024, 2, 9, 18),
    );
    // The US switches to DST on 10 March: 09:00 EDT is 13:00 UTC.
    expect(
      dueTime(
        { hour: "09:00", day: 1 },
        { hourDimension: "hour", dayDimension: "day" },
        "America/New_York",
        now,
      ),
    ).toBe(Date.UTC(2024, 2, 10, 13));
  });
  it("moves a passed hour to its next occurrence, or sends now when asked", () => {
    const t = { hourDimension: "hour", dayDimension: "day" };
    expect(dueTime({ hour: 8, day: 0 }, t, "UTC", now)).toBe(Date.UTC(2024, 2, 10, 8));
    expect(dueTime({ hour: 8, day: 0 }, { ...t, late: "send_now" }, "UTC", now)).toBe(now);
  });
  it("understands weekdays and dates", () => {
    const t = { hourDimension: "hour", dayDimension: "day" };
    expect(dueTime({ hour: 10, day: "tue" }, t, "Europe/Paris", now)).toBe(Date.UTC(2024, 2, 12, 9));
    expect(dueTime({ hour: 10, day: "2024-03-20" }, t, "UTC", now)).toBe(Date.UTC(2024, 2, 20, 10));
  });
});
