import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ActionSearch,
  ActionSpace,
  Blocks,
  createPolicy,
  createRng,
  NoEligibleActionError,
  type PolicyConfig,
} from "../src/index.js";

const space = {
  dimensions: { offer: ["a", "b", "c"], channel: ["email", "sms", "push"], hour: [8, 12, 18] },
  constraints: [{ forbid: { channel: "sms", hour: { lt: 9 } } }],
};
const context = { vectorLength: 2 };

function trained(config: PolicyConfig, seed = 3) {
  const policy = createPolicy(config);
  const rng = createRng(seed);
  for (let b = 0; b < 5; b++) {
    const feedback = Array.from({ length: 40 }, () => {
      const x = [rng.next(), rng.next()];
      const d = policy.decide(x);
      return { context: x, action: d.actionIndex, reward: rng.next() < 0.2 + 0.3 * x[0]! ? 1 : 0 };
    });
    policy.update(feedback);
  }
  return policy;
}

describe("decisions", () => {
  it("the same decision id reproduces the same choice; other ids explore", () => {
    const policy = trained({ kind: "lints", actionSpace: space, context, propensityDraws: 20 });
    const a = policy.decide([0.3, 0.7], { decisionId: "customer-42/2026-11-28" });
    policy.decide([0.1, 0.1]);
    const b = policy.decide([0.3, 0.7], { decisionId: "customer-42/2026-11-28" });
    expect(b).toEqual(a);
    const chosen = new Set(
      Array.from({ length: 60 }, (_, i) => policy.decide([0.3, 0.7], { decisionId: `x${i}` }).actionIndex),
    );
    expect(chosen.size).toBeGreaterThan(1);
  });

  it("returns a ranked top-k list of distinct feasible actions, chosen first", () => {
    const policy = trained({ kind: "factorised-ucb", actionSpace: space, context });
    const decision = policy.decide([0.5, 0.5], { topK: 5 });
    expect(decision.ranked).toHaveLength(5);
    expect(decision.ranked[0]!.actionIndex).toBe(decision.actionIndex);
    expect(new Set(decision.ranked.map((r) => r.actionIndex)).size).toBe(5);
    for (let i = 1; i < 5; i++)
      expect(decision.ranked[i - 1]!.score).toBeGreaterThanOrEqual(decision.ranked[i]!.score);
    expect(Object.keys(decision.scores)).toEqual(["offer", "channel", "hour"]);
  });

  it("propensities match each rule's distribution", () => {
    for (const kind of ["epsilon-greedy", "squarecb", "random", "linucb", "fixed"] as const) {
      const extra = kind === "fixed" ? { action: { offer: "a", channel: "email", hour: 8 } } : {};
      const policy = trained({ kind, actionSpace: space, context, ...extra } as PolicyConfig);
      const x = [0.4, 0.9];
      const probs = policy.actionProbabilities(x, { eligibility: { deny: { offer: ["c"] } } });
      expect(probs.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 12);
      for (let i = 0; i < 20; i++) {
        // UCB counts each pending decision in its widths: the distribution is the one at decision time.
        const now = policy.actionProbabilities(x, { eligibility: { deny: { offer: ["c"] } } });
        const d = policy.decide(x, { decisionId: `p${i}`, eligibility: { deny: { offer: ["c"] } } });
        expect(d.propensity).toBeCloseTo(now[d.actionIndex]!, 12);
      }
      // Nothing ineligible or forbidden gets probability.
      const s = new ActionSpace(space);
      probs.forEach((p, i) => {
        if (p > 0) {
          expect(s.recordOf(i).offer).not.toBe("c");
          expect(s.isFeasible(s.codesOf(i))).toBe(true);
        }
      });
    }
  });

  it("random: propensity is 1 / number of feasible actions", () => {
    const policy = createPolicy({ kind: "random", actionSpace: space, seed: 5 });
    // 27 combinations minus sms at 8h (3 offers) = 24 feasible.
    expect(policy.decide({}).propensity).toBeCloseTo(1 / 24, 15);
  });

  it("Thompson propensities estimate the frequency of the choice", () => {
    // With 400 draws the Monte-Carlo standard error of a probability p is √(p(1−p)/400) ≤ 0.025; we compare
    // against a 4,000-draw distribution and allow 4 standard errors.
    const policy = trained({ kind: "lints", actionSpace: space, context, propensityDraws: 400 });
    const reference = createPolicy({ kind: "lints", actionSpace: space, context, propensityDraws: 4000 });
    // Same model, more draws: only the configured number of draws differs.
    reference.restore({ ...policy.snapshot(), config: reference.snapshot().config });
    const x = [0.8, 0.2];
    const probs = reference.actionProbabilities(x);
    for (let i = 0; i < 10; i++) {
      const d = policy.decide(x, { decisionId: `ts${i}` });
      expect(Math.abs(d.propensity - probs[d.actionIndex]!)).toBeLessThan(0.1);
    }
  });

  it("throws NoEligibleActionError when nothing is eligible, and names bad eligibility fields", () => {
    const policy = createPolicy({ kind: "lints", actionSpace: space, context });
    expect(() =>
      policy.decide([0, 0], { eligibility: { allow: { channel: ["sms"] }, deny: { hour: [12, 18] } } }),
    ).toThrow(NoEligibleActionError);
    expect(() => policy.decide([0, 0], { eligibility: { deny: { colour: ["red"] } } })).toThrow(
      /eligibility\.deny\.colour/,
    );
  });

  it("decideBatch decides for each context with its own options", () => {
    const policy = createPolicy({ kind: "random", actionSpace: space, seed: 1 });
    const decisions = policy.decideBatch(
      [{}, {}],
      [{ eligibility: { allow: { offer: ["a"] } } }, { eligibility: { allow: { offer: ["b"] } } }],
    );
    expect(decisions.map((d) => d.action.offer)).toEqual(["a", "b"]);
  });

  it("decideBatch makes no decision when any entry is invalid, and names it", () => {
    // A UCB policy counts each decision in its widths until the next update: a batch rejected halfway would
    // leave phantom decisions behind, and skip their ids.
    const policy = createPolicy({ kind: "linucb", actionSpace: space, context, seed: 1 });
    const twin = createPolicy({ kind: "linucb", actionSpace: space, context, seed: 1 });
    expect(() =>
      policy.decideBatch([
        [0, 1],
        [1, 0],
        [0, Number.NaN],
      ]),
    ).toThrow(/contexts\[2\]\[1\]/);
    expect(() =>
      policy.decideBatch(
        [
          [0, 1],
          [1, 0],
        ],
        [{}, { topK: 0 }],
      ),
    ).toThrow(/options\.topK/);
    const after = policy.decideBatch([
      [0, 1],
      [1, 0],
    ]);
    const fresh = twin.decideBatch([
      [0, 1],
      [1, 0],
    ]);
    expect(after.map((d) => [d.decisionId, d.actionIndex, d.ranked[0]!.score])).toEqual(
      fresh.map((d) => [d.decisionId, d.actionIndex, d.ranked[0]!.score]),
    );
  });
});

