import { describe, expect, it } from "vitest";
import {
  type BanditPolicy,
  createPolicy,
  createRng,
  type Feedback,
  normal,
  type PolicyConfig,
} from "../src/index.js";

/**
 * Learning tests on small synthetic problems with fixed seeds. Each runs a bandit loop with batched
 * (overnight-style) updates and checks the share of rounds that picked the best action near the end;
 * each bound is derived in a comment from the policy's known regret behaviour, not tuned to pass.
 */
interface Problem {
  contexts: () => { context: number[] | Record<string, unknown>; key: string };
  /** Reward draw for (context key, action index). */
  reward: (key: string, action: number) => number;
  /** Best action per context key. */
  best: (key: string) => number;
}

function run(
  policy: BanditPolicy,
  problem: Problem,
  rounds: number,
  batch: number,
  window: number,
  seed = 1,
): number {
  const rng = createRng(seed);
  let pending: Feedback[] = [];
  let hits = 0;
  for (let t = 0; t < rounds; t++) {
    const { context, key } = problem.contexts();
    const decision = policy.decide(context, { decisionId: `t${t}` });
    if (t >= rounds - window && decision.actionIndex === problem.best(key)) hits++;
    pending.push({
      context,
      action: decision.actionIndex,
      reward: problem.reward(key, decision.actionIndex),
    });
    if (pending.length === batch) {
      policy.update(pending);
      pending = [];
    }
    void rng;
  }
  return hits / window;
}

function bernoulli(
  rates: Record<string, number[]>,
  seed: number,
  pick: (r: () => number) => string,
): Problem {
  const rng = createRng(seed);
  const features: Record<string, number[]> = { bargain: [1, 0], premium: [0, 1], all: [] };
  return {
    contexts: () => {
      const key = pick(() => rng.next());
      return { context: features[key]!, key };
    },
    reward: (key, a) => (rng.next() < rates[key]![a]! ? 1 : 0),
    best: (key) => rates[key]!.indexOf(Math.max(...rates[key]!)),
  };
}

const arms = (n: number) => ({ dimensions: { arm: Array.from({ length: n }, (_, i) => `arm${i}`) } });

describe("context-free policies find the best arm", () => {
  // Rates typical of marketing conversions; best 0.35. Lai–Robbins: a consistent policy pulls arm i about
  // ln T / KL(p_i, p*) times: with T = 3000 that is ≈ 148 + 79 + 48 + 30 ≈ 305 pulls in all for the four
  // worse arms, mostly early. Thompson sampling attains this rate; batching by 30 adds at most 30 per arm
  // per batch while uncertain. So ≥ 70% best-arm share in the last 1000 rounds leaves a wide margin.
  const rates = { all: [0.05, 0.1, 0.15, 0.2, 0.35] };
  it.each([
    ["beta-thompson", { kind: "beta-thompson", actionSpace: arms(5), propensityDraws: 0 }],
    [
      "gaussian-thompson",
      {
        kind: "gaussian-thompson",
        actionSpace: arms(5),
        propensityDraws: 0,
        prior: { mean: 0.5, strength: 1, shape: 1, scale: 0.25 },
      },
    ],
  ] as [string, PolicyConfig][])("%s: ≥ 70%% best arm late", (_n, config) => {
    const share = run(
      createPolicy(config),
      bernoulli(rates, 11, () => "all"),
      3000,
      30,
      1000,
    );
    expect(share).toBeGreaterThanOrEqual(0.7);
  });

  it("ucb1: ≥ 56% best arm late on well separated arms", () => {
    // UCB1 pulls a worse arm at most 8·ln T / Δ² times (Auer et al. 2002): with gaps 0.5 and 0.6 and
    // T = 3000 that is ≤ 256 + 178 = 434 pulls, so even if all came last, the last 1000 rounds hold
    // ≥ 1 − 434/1000 = 56.6% best-arm pulls.
    const policy = createPolicy({ kind: "ucb1", actionSpace: arms(3), rewardRange: [0, 1] });
    const share = run(
      policy,
      bernoulli({ all: [0.1, 0.2, 0.7] }, 12, () => "all"),
      3000,
      30,
      1000,
    );
    expect(share).toBeGreaterThanOrEqual(0.566);
  });

  it("gaussian-thompson: finds the highest mean revenue", () => {
    // Revenue arms N(10, 5²), N(12, 5²), N(15, 5²): KL = Δ²/(2σ²) = 0.5 and 0.18, so ≈ ln(2000)/KL ≈ 15 + 42
    // worse pulls; ≥ 80% best in the last 1000 rounds is conservative.
    const rng = createRng(13);
    const means = [10, 12, 15];
    const problem: Problem = {
      contexts: () => ({ context: [], key: "all" }),
      reward: (_k, a) => means[a]! + 5 * normal(rng),
      best: () => 2,
    };
    const policy = createPolicy({ kind: "gaussian-thompson", actionSpace: arms(3), propensityDraws: 0 });
    expect(run(policy, problem, 2000, 20, 1000)).toBeGreaterThanOrEqual(0.8);
  });
});

