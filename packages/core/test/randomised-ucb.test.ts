// Randomised UCB (`auto` with `exploration: "randomised-ucb"`): one shared multiplier Z per decision, score = mean + Z·width.
// Its propensities are computed twice, independently: a decision's by Newton steps on the searches'
// answers, actionProbabilities' from the upper envelope of every feasible action's line. They must agree
// to rounding, and both must match the choice frequencies (propensity-honesty.test.ts checks those).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalCdfAccurate } from "../src/exploration/normal-cdf.js";
import { upperEnvelope } from "../src/exploration/randomised-ucb.js";
import {
  type ActionSpaceConfig,
  type BanditPolicy,
  createPolicy,
  createRng,
  type DecideOptions,
  normal,
} from "../src/index.js";

const lineArb = fc.record({
  // A few distinct values, so identical lines and equal slopes occur.
  m: fc.integer({ min: -4, max: 4 }).map((v) => v / 4),
  s: fc.integer({ min: 0, max: 6 }).map((v) => v / 3),
});

describe("normalCdfAccurate", () => {
  it("agrees with reference values to 1e-15 and is exactly ½ at 0", () => {
    expect(normalCdfAccurate(0)).toBe(0.5);
    expect(Math.abs(normalCdfAccurate(1) - 0.8413447460685429)).toBeLessThan(1e-15);
    expect(Math.abs(normalCdfAccurate(-2) - 0.022750131948179195)).toBeLessThan(1e-15);
    expect(Math.abs(normalCdfAccurate(5) - 0.9999997133484281)).toBeLessThan(1e-15);
  });
});

describe("upperEnvelope", () => {
  it("gives, at every z ≥ 0 inside a segment, exactly the lines that score best there", () => {
    fc.assert(
      fc.property(
        fc.array(lineArb, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 0, max: 4800 }).map((v) => (v + 0.5) / 240),
        (raw, z) => {
          const lines = raw.map((l, index) => ({ ...l, index }));
          const segments = upperEnvelope(lines);
          // Segments tile [0, ∞) in order.
          expect(segments[0]!.from).toBe(0);
          expect(segments.at(-1)!.to).toBe(Number.POSITIVE_INFINITY);
          for (let i = 1; i < segments.length; i++) expect(segments[i]!.from).toBe(segments[i - 1]!.to);
          // Breakpoints here are multiples of 1/240, and z never is one.
          const segment = segments.find((s) => s.from < z && z < s.to)!;
          const best = Math.max(...lines.map((l) => l.m + z * l.s));
          const winners = lines.filter((l) => l.m + z * l.s === best).map((l) => l.index);
          expect(segment.lines.map((l) => l.index).sort((a, b) => a - b)).toEqual(winners);
        },
      ),
    );
  });
});

const space: ActionSpaceConfig = {
  dimensions: { channel: ["email", "sms", "push"], hour: [8, 12, 19], offer: ["none", "10%", "20%"] },
  constraints: [{ forbid: { channel: "sms", hour: { lt: 9 } }, reason: "no texts before 9" }],
};

/** An `auto` policy exploring by randomised UCB that has learned `n` of its own decisions, action i paying `effect`·(i mod 7) more. */
function trained(actionSpace: ActionSpaceConfig, n: number, effect = 0.1): BanditPolicy {
  const policy = createPolicy({
    kind: "auto",
    exploration: "randomised-ucb",
    actionSpace,
    context: { vectorLength: 2 },
    seed: 5,
  });
  const rng = createRng("randomised-ucb");
  const feedback = Array.from({ length: n }, (_, i) => {
    const context = [rng.next(), 1];
    const d = policy.decide(context, { decisionId: `learn-${i}` });
    return { context, action: d.actionIndex, reward: effect * (d.actionIndex % 7) + 0.3 * normal(rng) };
  });
  policy.update(feedback);
  return policy;
}

function expectAgreement(policy: BanditPolicy, options: DecideOptions, decisions = 300): void {
  const context = [0.3, 1];
  const { topK: _, ...eligibility } = options;
  const probabilities = policy.actionProbabilities(context, eligibility);
  expect(probabilities.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 12);
  const seen = new Set<number>();
  for (let i = 0; i < decisions; i++) {
    const d = policy.decide(context, { ...options, decisionId: `agree-${i}` });
    expect(d.propensityError).toBe(0);
    expect(Math.abs(d.propensity - probabilities[d.actionIndex]!)).toBeLessThan(1e-9);
    seen.add(d.actionIndex);
  }
  expect(seen.size).toBeGreaterThan(1); // the check saw several actions, not one repeated
}

describe("auto's randomised UCB: a decision's propensity equals actionProbabilities' (two computations)", () => {
  it("across a constraint that couples the shared model's blocks", () => {
    expectAgreement(trained(space, 200), {});
  });

  it("with masks, excluded actions and topK 3", () => {
    const options: DecideOptions = {
      eligibility: {
        deny: { offer: ["20%"] },
        denyActions: [{ channel: "email", hour: 12, offer: "10%" }],
      },
      topK: 3,
    };
    expectAgreement(trained(space, 200), options);
  });

  it("at the prior, where every action ties at Z = 0 and the widths decide above it", () => {
    expectAgreement(trained(space, 0), {}, 100);
  });

  it("over one dimension (a model per action)", () => {
    expectAgreement(trained({ dimensions: { arm: ["a", "b", "c", "d", "e", "f", "g"] } }, 100, 0.01), {});
  });
});

describe("auto's randomised UCB: what one shared Z implies", () => {
  it("never chooses an action whose mean and width are both below another's", () => {
    // Arm i is seen (7 − i)·10 times paying 0.1·i: higher arms look better and are less known, so each
    // arm is dominated by every higher one, and only the last can be chosen.
    const arms = ["a", "b", "c", "d", "e", "f", "g"];
    const policy = createPolicy({
      kind: "auto",
      exploration: "randomised-ucb",
      actionSpace: { dimensions: { arm: arms } },
      context: { vectorLength: 2, intercept: false },
      seed: 5,
    });
    const context = [0.3, 1];
    policy.update(
      arms.flatMap((_, i) =>
        Array.from({ length: (7 - i) * 10 }, () => ({ context, action: i, reward: 0.1 * i })),
      ),
    );
    const x = new Float64Array(context);
    const means = new Float64Array(7);
    const uppers = new Float64Array(7);
    policy.rewardModel!.scoreUnits(x, { mode: "mean" }, means);
    policy.rewardModel!.scoreUnits(x, { mode: "upper", alpha: 1 }, uppers);
    for (let a = 0; a < 6; a++) {
      expect(means[a]).toBeLessThan(means[a + 1]!);
      expect(uppers[a]! - means[a]!).toBeLessThan(uppers[a + 1]! - means[a + 1]!);
    }
    expect([...policy.actionProbabilities(context)]).toEqual([0, 0, 0, 0, 0, 0, 1]);
  });

  it("is greedy half of the time: the action with the best mean gets at least one half", () => {
    const policy = trained(space, 200);
    const probabilities = policy.actionProbabilities([0.3, 1]);
    const explanation = policy.decide([0.3, 1], { decisionId: "any" });
    expect(explanation.propensity).toBeGreaterThan(0);
    expect(Math.max(...probabilities)).toBeGreaterThanOrEqual(0.5);
  });
});
