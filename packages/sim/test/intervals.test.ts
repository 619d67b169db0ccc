import { describe, expect, it } from "vitest";
import { type Job, unitLabel } from "../src/experiment.js";
import { runJobs } from "../src/parallel.js";
import { parsePolicyList } from "../src/policies.js";
import { aggregate } from "../src/results.js";
import { combineReplications, type Interval, t975 } from "../src/stats.js";
import { fixture } from "./helpers.js";

describe("combining replications", () => {
  it("is a t-interval over replications, floored by the within-run error", () => {
    // Three replications spread far more than their within-run errors: the between variance rules.
    const wide = combineReplications([10, 14, 12], [0.1, 0.1, 0.1]);
    expect(wide.basis).toBe("between-replications");
    expect(wide.estimate).toBe(12);
    expect(wide.se).toBeCloseTo(2 / Math.sqrt(3), 12);
    expect(wide.high - wide.estimate).toBeCloseTo(t975(2) * (2 / Math.sqrt(3)), 12);
    // Replications that happen to agree cannot claim more precision than each run's own sampling error.
    const agree = combineReplications([12, 12.01, 11.99], [1, 1, 1]);
    expect(agree.se).toBeCloseTo(1 / Math.sqrt(3), 12);
  });

  it("with one replication gives the within-run interval and says so", () => {
    const one = combineReplications([5], [0.5]);
    expect(one.basis).toBe("within-run");
    expect(one.low).toBeCloseTo(5 - 1.96 * 0.5, 12);
    expect(one.high).toBeCloseTo(5 + 1.96 * 0.5, 12);
  });
});

describe("coverage of the 95% intervals over many seeds", () => {
  it("intervals from 3 replications cover the truth about 95% of the time", async () => {
    // A small scenario (300 customers, 6 days) run as 40 disjoint triples of replications (seeds 1–120).
    // Each triple gives the intervals a user would see with --seeds 3; the truth of a quantity (its
    // expectation over seeds) is estimated, leaving one triple out, by the mean of the other 39 triples.
    // The learning policies vary from run to run well beyond their within-run sampling error (which the
    // former delta-method combination, sqrt(Σse²)/R, ignored: it covered 30 of these 40 for
    // epsilon-greedy's uplift).
    const scenario = fixture({ days: 6, population: { size: 300, segmentFeature: "segment" } });
    const specs = parsePolicyList("ab-test:design=full-factorial;days=2,epsilon-greedy");
    const triples = 40;
    const jobs: Job[] = [];
    for (let r = 1; r <= 3 * triples; r++) {
      for (const unit of [
        ...specs.map((spec) => ({ type: "policy" as const, spec })),
        { type: "group" as const, group: "random" as const },
      ])
        jobs.push({ id: jobs.length, scenario, replication: r, unit });
    }
    const results = await runJobs(jobs, { workers: 1 });
    const byQuantity = new Map<string, Interval[]>();
    for (let k = 0; k < triples; k++) {
      const reps = [3 * k + 1, 3 * k + 2, 3 * k + 3];
      const agg = aggregate(
        results.filter((r) => reps.includes(r.replication)),
        { scenario: "coverage", metric: "conversion", days: 6, populationSize: 300, seconds: 0 },
      );
      expect(agg.intervals.basis).toBe("between-replications");
      for (const u of [...agg.policies, ...agg.groups]) {
        const add = (key: string, i: Interval) => byQuantity.set(key, [...(byQuantity.get(key) ?? []), i]);
        add(`${u.label} reward per customer`, u.rewardPerCustomer);
        if (u.uplift.random) add(`${u.label} uplift vs random`, u.uplift.random);
      }
    }
    expect([...byQuantity.keys()].sort()).toEqual([
      "ab-test:design=full-factorial;days=2 reward per customer",
      "ab-test:design=full-factorial;days=2 uplift vs random",
      "epsilon-greedy reward per customer",
      "epsilon-greedy uplift vs random",
      "random reward per customer",
    ]);
    expect(new Set(results.map((r) => unitLabel(r.unit))).size).toBe(3);
    for (const [key, intervals] of byQuantity) {
      const estimates = intervals.map((i) => i.estimate);
      const total = estimates.reduce((s, v) => s + v, 0);
      let covered = 0;
      for (const [k, i] of intervals.entries()) {
        const truth = (total - estimates[k]!) / (triples - 1);
        if (i.low <= truth && truth <= i.high) covered++;
      }
      // With true coverage 95%, covered ~ Binomial(40, 0.95): P(covered ≤ 32) = 0.0007, so 33 is the bound.
      // (Leaving one triple out adds 1/39 to the variance of estimate − truth: negligible.)
      expect(covered, key).toBeGreaterThanOrEqual(33);
      // The reported standard errors match the spread of the estimates between triples: the sample sd of
      // 40 values has a relative error of about 1/√78 ≈ 11% and the root mean square of 40 three-replication
      // standard errors about 1/√80; a ratio above 1.5 would be over 3 standard errors from 1.
      const mean = total / triples;
      const spread = Math.sqrt(estimates.reduce((s, v) => s + (v - mean) ** 2, 0) / (triples - 1));
      const rmsSe = Math.sqrt(intervals.reduce((s, i) => s + i.se! ** 2, 0) / triples);
      expect(spread / rmsSe, key).toBeLessThan(1.5);
    }
  });
});
