import { describe, expect, it } from "vitest";
import { type Job, runJob } from "../src/experiment.js";
import { runJobs, workerEntry } from "../src/parallel.js";
import { parsePolicySpec } from "../src/policies.js";
import { simulate } from "../src/simulate.js";
import { fixture } from "./helpers.js";

describe("policy comparison", () => {
  it("contextual policies beat the A/B test when personalisation matters", async () => {
    const s = fixture();
    const results = await simulate(s, {
      policies: "ab-test,segment-ab-test:mde=0.5,factorised-thompson,lints,random",
      replications: [1],
      workers: 1,
    });
    const by = Object.fromEntries(results.policies.map((p) => [p.label, p]));
    const ab = by["ab-test"]!.rewardPerCustomer.estimate;
    // The A/B test ships one action to everyone, and the best single action earns under 70% of the oracle
    // here (response.test.ts checks that). Each segment's best action converts roughly twice as well as
    // what the A/B winner gives it, so a contextual policy that learns the segments within the 14 days
    // clears the A/B test by far more than 20%; over seeds 1–3 the margin observed is +69% to +90%.
    for (const name of ["factorised-thompson", "lints"]) {
      expect(by[name]!.rewardPerCustomer.estimate, name).toBeGreaterThan(1.2 * ab);
      expect(by[name]!.regret.estimate, name).toBeLessThan(by["ab-test"]!.regret.estimate);
    }
    // A segment-level A/B test sized for the large effects here (50% minimum detectable effect: its default
    // 20% needs more sends per segment than 14 days give) finds each segment's best action, so it also
    // beats the global one (+71% to +82% over seeds 1–3).
    expect(by["segment-ab-test:mde=0.5"]!.rewardPerCustomer.estimate).toBeGreaterThan(1.2 * ab);
    // Uplift against the random control group is measured and positive for the contextual policies.
    expect(by["factorised-thompson"]!.uplift.random!.low).toBeGreaterThan(0);
    // Learning shows in the curves: the share of best channels rises from the first to the last day.
    const curve = by["factorised-thompson"]!.curves.bestOptionShare.channel!;
    expect(curve[curve.length - 1]!).toBeGreaterThan(curve[0]! + 0.3);
  });

  it("results are identical on worker threads and inline, and reproducible", async () => {
    const s = fixture({ days: 5, population: { size: 400, segmentFeature: "segment" } });
    const options = { policies: "random,ab-test,factorised-thompson", replications: 2 } as const;
    const inline = await simulate(s, { ...options, workers: 1 });
    const threaded = await simulate(s, { ...options, workers: 2 });
    const strip = (r: typeof inline) => ({ ...r, seconds: 0 });
    expect(strip(threaded)).toEqual(strip(inline));
    expect(strip(await simulate(s, { ...options, workers: 1 }))).toEqual(strip(inline));
  });

  it("starts workers from TypeScript sources with tsx registered", () => {
    const { entry, options } = workerEntry();
    // Tests run the .ts sources, so the worker bootstraps tsx and the kairos-source condition.
    expect(typeof entry).toBe("string");
    expect(options.eval).toBe(true);
    expect(options.execArgv).toContain("--conditions=kairos-source");
  });

  it("reports a failing job instead of hanging", async () => {
    const s = fixture({ days: 2, population: { size: 50 } });
    const job: Job = {
      id: 0,
      scenario: s,
      replication: 1,
      unit: { type: "policy", spec: { label: "bad", kind: "epsilon-greedy", params: { epsilon: 7 } } },
    };
    expect(() => runJob(job)).toThrow(/epsilon/);
    await expect(
      runJobs([job, { ...job, id: 1, unit: { type: "policy", spec: parsePolicySpec("random") } }], {
        workers: 2,
      }),
    ).rejects.toThrow(/epsilon/);
  });
});
