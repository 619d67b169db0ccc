import { describe, expect, it } from "vitest";
import { type BanditPolicy, createPolicy, createRng, type Feedback } from "../src/index.js";

// Learned prior precisions (automatic relevance determination), on by default in `auto`.

const FEATURES = 6;
/** Reward of an arm: arm 0 rises with x0, arm 1 falls with x1; x2…x5 matter to no arm. */
const truth = (arm: number, x: number[]) => 0.5 + (arm === 0 ? 0.3 * x[0]! : -0.3 * x[1]!);

/** Uniform traffic: `n` observations of random arms on uniform contexts in [-1, 1], noise sd 0.1. */
function traffic(seed: string, n: number, arms = 2): Feedback[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => {
    const x = Array.from({ length: FEATURES }, () => 2 * rng.next() - 1);
    const arm = Math.floor(rng.next() * arms);
    // Box–Muller, for the Gaussian noise.
    const z = Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
    return { context: x, action: arm, reward: truth(arm, x) + 0.1 * z };
  });
}

const oneDimension = { dimensions: { arm: ["up", "down"] } };

function precisions(policy: BanditPolicy): number[] {
  const stats = policy.rewardModel!.toJSON() as { prior?: { values: number[] } };
  return stats.prior!.values;
}

describe("learned prior precisions", () => {
  it("shrink the coefficients no arm needs and leave the others at the ridge prior", () => {
    const policy = createPolicy({
      kind: "auto",
      actionSpace: oneDimension,
      context: { vectorLength: FEATURES },
    });
    const feedback = traffic("relevance", 2000);
    for (let i = 0; i < feedback.length; i += 100) policy.update(feedback.slice(i, i + 100));
    const values = precisions(policy);
    const d = FEATURES + 1; // column 0 is the intercept
    const relevant = [values[1]!, values[d + 2]!]; // arm 0 on x0, arm 1 on x1
    const intercepts = [values[0]!, values[d]!];
    const irrelevant = [0, 1].flatMap((arm) =>
      values.slice(arm * d + 1, (arm + 1) * d).filter((_, i) => i !== arm),
    );
    // A supported coefficient's evidence optimum is σ²·γ/θ² ≈ 0.01/0.09, below λ = 1: it stays at λ.
    expect(relevant).toEqual([1, 1]);
    expect(intercepts).toEqual([1, 1]);
    // An unsupported one is pruned (precision → the cap) unless its estimate exceeds its standard error s,
    // and then its precision is about n·var(x)/(z² − 1) ≈ 333/(z² − 1) ≥ 100 unless |z| > 1.8 (7% each):
    // of 10, at most 2 below 100 fails with probability < 4%.
    expect(irrelevant).toHaveLength(10);
    expect(irrelevant.filter((v) => v >= 100).length).toBeGreaterThanOrEqual(8);
  });

  it("fit a sparse truth from few observations better than the fixed prior does", () => {
    // With 20 features of which one matters, the fixed ridge prior spreads noise over every coefficient.
    const sparse = { dimensions: { arm: ["only"] } };
    const probes = traffic("probes", 200, 1).map((f) => f.context as number[]);
    let fixedError = 0;
    let learnedError = 0;
    for (let seed = 0; seed < 10; seed++) {
      const feedback = traffic(`sparse${seed}`, 150, 1);
      const errorOf = (learnPrior: boolean) => {
        const policy = createPolicy({
          kind: "auto",
          actionSpace: sparse,
          context: { vectorLength: FEATURES },
          learnPrior,
        });
        for (let i = 0; i < feedback.length; i += 10) policy.update(feedback.slice(i, i + 10));
        let error = 0;
        const mean = new Float64Array(1);
        for (const x of probes) {
          policy.rewardModel!.scoreUnits(Float64Array.of(1, ...x), { mode: "mean" }, mean);
          error += (mean[0]! - truth(0, x)) ** 2;
        }
        return error / probes.length;
      };
      fixedError += errorOf(false);
      learnedError += errorOf(true);
    }
    // Ridge error ≈ σ²·p/n = 0.01·7/150 ≈ 4.7e-4 (p = 7 with the intercept); pruning the 5 idle
    // coefficients leaves about 2/7 of it.
    expect(learnedError).toBeLessThan(0.7 * fixedError);
  });

  it("survive snapshot and restore, and a merge into a fresh model equals training in one batch", () => {
    const space = { dimensions: { offer: ["a", "b", "c"], channel: ["email", "sms"] } };
    const config = {
      kind: "auto",
      actionSpace: space,
      context: { vectorLength: FEATURES },
      seed: 3,
    } as const;
    const rng = createRng("shared");
    const feedback: Feedback[] = traffic("shared-x", 600, 6).map((f) => {
      const reward = (f.action as number) % 2 === 0 ? 0.4 * (f.context as number[])[2]! : rng.next() * 0.1;
      return { ...f, reward };
    });
    const trained = createPolicy(config);
    trained.update(feedback);
    expect(Math.max(...precisions(trained))).toBeGreaterThan(1);

    const restored = createPolicy(config);
    restored.restore(JSON.parse(JSON.stringify(trained.snapshot())));
    expect(precisions(restored)).toEqual(precisions(trained));
    const x = [0.1, -0.4, 0.8, 0, 0.3, -0.2];
    expect(restored.decide(x, { decisionId: "same" })).toEqual(trained.decide(x, { decisionId: "same" }));

    // The distributed runner's learn step: a fresh model merges what another learned from the day's data.
    const merged = createPolicy(config);
    merged.merge(trained);
    const a = precisions(merged);
    const b = precisions(trained);
    a.forEach((v, i) => {
      expect(Math.abs(v - b[i]!)).toBeLessThanOrEqual(1e-9 * Math.max(1, v));
    });
    const meansOf = (p: BanditPolicy) => {
      const out = new Float64Array(p.rewardModel!.blocks.unitCount);
      p.rewardModel!.scoreUnits(Float64Array.of(1, ...x), { mode: "mean" }, out);
      return [...out];
    };
    const mergedMeans = meansOf(merged);
    meansOf(trained).forEach((v, i) => {
      expect(mergedMeans[i]).toBeCloseTo(v, 9);
    });
  });
});
