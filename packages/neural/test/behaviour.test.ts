import { createPolicy, createRng, SnapshotMismatchError, ValidationError } from "@kairos/core";
import { beforeAll, describe, expect, it } from "vitest";
import { createNeuralPolicy, NeuralPolicy, type NeuralPolicyKind, tf, useBackend } from "../src/index.js";
import { actionSpace, context, customer, nonLinearMean } from "./problems.js";

const kinds: NeuralPolicyKind[] = ["neural-linear", "neural-ensemble"];
/** Small and quick: retrains after every second batch once 100 observations are in. */
const quick = { retrainEvery: 2, minObservations: 100, epochs: 2, hidden: [16, 8], members: 4 };

function make(kind: NeuralPolicyKind, seed = 3, extra: object = {}) {
  const settings = kind === "neural-linear" ? { ...quick, members: undefined } : quick;
  const { members: _, ...linear } = settings;
  return createNeuralPolicy({
    kind,
    actionSpace: {
      ...actionSpace,
      constraints: [{ forbid: { offer: "free-shipping", channel: "push" }, reason: "no push for shipping" }],
    },
    context,
    rewardRange: [0, 1],
    seed,
    ...(kind === "neural-linear" ? linear : settings),
    ...extra,
  } as Parameters<typeof createNeuralPolicy>[0]);
}

/** Feeds `batches` batches of 100 simulated customers (fixed seed). */
function train(policy: ReturnType<typeof make>, batches: number, seed = 1) {
  const rng = createRng(`train-${seed}`);
  for (let day = 0; day < batches; day++) {
    const customers = Array.from({ length: 100 }, () => customer(rng));
    const decisions = policy.decideBatch(
      customers,
      customers.map((_, i) => ({ decisionId: `t${day}-${i}` })),
    );
    policy.update(
      decisions.map((d, i) => ({
        context: customers[i]!,
        action: d.action,
        reward: rng.next() < nonLinearMean(customers[i]!, d.action) ? 1 : 0,
      })),
    );
  }
}

beforeAll(async () => {
  await useBackend("wasm");
});

