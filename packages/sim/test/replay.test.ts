import { describe, expect, it } from "vitest";
import { parseBanditProblem, replay } from "../src/replay.js";

function problem(actions?: Record<string, string>[]): string {
  const header = {
    format: "bandit-problem/v1",
    name: "grid",
    contextDim: 1,
    numActions: 3,
    ...(actions ? { actions } : {}),
  };
  const rounds = Array.from({ length: 200 }, (_, i) => {
    const x = [(i % 4) / 4];
    const p = [0.3, 0.6 + 0.1 * x[0]!, 0.2];
    return { x, r: p.map((v, k) => (((i * 7 + k * 3) % 10) / 10 < v ? 1 : 0)), p };
  });
  return [header, ...rounds].map((r) => JSON.stringify(r)).join("\n");
}

describe("replay", () => {
  it("learns on a full-feedback problem and accounts rewards exactly", () => {
    const p = parseBanditProblem(problem());
    const r = replay(p, { policy: "lints", batch: 20, seed: 1 });
    expect(r.rounds).toBe(200);
    // Action 1 is best in every round; after the first batches the policy should mostly pick it.
    expect(r.meanExpected).toBeGreaterThan(0.5);
    expect(r.regret).toBeCloseTo(200 * (r.oracleExpected - r.meanExpected), 9);
    expect(replay(p, { policy: "lints", batch: 20, seed: 1 })).toMatchObject({
      ...r,
      seconds: expect.any(Number),
    });
  });

  it("maps listed actions onto a multi-dimensional space and never picks an unlisted combination", () => {
    const actions = [
      { channel: "email", offer: "none" },
      { channel: "sms", offer: "10%" },
      { channel: "email", offer: "10%" },
    ];
    const r = replay(parseBanditProblem(problem(actions)), { policy: "random", batch: 5, seed: 2 });
    // Four combinations exist (2 × 2) but only three are listed; a pick of the fourth would have no reward.
    expect(Number.isFinite(r.meanReward)).toBe(true);
    expect(r.meanExpected).toBeGreaterThan(0.2);
  });

  it("rejects sim-only baselines", () => {
    expect(() => replay(parseBanditProblem(problem()), { policy: "ab-test" })).toThrow(/core policies only/);
  });
});
