import { describe, expect, it } from "vitest";
import { runClosedLoop } from "./closed-loop.js";

describe("closed loop: policy → Activator → fake Braze → simulated customers → rewards → policy", () => {
  it("learns: late days earn clearly more than random and more than the first days", async () => {
    const reports = await runClosedLoop({ days: 16, customers: 2000, seed: "closed-loop-test" });
    expect(reports).toHaveLength(16);
    // Nothing is learned before the first attribution windows close (the scenario's delays span 4 days).
    expect(reports.slice(0, 4).every((r) => r.learned === 0)).toBe(true);
    expect(reports.slice(5).every((r) => r.learned > 0)).toBe(true);
    const share = (rs: typeof reports, key: "policyExpected" | "randomExpected") =>
      rs.reduce((s, r) => s + r[key], 0) / rs.reduce((s, r) => s + r.oracleExpected, 0);
    const first = reports.slice(0, 4);
    const last = reports.slice(-4);
    // Before learning the policy is a prior draw, worth about what random is worth; once it learns from
    // ~600 rewards a day on a scenario where the best action per customer is worth ~3× a random one, its
    // share of the oracle must rise well above random's. The margins (1.3×, +10 points) sit far inside what a
    // learning policy reaches (≈ 1.9× random by day 15 at this size) and far outside what a non-learning one can (1.0×).
    expect(share(last, "policyExpected")).toBeGreaterThan(1.3 * share(last, "randomExpected"));
    expect(share(last, "policyExpected")).toBeGreaterThan(share(first, "policyExpected") + 0.1);
  });
});
