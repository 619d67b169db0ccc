import { createPolicy } from "@kairos/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RewardEvent } from "../src/event.js";
import { RewardJoiner } from "../src/joiner.js";
import { defineMetric } from "../src/metric.js";
import { presets } from "../src/presets.js";
import { DAY, decision, HOUR, purchase, T0 } from "./helpers.js";

const conversion = defineMetric(presets.conversionRate({ event: "signup" }));
const revenue = defineMetric(presets.revenue());

function signup(userId: string, time: number, extra: Partial<RewardEvent> = {}): RewardEvent {
  return { userId, time, kind: "custom", name: "signup", properties: {}, value: 1, ...extra };
}

describe("RewardJoiner", () => {
  it("emits a binary reward at first conversion, and zero when the window closes without one", () => {
    const j = new RewardJoiner(conversion);
    j.addDecisions([decision("d1", "u1"), decision("d2", "u2")]);
    j.ingest([signup("u1", T0 + HOUR)]);
    const first = j.drain();
    expect(first.feedback).toEqual([
      { context: { tenure: 3 }, action: { offer: "A" }, reward: 1, propensity: 0.5, decisionId: "d1" },
    ]);
    expect(first.rewards[0].early).toBe(true);
    j.advanceTo(T0 + 7 * DAY - 1);
    expect(j.drain().feedback).toEqual([]);
    j.advanceTo(T0 + 7 * DAY);
    const closed = j.drain();
    expect(closed.feedback.map((f) => [f.decisionId, f.reward])).toEqual([["d2", 0]]);
    expect(j.pendingCount).toBe(0);
  });

  it("sums revenue and emits it only when the window (plus grace) closes", () => {
    const j = new RewardJoiner(revenue, { grace: "1h" });
    j.addDecision(decision("d1", "u1"));
    j.ingest([
      purchase("u1", T0 + 1, 10),
      purchase("u1", T0 + 2 * DAY, 5.5),
      purchase("u1", T0 + 8 * DAY, 100),
    ]);
    j.advanceTo(T0 + 7 * DAY);
    expect(j.drain().feedback).toEqual([]);
    j.advanceTo(T0 + 7 * DAY + HOUR);
    expect(j.drain().feedback.map((f) => f.reward)).toEqual([15.5]);
    expect(j.tallies).toMatchObject({ attributed: 2, unattributed: 1 });
  });

  it("attributes by decision id when the event carries one, else to the most recent decision before the event", () => {
    const j = new RewardJoiner(revenue);
    j.addDecisions([decision("old", "u1", T0), decision("new", "u1", T0 + DAY)]);
    j.ingest([
      purchase("u1", T0 + HOUR, 1), // only "old" was sent: old
      purchase("u1", T0 + 2 * DAY, 10), // both sent, most recent is "new"
      { ...purchase("u1", T0 + 3 * DAY, 100), decisionId: "old" }, // explicit id wins
      purchase("u1", T0 - HOUR, 1000), // before any send
    ]);
    j.advanceTo(T0 + 30 * DAY);
    const byId = Object.fromEntries(j.drain().feedback.map((f) => [f.decisionId, f.reward]));
    expect(byId).toEqual({ old: 101, new: 10 });
    expect(j.tallies.unattributed).toBe(1);
  });

  it("counts a duplicate (same id, or identical content) once", () => {
    const j = new RewardJoiner(revenue);
    j.addDecision(decision("d1", "u1"));
    const a = purchase("u1", T0 + 1, 10, "e1");
    const b = purchase("u1", T0 + 2, 7);
    j.ingest([a, b, { ...a }, { ...b, properties: {} }, purchase("u1", T0 + 3, 99, "e1")]);
    j.advanceTo(T0 + 7 * DAY);
    expect(j.drain().feedback[0].reward).toBe(17);
    expect(j.tallies.duplicates).toBe(3);
  });

  it("counts and reports events that arrive after their window closed, instead of dropping them", () => {
    const j = new RewardJoiner(conversion);
    j.addDecisions([decision("d1", "u1"), decision("d2", "u2")]);
    j.advanceTo(T0 + 8 * DAY);
    expect(j.drain().feedback.map((f) => f.reward)).toEqual([0, 0]);
    j.ingest([
      signup("u1", T0 + DAY),
      signup("u2", T0 + DAY, { decisionId: "d2" }),
      signup("u1", T0 + 9 * DAY),
    ]);
    expect(j.tallies.late).toBe(2);
    expect(j.tallies.unattributed).toBe(1);
    expect(j.lateEvents().map((l) => [l.userId, l.decisionId])).toEqual([
      ["u1", null],
      ["u2", "d2"],
    ]);
    expect(j.drain().feedback).toEqual([]);
  });

  it("quarantines unknown users and unknown decision ids, and continues", () => {
    const j = new RewardJoiner(conversion);
    j.addDecision(decision("d1", "u1"));
    j.ingest([signup("ghost", T0 + 1), signup("u1", T0 + 1, { decisionId: "nope" }), signup("u1", T0 + 2)]);
    expect(j.quarantine.byReason()).toEqual({ unknown_user: 1, unknown_decision: 1 });
    expect(j.quarantine.list("unknown_user")[0].payload).toMatchObject({ userId: "ghost" });
    expect(j.drain().feedback).toHaveLength(1);
    const ignoring = new RewardJoiner(conversion, { unknownUsers: "ignore" });
    ignoring.ingest([signup("ghost", T0)]);
    expect(ignoring.tallies.unknownUsers).toBe(1);
    expect(ignoring.quarantine.total).toBe(0);
  });

  it("forgets a closed window after its retention whenever pruning happens to run", () => {
    // Same input, same final clock; only the clock's path differs, so pruning runs at different times.
    const feed = (steps: number[]) => {
      const j = new RewardJoiner(conversion);
      j.addDecision(decision("d1", "u1"));
      for (const t of steps) j.advanceTo(t);
      // Inside d1's window, not expired, but d1 closed more than a retention (one window, 7 days) ago.
      j.ingest([signup("u1", T0 + 2 * HOUR, { decisionId: "d1" }), signup("u1", T0 + 3 * HOUR)]);
      return { tallies: j.tallies, quarantined: j.quarantine.byReason() };
    };
    const end = T0 + 14 * DAY + HOUR;
    const oneStep = feed([end]);
    const twoSteps = feed([T0 + 14 * DAY - HOUR, end]); // the second step comes too soon to prune again
    expect(twoSteps).toEqual(oneStep);
    expect(oneStep.quarantined).toEqual({ unknown_decision: 1, unknown_user: 1 });
  });

  it("refuses duplicate decisions and names a bad decision field", () => {
    const j = new RewardJoiner(conversion);
    expect(j.addDecision(decision("d1", "u1"))).toBe(true);
    expect(j.addDecision(decision("d1", "u1"))).toBe(false);
    expect(() => j.addDecisions([decision("d2", "u2"), { ...decision("d3", "u3"), propensity: 0 }])).toThrow(
      /decisions\[1\]\.propensity/,
    );
    expect(() => j.addDecision({ ...decision("d4", "u4"), sentAt: "soon" })).toThrow(/sentAt/);
    expect(j.tallies.duplicateDecisions).toBe(1);
  });

  it("scores a composite objective with send-time dating", () => {
    const j = new RewardJoiner({
      name: "net",
      window: "7d",
      countBy: "send_time",
      components: [
        { name: "revenue", counts: { type: "purchase" }, aggregate: "sum" },
        {
          name: "discount_cost",
          counts: { type: "event", name: "coupon" },
          aggregate: "sum",
          value: { property: "amount" },
        },
        { name: "unsubscribed", counts: { type: "unsubscribe" }, aggregate: "first" },
      ],
      objective: "revenue - 0.3 * discount_cost - 5 * unsubscribed",
    });
    j.addDecision(decision("d1", "u1"));
    j.ingest([
      purchase("u1", T0 + 1, 100),
      { userId: "u1", time: T0 + 2, kind: "custom", name: "coupon", properties: { amount: 20 }, value: 1 },
      { userId: "u1", time: T0 + 3, kind: "unsubscribe", name: "unsubscribe", properties: {}, value: 1 },
    ]);
    j.advanceTo(T0 + 7 * DAY);
    const [r] = j.drain().rewards;
    expect(r.reward).toBeCloseTo(89);
    expect(r.components).toEqual({ revenue: 100, discount_cost: 20, unsubscribed: 1 });
    expect(r.countedAt).toBe(T0);
  });

  it("produces exactly what Policy.update takes", () => {
    const policy = createPolicy({
      kind: "factorised-thompson",
      actionSpace: { dimensions: { offer: ["A", "B"] } },
      context: { features: [{ name: "tenure", type: "numeric" }] },
      rewardRange: [0, 1],
      seed: 1,
    });
    const j = new RewardJoiner(conversion);
    for (let i = 0; i < 20; i++) {
      const d = policy.decide({ tenure: i });
      j.addDecision({
        ...decision(d.decisionId, `u${i}`),
        action: d.action,
        propensity: d.propensity,
        context: { tenure: i },
      });
    }
    j.ingest([signup("u1", T0 + 1), signup("u2", T0 + 1)]);
    j.advanceTo(T0 + 7 * DAY);
    const batch = j.drain();
    expect(batch.feedback).toHaveLength(20);
    expect(policy.update(batch.feedback).applied).toBe(20);
  });

  it("hands out batches that stay until acknowledged", () => {
    const j = new RewardJoiner(conversion);
    for (let i = 0; i < 5; i++) j.addDecision(decision(`d${i}`, `u${i}`));
    j.advanceTo(T0 + 7 * DAY);
    const a = j.takeBatch(2);
    expect(j.takeBatch(2).through).toBe(a.through);
    j.ack(a.through);
    const rest = j.takeBatch().feedback.map((f) => f.decisionId);
    expect(rest).toHaveLength(3);
    expect(new Set([...rest, ...a.feedback.map((f) => f.decisionId)]).size).toBe(5);
  });
});

