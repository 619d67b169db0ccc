import { ActionSpace, type Decision, type Feedback } from "@kairos/core";
import { describe, expect, it } from "vitest";
import { FullFactorialAbTest } from "../src/baselines/ab-test.js";
import { SequentialAbTest, samplesPerArm } from "../src/baselines/sequential-ab-test.js";
import { type Job, runJob } from "../src/experiment.js";
import { parsePolicySpec } from "../src/policies.js";
import { normalQuantile } from "../src/stats.js";
import { fixture } from "./helpers.js";

const space = new ActionSpace({ dimensions: { channel: ["email", "sms", "push"], offer: ["none", "10%"] } });
const means: Record<string, number> = { "email|none": 0.1, "sms|10%": 0.5, "push|none": 0.3 };

describe("full-factorial A/B test (the naive design, kept for comparison)", () => {
  it("explores the chosen arms uniformly, then ships the best observed arm to everyone", () => {
    const arms = [
      { channel: "email", offer: "none" },
      { channel: "sms", offer: "10%" },
      { channel: "push", offer: "none" },
    ];
    const p = new FullFactorialAbTest({ actionSpace: space, exploreDays: 2, arms, seed: 1 });
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
        decisions.map((d: Decision) => ({
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
    const p = new FullFactorialAbTest({ actionSpace: space, exploreDays: 1, segmentBy: "segment", seed: 2 });
    const contexts = Array.from({ length: 600 }, (_, i) => ({ segment: i % 2 ? "young" : "old" }));
    const decisions = p.decideBatch(contexts);
    p.update(
      decisions.map((d: Decision, i: number) => ({
        context: contexts[i]!,
        action: d.actionIndex,
        reward: (contexts[i]!.segment === "young") === (d.action.channel === "sms") ? 1 : 0,
      })),
    );
    expect(p.decide({ segment: "young" }).action.channel).toBe("sms");
    expect(p.decide({ segment: "old" }).action.channel).not.toBe("sms");
    const snap = p.snapshot();
    const copy = new FullFactorialAbTest({
      actionSpace: space,
      exploreDays: 1,
      segmentBy: "segment",
      seed: 2,
    });
    copy.restore(snap);
    expect(copy.winnersByRecord()).toEqual(p.winnersByRecord());
  });
});

/**
 * Drives a policy through days of `perDay` customers: outcomes are Bernoulli draws (deterministic in the
 * decision id) with the given conversion rate per action; a conversion arrives the same night, a
 * non-conversion after `window` days, as in the simulator.
 */
function drive(
  p: SequentialAbTest,
  days: number,
  perDay: number,
  rate: (action: Record<string, unknown>, day: number) => number,
  window: number,
): Decision[][] {
  const pending: Feedback[][] = Array.from({ length: days + window + 1 }, () => []);
  const all: Decision[][] = [];
  let u = 0.5;
  for (let day = 0; day < days; day++) {
    const decisions = p.decideBatch(
      Array.from({ length: perDay }, () => ({})),
      Array.from({ length: perDay }, (_, i) => ({ decisionId: `${day}-${i}` })),
    );
    all.push(decisions);
    for (const d of decisions) {
      u = (u * 9301 + 49297) % 233280;
      const converted = u / 233280 < rate(d.action, day);
      pending[converted ? day : day + window]!.push({
        context: {},
        action: d.actionIndex,
        reward: converted ? 1 : 0,
        decisionId: d.decisionId,
      });
    }
    p.update(pending[day]!);
  }
  return all;
}

describe("sequential A/B test (one dimension at a time, sized by a power calculation)", () => {
  it("sizes each arm by the two-sample power formula with a Bonferroni split", () => {
    // 2 (z_0.975 + z_0.8)² σ² / (mde μ)² with μ = 1, σ = 4, mde = 0.2: 2 · 2.8016² · 16 / 0.04 = 6279.1.
    expect(samplesPerArm({ mean: 1, sd: 4 }, 0.2, 0.8, 0.05, 1)).toBe(6280);
    // Two comparisons with the control: each at α/2, so z_0.9875 = 2.2414 replaces 1.96.
    const z = normalQuantile(1 - 0.05 / 4) + normalQuantile(0.8);
    expect(samplesPerArm({ mean: 1, sd: 4 }, 0.2, 0.8, 0.05, 2)).toBe(Math.ceil((2 * z * z * 16) / 0.04));
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.8)).toBeCloseTo(0.841621, 6);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
  });

  it("tests one dimension at a time from BAU, decides only after the attribution window, ships significant winners", () => {
    // sms converts at 30%, email and push at 10%; the offer does not matter. n per arm is fixed at 400.
    const window = 3;
    const p = new SequentialAbTest({
      actionSpace: space,
      start: { channel: "email", offer: "none" },
      samplesPerArm: 400,
      attributionDays: window,
      seed: 3,
    });
    const rate = (a: Record<string, unknown>) => (a.channel === "sms" ? 0.3 : 0.1);
    const days = drive(p, 12, 300, rate, window);
    // Day 0: 300 sends split over the three channel arms with the offer held at BAU's "none".
    for (const d of days[0]!) {
      expect(d.action.offer).toBe("none");
      expect(d.propensity).toBeCloseTo(1 / 3, 12);
    }
    const [stage1, stage2] = p.record()[0]!.stages;
    // 1,200 sends fill the three arms on day 3 (0-based); the last sends' window closes after day 3 + 3,
    // so the decision takes effect on day 7: the days between send BAU (the champion) to everyone.
    expect(stage1!.enrolled).toEqual([400, 400, 400]);
    expect(stage1!.enrolledDay).toBe(3);
    expect(stage1!.decidedDay).toBe(7);
    expect(stage1!.received).toEqual([400, 400, 400]);
    for (const day of [4, 5, 6])
      for (const d of days[day]!) expect(d.action).toEqual({ channel: "email", offer: "none" });
    // 30% against 10% on 400 sends each: z ≈ 7, far above the Bonferroni threshold z_0.9875 = 2.24.
    expect(stage1!.shipped).toEqual({ channel: "sms", offer: "none" });
    expect(stage1!.z!).toBeGreaterThan(stage1!.threshold!);
    // Then the offer, with the channel held at the new champion, sms.
    expect(stage2!.dimension).toBe("offer");
    expect(stage2!.arms).toEqual([
      { channel: "sms", offer: "none" },
      { channel: "sms", offer: "10%" },
    ]);
    for (const d of days[7]!.slice(0, 50)) expect(d.action.channel).toBe("sms");
  });

  it("keeps the control when no challenger is significantly better", () => {
    const p = new SequentialAbTest({
      actionSpace: space,
      start: { channel: "push", offer: "none" },
      samplesPerArm: 300,
      attributionDays: 1,
      seed: 4,
    });
    drive(p, 20, 300, () => 0.2, 1);
    const stages = p.record()[0]!.stages;
    expect(stages.map((s) => s.decidedDay !== undefined)).toEqual([true, true]);
    // Every arm converts at 20%: a challenger is shipped only by a false positive (≤ 5% per stage).
    expect(p.winnersByRecord()["*"]).toEqual({ channel: "push", offer: "none" });
    expect(p.record()[0]!.done).toBe(true);
  });

  it("counts only the enrolled sends' outcomes: the champion's sends during the wait do not leak into the control", () => {
    const window = 2;
    const p = new SequentialAbTest({
      actionSpace: space,
      start: { channel: "email", offer: "none" },
      samplesPerArm: 100,
      attributionDays: window,
      seed: 5,
    });
    drive(p, 6, 300, (a) => (a.channel === "email" ? 0.5 : 0.1), window);
    const stage = p.record()[0]!.stages[0]!;
    // The arms filled on day 0; days 1–2 send the champion (email) to 600 more customers, whose
    // conversions arrive before the decision. Only the 100 enrolled email sends count.
    expect(stage.received).toEqual([100, 100, 100]);
    expect(stage.decidedDay).toBe(3);
  });

  it("runs in the simulator, reports its stages and the true rank of what it shipped", () => {
    const job: Job = {
      id: 0,
      scenario: fixture(),
      replication: 1,
      unit: { type: "policy", spec: parsePolicySpec("ab-test:mde=0.5") },
    };
    const r = runJob(job);
    const t = r.abTest!;
    expect(t.design).toMatchObject({
      kind: "sequential",
      mde: 0.5,
      power: 0.8,
      alpha: 0.05,
      attributionDays: 1,
    });
    expect(t.combinations).toBe(9);
    expect(t.shippedRank).toBeGreaterThanOrEqual(1);
    expect(t.shippedRank).toBeLessThanOrEqual(9);
    const stages = t.programmes![0]!.stages;
    expect(stages[0]!.dimension).toBe("channel");
    // The first stage is planned from BAU's reward per send: a conversion rate p, so sd = √(p(1 − p)).
    const { mean, sd } = stages[0]!.plannedFrom;
    expect(sd).toBeCloseTo(Math.sqrt(mean * (1 - mean)), 1);
    for (const s of stages.filter((x) => x.decidedDay !== undefined))
      expect(s.decidedDay!).toBeGreaterThanOrEqual(s.enrolledDay! + 1 + 1);
  });
});

describe("A/B test settings", () => {
  it("refuse a setting of the other design instead of ignoring it", () => {
    const job = (text: string): Job => ({
      id: 0,
      scenario: fixture({ days: 2, population: { size: 100, segmentFeature: "segment" } }),
      replication: 1,
      unit: { type: "policy", spec: parsePolicySpec(text) },
    });
    expect(() => runJob(job("ab-test:days=14"))).toThrow(/policy\.days: applies to design=full-factorial/);
    expect(() => runJob(job("ab-test:design=full-factorial;mde=0.3"))).toThrow(
      /policy\.mde: applies to the sequential/,
    );
    expect(() => runJob(job("ab-test:colour=red"))).toThrow(/policy\.colour: unknown setting/);
    expect(runJob(job("ab-test:design=full-factorial;days=1")).abTest!.design).toEqual({
      kind: "full-factorial",
      exploreDays: 1,
      arms: 9,
    });
  });
});
