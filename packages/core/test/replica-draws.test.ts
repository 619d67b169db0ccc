import { describe, expect, it } from "vitest";
import { createPolicy, createRng } from "../src/index.js";

// Issue 9, item 5: replicas restored from one snapshot draw independently when callers pass no decision ids,
// while the same seed and the same decision ids still give the same decisions.
const space = { dimensions: { offer: ["a", "b", "c", "d"], channel: ["email", "sms", "push"] } };
const context = { vectorLength: 2 };

function trainedSnapshot(seed: string) {
  const policy = createPolicy({ kind: "lints", actionSpace: space, context, seed, propensityDraws: 0 });
  const rng = createRng(1);
  const feedback = Array.from({ length: 60 }, (_, i) => ({
    context: [rng.next(), rng.next()],
    action: i % 12,
    reward: rng.next() < 0.3 ? 1 : 0,
  }));
  policy.update(feedback);
  return policy.snapshot();
}

function replica(seed: string, snapshot: unknown) {
  const policy = createPolicy({ kind: "lints", actionSpace: space, context, seed, propensityDraws: 0 });
  policy.restore(snapshot);
  return policy;
}

describe("replicas", () => {
  it("two policies restored from one snapshot do not repeat each other's draws without decision ids", () => {
    const seed = "replica-test-1";
    const snapshot = trainedSnapshot(seed);
    const a = replica(seed, snapshot);
    const b = replica(seed, snapshot);
    expect(a.instance).not.toBe(b.instance);
    const x = [0.5, 0.5];
    const first = Array.from({ length: 40 }, () => a.decide(x));
    const second = Array.from({ length: 40 }, () => b.decide(x));
    expect(new Set([...first, ...second].map((d) => d.decisionId)).size).toBe(80);
    // With 12 actions and a posterior this wide, the two sequences of 40 Thompson draws agree at every
    // position only if they are the same draws; independent draws agree far less often.
    const same = first.filter((d, i) => d.actionIndex === second[i]!.actionIndex).length;
    expect(same).toBeLessThan(40);
  });

  it("the same seed and the same decision ids give the same decisions on every replica", () => {
    const seed = "replica-test-2";
    const snapshot = trainedSnapshot(seed);
    const a = replica(seed, snapshot);
    const b = replica(seed, snapshot);
    for (let i = 0; i < 20; i++) {
      const x = [i / 20, 1 - i / 20];
      const da = a.decide(x, { decisionId: `customer-${i}` });
      const db = b.decide(x, { decisionId: `customer-${i}` });
      expect(db.actionIndex).toBe(da.actionIndex);
      expect(Array.from(b.actionProbabilities(x, { decisionId: `p-${i}` }))).toEqual(
        Array.from(a.actionProbabilities(x, { decisionId: `p-${i}` })),
      );
    }
  });
});
