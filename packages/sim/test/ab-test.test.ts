import { ActionSpace } from "@kairos/core";
import { describe, expect, it } from "vitest";
import { AbTestPolicy } from "../src/baselines/ab-test.js";

const space = new ActionSpace({ dimensions: { channel: ["email", "sms", "push"], offer: ["none", "10%"] } });
const means: Record<string, number> = { "email|none": 0.1, "sms|10%": 0.5, "push|none": 0.3 };

describe("A/B test baselines", () => {
  it("explores the chosen arms uniformly, then ships the best observed arm to everyone", () => {
    const arms = [
      { channel: "email", offer: "none" },
      { channel: "sms", offer: "10%" },
      { channel: "push", offer: "none" },
    ];
    const p = new AbTestPolicy({ actionSpace: space, exploreDays: 2, arms, seed: 1 });
    for (let day = 0; day < 2; day++) {
      const decisions = p.decideBatch(
        Array.from({ length: 300 }, () => ({})),
        Array.from({ length: 300 }, (_, i) => ({ decisionId: `${day}-${i}` })),
      );
      const counts = new Map<string, number>();
      for (const d of decisions) {
        const key = `${d.action.channel}|${d.action.offer}`;
        expect(key in means).toBe(true);
        expect(d.propensity).toBeCloseTo(1 / 3, 12);
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      // 300 uniform draws over 3 arms: each count is Binomial(300, 1/3), sd ≈ 8.2; 60 is 5 sd away.
      for (const c of counts.values()) expect(c).toBeGreaterThan(60);
      p.update(
        decisions.map((d) => ({
          context: {},
          action: d.action,
          reward: means[`${d.action.channel}|${d.action.offer}`]!,
        })),
      );
    }
    const after = p.decide({}, { decisionId: "x" });
    expect(after.action).toEqual({ channel: "sms", offer: "10%" });
    expect(after.propensity).toBe(1);
    // A customer who cannot get SMS receives the next best tested arm.
    expect(p.decide({}, { eligibility: { deny: { channel: ["sms"] } } }).action).toEqual({
      channel: "push",
      offer: "none",
    });
    const probs = p.actionProbabilities({});
    expect(probs[space.indexOf({ channel: "sms", offer: "10%" })]).toBe(1);
  });

  it("a segment-level test picks a winner per segment", () => {
    const p = new AbTestPolicy({ actionSpace: space, exploreDays: 1, segmentBy: "segment", seed: 2 });
    const contexts = Array.from({ length: 600 }, (_, i) => ({ segment: i % 2 ? "young" : "old" }));
    const decisions = p.decideBatch(contexts);
    p.update(
      decisions.map((d, i) => ({
        context: contexts[i]!,
        action: d.actionIndex,
        reward: (contexts[i]!.segment === "young") === (d.action.channel === "sms") ? 1 : 0,
      })),
    );
    expect(p.decide({ segment: "young" }).action.channel).toBe("sms");
    expect(p.decide({ segment: "old" }).action.channel).not.toBe("sms");
    const snap = p.snapshot();
    const copy = new AbTestPolicy({ actionSpace: space, exploreDays: 1, segmentBy: "segment", seed: 2 });
    copy.restore(snap);
    expect(copy.winnersByRecord()).toEqual(p.winnersByRecord());
  });
});