describe.each(kinds)("%s", (kind) => {
  it("same seed, same decisions (before and after retraining); another seed differs", () => {
    const a = make(kind);
    const b = make(kind);
    const c = make(kind, 4);
    const probe = { spend: -0.5, priceSensitive: true, tenure: 1 };
    const ids = Array.from({ length: 30 }, (_, i) => ({ decisionId: `probe-${i}` }));
    const actions = (p: ReturnType<typeof make>) =>
      p
        .decideBatch(
          ids.map(() => probe),
          ids,
        )
        .map((d) => d.actionIndex);
    expect(actions(a)).toEqual(actions(b));
    train(a, 4);
    train(b, 4);
    train(c, 4);
    expect(a.neuralModel.trainings).toBe(2);
    expect(actions(a)).toEqual(actions(b));
    expect(JSON.stringify(a.snapshot())).toBe(JSON.stringify(b.snapshot()));
    expect(actions(a)).not.toEqual(actions(c));
  });

  it("snapshot/restore round trip: weights, buffer and posterior as JSON; decides and retrains identically", () => {
    const a = make(kind);
    train(a, 3);
    const saved = JSON.stringify(a.snapshot());
    const b = make(kind);
    b.restore(saved);
    expect(JSON.stringify(b.snapshot())).toBe(saved);
    const probe = { spend: 0.3, priceSensitive: false, tenure: -1 };
    const ids = Array.from({ length: 20 }, (_, i) => ({ decisionId: `r-${i}`, topK: 2 }));
    expect(
      b.decideBatch(
        ids.map(() => probe),
        ids,
      ),
    ).toEqual(
      a.decideBatch(
        ids.map(() => probe),
        ids,
      ),
    );
    // The next batch triggers a retraining in both: still identical.
    train(a, 1, 9);
    train(b, 1, 9);
    expect(a.neuralModel.trainings).toBe(b.neuralModel.trainings);
    expect(JSON.stringify(b.snapshot())).toBe(JSON.stringify(a.snapshot()));
  });

  it("rejects bad input with typed errors and leaves the state unchanged", () => {
    const p = make(kind);
    train(p, 2);
    const before = JSON.stringify(p.snapshot());
    const good = { context: { spend: 0, priceSensitive: true, tenure: 0 }, action: 0, reward: 1 };
    expect(() => p.update([good, { ...good, reward: 2 }])).toThrow(ValidationError);
    expect(() => p.update([good, { ...good, action: 99 }])).toThrow(/feedback\[1\]\.action/);
    expect(() => p.update([{ ...good, context: { spend: "high" } }])).toThrow(ValidationError);
    expect(JSON.stringify(p.snapshot())).toBe(before);
    const corrupt = JSON.parse(before);
    corrupt.model.buffer.rewards.pop();
    expect(() => p.restore(corrupt)).toThrow(SnapshotMismatchError);
    const otherFormat = JSON.parse(before);
    otherFormat.model.format = "kairos-other/v1";
    expect(() => p.restore(otherFormat)).toThrow(SnapshotMismatchError);
    expect(JSON.stringify(p.snapshot())).toBe(before);
    expect(() => make(kind, 3, { hidden: [] })).toThrow(/policy\.hidden/);
    expect(() => make(kind, 3, { learningRate: -1 })).toThrow(/policy\.learningRate/);
    expect(() => make(kind, 3, { bogus: 1 })).toThrow(/policy\.bogus/);
  });

  it("propensities agree with the choice frequencies of the same model state (|z| ≤ 4)", () => {
    const p = make(kind);
    train(p, 4);
    const ctx = { spend: -0.2, priceSensitive: true, tenure: 0.4 };
    const eligibility = { deny: { offer: ["none"] } };
    const probs = p.actionProbabilities(ctx, { eligibility });
    expect(probs.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 4);
    const n = 2000;
    const counts = new Float64Array(probs.length);
    const logged = new Float64Array(probs.length);
    for (let i = 0; i < n; i++) {
      const d = p.decide(ctx, { decisionId: `f-${i}`, eligibility });
      expect(d.action.offer).not.toBe("none");
      expect(d.action.offer === "free-shipping" && d.action.channel === "push").toBe(false);
      counts[d.actionIndex]!++;
      logged[d.actionIndex]! += d.propensity;
    }
    probs.forEach((prob, a) => {
      const freq = counts[a]! / n;
      if (prob === 0) {
        expect(counts[a]).toBe(0);
        return;
      }
      const se = Math.sqrt((prob * (1 - prob)) / n) || 1e-9;
      expect(Math.abs(freq - prob) / se).toBeLessThanOrEqual(4);
      // The logged propensities are the same probabilities.
      if (counts[a]! > 0) expect(Math.abs(logged[a]! / counts[a]! - prob)).toBeLessThan(0.02 + 4 * se);
    });
  });
});

it("core's createPolicy builds the neural kinds once the package is imported (registered presets)", () => {
  const config = {
    kind: "neural-linear" as const,
    actionSpace,
    context,
    rewardRange: [0, 1] as [number, number],
    seed: 3,
    ...quick,
    members: undefined,
  };
  const { members: _, ...linear } = config;
  const viaCore = createPolicy(linear);
  expect(viaCore).toBeInstanceOf(NeuralPolicy);
  const direct = createNeuralPolicy(linear);
  train(viaCore as NeuralPolicy, 2);
  train(direct, 2);
  // The same schedule (retrained after the second batch) and the same state.
  expect((viaCore as NeuralPolicy).neuralModel.trainings).toBe(1);
  expect(JSON.stringify(viaCore.snapshot())).toBe(JSON.stringify(direct.snapshot()));
  // @ts-expect-error: a neural setting of the wrong type does not type-check through core either
  expect(() => createPolicy({ ...linear, epochs: "many" })).toThrow(/policy\.epochs/);
});

it("disposes its tensors: tf.memory().numTensors is stable across 1,000 decide/update cycles", () => {
  const p = make("neural-ensemble", 5, { retrainEvery: 100, minObservations: 50, epochs: 1 });
  const rng = createRng("memory");
  const cycle = (i: number) => {
    const c = customer(rng);
    const d = p.decide(c, { decisionId: `m-${i}` });
    p.update([{ context: c, action: d.action, reward: rng.next() < nonLinearMean(c, d.action) ? 1 : 0 }]);
  };
  for (let i = 0; i < 100; i++) cycle(i);
  const tensors = tf.memory().numTensors;
  for (let i = 100; i < 1100; i++) cycle(i);
  expect(p.neuralModel.trainings).toBe(11);
  expect(tf.memory().numTensors).toBe(tensors);
});
