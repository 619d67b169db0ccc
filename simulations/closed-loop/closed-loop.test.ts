import { describe, expect, it } from "vitest";
import { runClosedLoop } from "./closed-loop.js";

describe("closed loop: kairos runDay → Activator → fake Braze → simulated customers → outcome files → runDay", () => {
  it("learns: late days earn clearly more than random and more than the first days", async () => {
    const { days: reports, report } = await runClosedLoop({
      days: 16,
      customers: 2000,
      seed: "closed-loop-test",
    });
    expect(reports).toHaveLength(16);
    // Every decision of the day was sent (the holdout's none): 10% random and 10% holdout, the rest Kairos.
    for (const r of reports) {
      expect(r.sends).toBe((r.decided.kairos ?? 0) + (r.decided.random ?? 0));
      expect(r.decided.holdout).toBeGreaterThan(0);
      expect(r.decided.kairos).toBeGreaterThan(0.7 * r.audience);
    }
    // Nothing is final before the first attribution windows close (the scenario's delays span 4 days, the
    // window 5): the runner learns a day's rewards when it runs the morning after the window closed.
    expect(reports.slice(0, 5).every((r) => r.learned === 0)).toBe(true);
    expect(reports.slice(5).every((r) => r.learned > 0)).toBe(true);
    const share = (rs: typeof reports, key: "policyExpected" | "randomExpected") =>
      rs.reduce((s, r) => s + r[key], 0) / rs.reduce((s, r) => s + r.oracleExpected, 0);
    const first = reports.slice(0, 4);
    const last = reports.slice(-4);
    // Before learning the policy is a prior draw, worth about what random is worth; once it learns from
    // ~550 rewards a day on a scenario where the best action per customer is worth ~3× a random one, its
    // share of the oracle must rise well above random's. The margins (1.3×, +10 points) sit far inside what a
    // learning policy reaches (≈ 2× random by day 15 at this size) and far outside what a non-learning one can (1.0×).
    expect(share(last, "policyExpected")).toBeGreaterThan(1.3 * share(last, "randomExpected"));
    expect(share(last, "policyExpected")).toBeGreaterThan(share(first, "policyExpected") + 0.1);
    // The runner's report, from the outcomes alone, sees Kairos earn more than the random control group.
    const vsRandom = report.uplift.find((u) => u.control === "random")!;
    expect(vsRandom.difference.mean).toBeGreaterThan(0);
    expect(report.overall.kairos!.mean).toBeGreaterThan(report.overall.holdout!.mean);
  }, 180_000);
});