describe("action search", () => {
  // Random additive scores over random constrained spaces: best-first search must return exactly the
  // brute-force top k (ties broken by index), and the coordinate-ascent fallback only feasible actions.
  const spaceArb = fc.record({
    counts: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }),
    rule: fc.nat(),
    k: fc.integer({ min: 1, max: 6 }),
    seed: fc.nat(),
  });

  it("best-first top-k equals brute force under constraints", () => {
    fc.assert(
      fc.property(spaceArb, ({ counts, rule, k, seed }) => {
        const dimensions = Object.fromEntries(
          counts.map((n, i) => [`d${i}`, Array.from({ length: n }, (_, o) => o)]),
        );
        const names = Object.keys(dimensions);
        const s = new ActionSpace({
          dimensions,
          constraints: [
            { forbid: { [names[0]!]: rule % counts[0]!, [names[names.length - 1]!]: { gte: rule % 3 } } },
          ],
        });
        const blocks = Blocks.factorised(s);
        const rng = createRng(seed);
        const unit = Float64Array.from({ length: blocks.unitCount }, () => Math.round(rng.next() * 20) / 4);
        const eligibility = s.compileEligibility(undefined);
        const brute: { index: number; score: number }[] = [];
        for (let i = 0; i < s.size; i++) {
          const codes = s.codesOf(i);
          if (!s.isFeasible(codes)) continue;
          const units = blocks.unitsOf(codes, new Int32Array(blocks.count));
          brute.push({ index: i, score: [...units].reduce((t, u) => t + unit[u]!, 0) });
        }
        brute.sort((a, b) => b.score - a.score || a.index - b.index);
        const found = new ActionSearch(blocks).topK(unit, eligibility, k, rng);
        expect(found.map((f) => f.score)).toEqual(brute.slice(0, k).map((b) => b.score));
        for (const f of found) expect(s.isFeasible(f.codes)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("the coordinate-ascent fallback returns feasible local optima when constraints are dense", () => {
    const s = new ActionSpace({
      dimensions: { a: [0, 1, 2, 3], b: [0, 1, 2, 3], c: [0, 1, 2, 3] },
      constraints: [{ forbid: { a: { gte: 1 }, b: { gte: 1 } } }],
    });
    const blocks = Blocks.factorised(s);
    const scores = Float64Array.from([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]);
    const found = new ActionSearch(blocks, { maxVisits: 2, restarts: 6 }).topK(
      scores,
      s.compileEligibility(undefined),
      1,
      createRng(1),
    );
    expect(found).toHaveLength(1);
    expect(s.isFeasible(found[0]!.codes)).toBe(true);
    expect(found[0]!.codes[2]).toBe(3); // c is unconstrained: ascent always reaches its best option
  });
});
