import { ActionSpace, type Feedback, type Policy } from "@kairos/core";
import { describe, expect, it } from "vitest";
import { CustomerHistory } from "../src/loop-audience.js";
import { FeedbackQueue } from "../src/loop-feedback.js";

const space = new ActionSpace({ dimensions: { channel: ["email", "sms"], offer: ["none", "10%"] } });

describe("simulator loop steps", () => {
  it("CustomerHistory counts sends within the fatigue window and keeps only the last few", () => {
    const h = new CustomerHistory(space, 3, -1);
    for (const day of [0, 1, 2, 3, 4]) h.recordSend(7, day);
    expect(h.recentCount(7, 5)).toBe(3);
    expect(h.recentCount(7, 7)).toBe(1);
    expect(h.recentCount(8, 5)).toBe(0);
  });

  it("an unsubscribe denies the option, and the customer leaves once every option is denied", () => {
    const h = new CustomerHistory(space, 7, 0);
    expect(h.eligibility(1)).toBeUndefined();
    h.recordUnsubscribe(1, Int32Array.of(1, 0));
    expect(h.eligibility(1)).toEqual({ deny: { channel: ["sms"] } });
    expect(h.isGone(1)).toBe(false);
    h.recordUnsubscribe(1, Int32Array.of(0, 1));
    expect(h.isGone(1)).toBe(true);
    // Without an unsubscribe dimension, one unsubscribe is enough.
    const all = new CustomerHistory(space, 7, -1);
    all.recordUnsubscribe(2, Int32Array.of(0, 0));
    expect(all.isGone(2)).toBe(true);
  });

  it("FeedbackQueue delivers scaled, clipped rewards on their arrival night and drops late ones", () => {
    const q = new FeedbackQueue(3, 10, [0, 1]);
    const got: Feedback[][] = [];
    const policy = { update: (batch: Feedback[]) => got.push(batch) } as unknown as Policy;
    const base = { context: {}, action: 1, decisionId: "0-1", propensity: 0.5 };
    q.schedule(1, { ...base, reward: 5 });
    q.schedule(1, { ...base, reward: 50, propensity: Number.NaN });
    q.schedule(3, { ...base, reward: 5 });
    for (let day = 0; day < 3; day++) q.deliver(day, policy);
    expect(got.map((b) => b.length)).toEqual([0, 2, 0]);
    expect(got[1]![0]).toEqual({ context: {}, action: 1, reward: 0.5, decisionId: "0-1", propensity: 0.5 });
    expect(got[1]![1]).toEqual({ context: {}, action: 1, reward: 1, decisionId: "0-1" });
  });
});