describe("RewardJoiner properties", () => {
  const arbEvents = fc.array(
    fc.record({
      user: fc.integer({ min: 0, max: 4 }),
      offsetH: fc.integer({ min: -24, max: 9 * 24 }),
      price: fc.integer({ min: 0, max: 500 }).map((c) => c / 4),
      withId: fc.boolean(),
      copies: fc.integer({ min: 1, max: 3 }),
    }),
    { maxLength: 60 },
  );
  // An id names one event: a redelivery repeats the same content (with or without an id).
  const toEvents = (
    raw: { user: number; offsetH: number; price: number; withId: boolean; copies: number }[],
  ) =>
    raw.flatMap((r, i) =>
      Array.from({ length: r.copies }, () =>
        purchase(`u${r.user}`, T0 + r.offsetH * HOUR, r.price, r.withId ? `e${i}` : undefined),
      ),
    );

  function run(metric: typeof revenue, events: RewardEvent[], dupes = false) {
    const j = new RewardJoiner(metric);
    for (let u = 0; u < 5; u++) {
      j.addDecision(decision(`a${u}`, `u${u}`, T0));
      j.addDecision(decision(`b${u}`, `u${u}`, T0 + 3 * DAY));
    }
    j.ingest(events);
    if (dupes) j.ingest(events);
    j.advanceTo(T0 + 20 * DAY);
    return Object.fromEntries(j.drain().feedback.map((f) => [f.decisionId, f.reward]));
  }

  it("the rewards do not depend on the arrival order of events", () => {
    fc.assert(
      fc.property(arbEvents, fc.integer(), (raw, seed) => {
        const events = toEvents(raw);
        const shuffled = fc.sample(fc.shuffledSubarray(events, { minLength: events.length }), {
          seed,
          numRuns: 1,
        })[0];
        for (const metric of [
          revenue,
          conversion,
          defineMetric(presets.repeatPurchase({ minPurchases: 2 })),
        ]) {
          const a = run(metric, events);
          const b = run(metric, shuffled);
          for (const k of Object.keys(a)) expect(b[k]).toBeCloseTo(a[k], 9);
        }
      }),
    );
  });

  it("decisions may arrive after their events: rewards and tallies equal the decisions-first run", () => {
    // One decision per user, so "the user's most recent decision" does not depend on arrival order.
    fc.assert(
      fc.property(arbEvents, fc.integer(), (raw, seed) => {
        const events = toEvents(raw).map((e, i) =>
          i % 3 === 0 ? { ...e, decisionId: `a${e.userId.slice(1)}` } : e,
        );
        const decisions = Array.from({ length: 5 }, (_, u) => decision(`a${u}`, `u${u}`, T0));
        const items: (RewardEvent | ReturnType<typeof decision>)[] = [...decisions, ...events];
        const shuffled = fc.sample(fc.shuffledSubarray(items, { minLength: items.length }), {
          seed,
          numRuns: 1,
        })[0];
        const feed = (order: typeof items) => {
          const j = new RewardJoiner(revenue);
          for (const item of order) {
            if ("sentAt" in item) j.addDecision(item);
            else j.ingest([item]);
          }
          j.advanceTo(T0 + 20 * DAY);
          const rewards = Object.fromEntries(j.drain().feedback.map((f) => [f.decisionId, f.reward]));
          return { rewards, tallies: j.tallies, quarantined: j.quarantine.byReason() };
        };
        const first = feed(items);
        const mixed = feed(shuffled);
        expect(mixed.rewards).toEqual(first.rewards);
        expect(mixed.tallies).toEqual(first.tallies);
        expect(mixed.quarantined).toEqual({});
      }),
    );
  });

  it("ingesting everything twice changes nothing (dedup idempotence)", () => {
    fc.assert(
      fc.property(arbEvents, (raw) => {
        const events = toEvents(raw);
        expect(run(revenue, events, true)).toEqual(run(revenue, events));
      }),
    );
  });

  it("snapshot → JSON → restore continues exactly like the original", () => {
    fc.assert(
      fc.property(arbEvents, fc.integer({ min: 0, max: 60 }), (raw, cut) => {
        const events = toEvents(raw);
        const a = new RewardJoiner(revenue);
        for (let u = 0; u < 5; u++) a.addDecision(decision(`a${u}`, `u${u}`, T0));
        a.ingest(events.slice(0, cut));
        a.advanceTo(T0 + 2 * DAY);
        const b = RewardJoiner.restore(revenue, JSON.parse(JSON.stringify(a.snapshot())));
        expect(b.snapshot()).toEqual(a.snapshot());
        for (const j of [a, b]) {
          j.ingest(events.slice(cut));
          j.advanceTo(T0 + 30 * DAY);
        }
        expect(b.drain()).toEqual(a.drain());
        expect(b.tallies).toEqual(a.tallies);
      }),
    );
  });
});