describe("contextual policies find each segment's best arm", () => {
  // Two segments with different best arms (gap 0.15 in conversion rate). A single A/B winner gets at most
  // 50% of customers right; a policy that learned the interaction gets nearly all. With T = 4000 rounds,
  // each (segment, arm) pair is a 1-dimensional regression per segment column; the 2-column linear models
  // are exact here (one-hot segments), so late best-arm share ≥ 70% is a loose bound: ε-greedy with ε = 0.1
  // would score 0.9 + 0.1/4 once its greedy choice is right.
  const rates = { bargain: [0.05, 0.25, 0.1, 0.05], premium: [0.05, 0.05, 0.1, 0.25] };
  const problem = () => bernoulli(rates, 21, (r) => (r() < 0.5 ? "bargain" : "premium"));
  const base = { actionSpace: arms(4), context: { vectorLength: 2, intercept: false }, rewardRange: [0, 1] };
  it.each([
    ["lints", { kind: "lints", propensityDraws: 0 }],
    // UCB at its default α = 2: at α = 0.5 LinUCB and hybrid LinUCB lock onto a wrong arm in one segment
    // for 7–9 of 30 problem seeds (measured); at α = 2, none of 30.
    ["linucb", { kind: "linucb" }],
    ["epsilon-greedy", { kind: "epsilon-greedy", epsilon: 0.1 }],
    ["squarecb", { kind: "squarecb" }],
    ["hybrid-linucb", { kind: "hybrid-linucb" }],
    ["factorised-thompson", { kind: "factorised-thompson", propensityDraws: 0 }],
  ] as [string, Partial<PolicyConfig>][])("%s: ≥ 70%% per-segment best late", (_n, settings) => {
    const policy = createPolicy({ ...base, ...settings } as PolicyConfig);
    expect(run(policy, problem(), 4000, 40, 1000)).toBeGreaterThanOrEqual(0.7);
  });
});

describe("factorised models learn combinations without enumerating them", () => {
  // offer(4) × channel(3) × hour(5) = 60 combinations; conversion is additive over the dimensions with a
  // segment-dependent channel. Per-dimension Thompson sampling converges per dimension; with each
  // dimension right ≥ ~90% of the time late, the exact best combination is chosen ≥ 0.9³ ≈ 73%: we ask 60%.
  const space = {
    dimensions: {
      offer: ["o0", "o1", "o2", "o3"],
      channel: ["email", "sms", "push"],
      hour: [8, 10, 12, 18, 20],
    },
  };
  const offerLift = [0, 0.04, 0.08, 0.02];
  const hourLift = [0, 0.01, 0.02, 0.06, 0.03];
  const channelLift: Record<string, number[]> = { bargain: [0.01, 0.07, 0.02], premium: [0.07, 0.0, 0.02] };
  const rng = createRng(31);
  const codes = (a: number) => [Math.floor(a / 15), Math.floor(a / 5) % 3, a % 5] as const;
  const problem: Problem = {
    contexts: () => {
      const key = rng.next() < 0.5 ? "bargain" : "premium";
      return { context: { segment: key }, key };
    },
    reward: (key, a) => {
      const [o, c, h] = codes(a);
      return rng.next() < 0.02 + offerLift[o]! + channelLift[key]![c]! + hourLift[h]! ? 1 : 0;
    },
    best: (key) => 2 * 15 + (key === "bargain" ? 1 : 0) * 5 + 3,
  };
  const context = {
    features: [{ name: "segment", type: "categorical" as const, categories: ["bargain", "premium"] }],
  };

  it("factorised-thompson picks the best combination per segment", () => {
    const policy = createPolicy({
      kind: "factorised-thompson",
      actionSpace: space,
      context,
      rewardRange: [0, 1],
      propensityDraws: 0,
    });
    expect(run(policy, problem, 8000, 80, 1000)).toBeGreaterThanOrEqual(0.6);
  });

  it("the model holds the sum of option counts, not their product", () => {
    const policy = createPolicy({ kind: "factorised-thompson", actionSpace: space, context });
    expect(policy.rewardModel!.blocks.unitCount).toBe(4 + 3 + 5);
    const withInteraction = createPolicy({
      kind: "factorised-thompson",
      actionSpace: space,
      context,
      interactions: [["channel", "hour"]],
    });
    expect(withInteraction.rewardModel!.blocks.unitCount).toBe(4 + 3 * 5);
  });
});

describe("non-stationarity", () => {
  it("a discounted policy follows a market shift", () => {
    // Arm 0 converts at 30% then drops to 5% at round 3000 while arm 1 rises from 10% to 30%. With a
    // forgetting factor of 0.8 per daily batch of 50, old evidence halves every ~3 batches, so within a few
    // hundred rounds after the shift arm 1 dominates: we ask ≥ 70% of the last 1000 rounds.
    let t = 0;
    const rng = createRng(41);
    const problem: Problem = {
      contexts: () => ({ context: [], key: "all" }),
      reward: (_k, a) => {
        t++;
        const rates = t < 3000 ? [0.3, 0.1] : [0.05, 0.3];
        return rng.next() < rates[a]! ? 1 : 0;
      },
      best: () => (t < 3000 ? 0 : 1),
    };
    const policy = createPolicy({
      kind: "beta-thompson",
      actionSpace: arms(2),
      discount: 0.8,
      propensityDraws: 0,
    });
    expect(run(policy, problem, 5000, 50, 1000)).toBeGreaterThanOrEqual(0.7);
  });
});
