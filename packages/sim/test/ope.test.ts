import { describe, expect, it } from "vitest";
import { estimatePolicyValue, type OpeData } from "../src/ope/estimators.js";
import { formatBanditOpe, LineError, parseBanditOpe } from "../src/ope/format.js";
import { evaluateOffPolicy } from "../src/ope/simulated.js";
import { parsePolicySpec } from "../src/policies.js";
import { fixture } from "./helpers.js";

describe("off-policy estimators", () => {
  it("IPS and SNIPS are the textbook formulas", () => {
    const data: OpeData = {
      x: [Float64Array.of(1), Float64Array.of(0), Float64Array.of(1), Float64Array.of(0.5)],
      a: [0, 1, 1, 0],
      r: [1, 0, 2, 3],
      pscore: [0.5, 0.25, 0.5, 0.8],
      pi: [
        [0.9, 0.1],
        [0.2, 0.8],
        [0.5, 0.5],
        [1, 0],
      ],
    };
    const [ips, snips] = estimatePolicyValue(data, { bootstrap: 50 });
    const w = [0.9 / 0.5, 0.8 / 0.25, 0.5 / 0.5, 1 / 0.8];
    const wr = [w[0]! * 1, 0, w[2]! * 2, w[3]! * 3];
    expect(ips!.estimate).toBeCloseTo(wr.reduce((a, b) => a + b) / 4, 12);
    expect(snips!.estimate).toBeCloseTo(wr.reduce((a, b) => a + b) / w.reduce((a, b) => a + b), 12);
    const clipped = estimatePolicyValue(data, { maxWeight: 1.5, bootstrap: 0 })[0]!;
    expect(clipped.estimate).toBeCloseTo((1.5 * 1 + 0 + 1 * 2 + 1.25 * 3) / 4, 12);
  });

  it("are unbiased on a log from a known policy: IPS lands within its standard errors of the truth", () => {
    // Uniform random logging has exact propensities, so IPS is unbiased for the truth Σₐ π(a|x) E[r|x,a]
    // on the logged contexts. Each replication's error is a sum of many independent terms, close to
    // normal: |z| < 3 fails with probability 0.3% per replication, and the mean z over 6 replications
    // has standard deviation 1/√6 ≈ 0.41, so |mean z| < 1.5 (3.7 sd) would flag a real bias.
    const s = fixture({ days: 6, population: { size: 500, segmentFeature: "segment" } });
    const zs: number[] = [];
    for (let rep = 1; rep <= 6; rep++) {
      const result = evaluateOffPolicy(s, {
        logging: parsePolicySpec("random"),
        target: parsePolicySpec("epsilon-greedy:epsilon=0.2"),
        trainDays: 6,
        replication: rep,
        bootstrap: 200,
        seed: rep,
      });
      const ips = result.estimates.find((e) => e.estimator === "ips")!;
      const z = ips.error / ips.se;
      expect(Math.abs(z), `replication ${rep}`).toBeLessThan(3);
      zs.push(z);
      // Every estimator is close to the truth here (the reward model is reasonable, weights are bounded by 9).
      for (const e of result.estimates) expect(Math.abs(e.error), e.estimator).toBeLessThan(5 * ips.se);
      expect(ips.ci[0]).toBeLessThan(ips.estimate);
      expect(ips.ci[1]).toBeGreaterThan(ips.estimate);
    }
    expect(Math.abs(zs.reduce((a, b) => a + b) / zs.length)).toBeLessThan(1.5);
  });

  it("round-trips the bandit-ope/v1 format and names bad lines", () => {
    const data: OpeData = {
      x: [Float64Array.of(0.5, 1)],
      a: [1],
      r: [0.25],
      pscore: [0.5],
      pi: [[0.3, 0.7]],
    };
    const text = formatBanditOpe("t", data, 2);
    const parsed = parseBanditOpe(text);
    expect(parsed.header).toEqual({ format: "bandit-ope/v1", name: "t", contextDim: 2, numActions: 2 });
    expect(Array.from(parsed.data.x[0]!)).toEqual([0.5, 1]);
    const bad = `${text}{"x":[1,2],"a":5,"r":0,"pscore":0.5,"pi":[0.5,0.5]}\n`;
    expect(() => parseBanditOpe(bad)).toThrow(LineError);
    expect(() => parseBanditOpe(bad)).toThrow(/^line 3: a must be/);
    expect(() => parseBanditOpe(`${text}not json\n`)).toThrow(/^line 3: not valid JSON/);
  });
});
