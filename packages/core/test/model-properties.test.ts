import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ActionSpace,
  type BanditPolicy,
  BayesianLinearModel,
  Blocks,
  createPolicy,
  type Feedback,
  type PolicyConfig,
  type RewardModel,
  SharedLinearModel,
  ValidationError,
} from "../src/index.js";

const space = { dimensions: { offer: ["a", "b", "c"], channel: ["email", "sms"], hour: [9, 18] } };
const d = 3;

/** The presets whose models keep exact sufficient statistics (mergeable, order independent). */
const mergeable: PolicyConfig[] = [
  { kind: "lints", actionSpace: space, context: { vectorLength: d } },
  { kind: "linucb", actionSpace: space, context: { vectorLength: d } },
  {
    kind: "factorised-thompson",
    actionSpace: space,
    context: { vectorLength: d },
    interactions: [["channel", "hour"]],
  },
  { kind: "hybrid-linucb", actionSpace: space, context: { vectorLength: d } },
  { kind: "beta-thompson", actionSpace: space },
  { kind: "gaussian-thompson", actionSpace: space },
  { kind: "ucb1", actionSpace: space, structure: "factorised" },
  // The shared model with its baseline unit (fixed priors: learned ones are exact only up to their schedule).
  { kind: "auto", actionSpace: space, context: { vectorLength: d }, learnPrior: false, baseline: true },
];

const feedbackArb = fc.array(
  fc.record({
    context: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: d, maxLength: d }),
    action: fc.integer({ min: 0, max: 11 }),
    reward: fc.constantFrom(0, 1, 0.5),
  }),
  { minLength: 1, maxLength: 40 },
);

/** Mean and upper scores of every unit on a few probe contexts: the observable state of a model. */
function fingerprint(policy: BanditPolicy): number[] {
  const model = policy.rewardModel!;
  const out: number[] = [];
  const scores = new Float64Array(model.blocks.unitCount);
  for (const probe of [
    [1, 0, 0, 0],
    [1, 0.5, -1, 2],
    [1, -1, 1, 0.3],
  ]) {
    const x = Float64Array.from(probe.slice(0, model.contextDimension));
    for (const request of [{ mode: "mean" } as const, { mode: "upper", alpha: 1 } as const]) {
      model.scoreUnits(x, request, scores);
      out.push(...scores);
    }
  }
  return out;
}

function expectRelativelyClose(a: number[], b: number[], tol = 1e-9): void {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => {
    if (!Number.isFinite(v)) expect(b[i]).toBe(v);
    else expect(Math.abs(v - b[i]!)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(v), Math.abs(b[i]!)));
  });
}

const context = (config: PolicyConfig) => (config.context ? undefined : []);
const withContext = (
  config: PolicyConfig,
  items: { context: number[]; action: number; reward: number }[],
): Feedback[] => items.map((f) => ({ ...f, context: context(config) ?? f.context }));

describe.each(mergeable.map((c) => [c.kind + ("structure" in c ? `/${c.structure}` : ""), c] as const))(
  "%s",
  (_name, config) => {
    it("update order and batch split do not change the model (1e-9 relative)", () => {
      fc.assert(
        fc.property(feedbackArb, fc.integer({ min: 1, max: 7 }), fc.nat(), (items, split, shuffleSeed) => {
          const feedback = withContext(config, items);
          const one = createPolicy(config);
          one.update(feedback);
          const shuffled = [...feedback].sort(
            (p, q) => ((p.reward * 7 + shuffleSeed) % 3) - ((q.reward * 7 + shuffleSeed) % 3),
          );
          const many = createPolicy(config);
          for (let i = 0; i < shuffled.length; i += split) many.update(shuffled.slice(i, i + split));
          expectRelativelyClose(fingerprint(one), fingerprint(many));
        }),
        { numRuns: 40 },
      );
    });

    it("merge(a, b) equals training on a ∪ b", () => {
      fc.assert(
        fc.property(feedbackArb, feedbackArb, (a, b) => {
          const left = createPolicy(config);
          left.update(withContext(config, a));
          const right = createPolicy(config);
          right.update(withContext(config, b));
          left.merge(right);
          const joint = createPolicy(config);
          joint.update(withContext(config, [...a, ...b]));
          expectRelativelyClose(fingerprint(left), fingerprint(joint));
        }),
        { numRuns: 40 },
      );
    });

    it("snapshot -> restore gives identical decisions for the same seed and ids", () => {
      fc.assert(
        fc.property(feedbackArb, fc.nat(), (items, seed) => {
          const original = createPolicy({ ...config, seed });
          original.update(withContext(config, items));
          const copy = createPolicy({ ...config, seed });
          copy.restore(JSON.parse(JSON.stringify(original.snapshot())));
          for (let i = 0; i < 5; i++) {
            const ctx = context(config) ?? [i / 5, 1 - i / 5, 0.5];
            const a = original.decide(ctx, { decisionId: `d${i}`, topK: 3 });
            const b = copy.decide(ctx, { decisionId: `d${i}`, topK: 3 });
            expect(b).toEqual(a);
          }
        }),
        { numRuns: 15 },
      );
    });

    it("a batch with one bad item is rejected whole, naming the field, and the model is unchanged", () => {
      const policy = createPolicy(config);
      const good = withContext(config, [{ context: [0.1, 0.2, 0.3], action: 1, reward: 1 }]);
      policy.update(good);
      const before = JSON.stringify(policy.snapshot());
      const bad: Feedback[] = [
        ...good,
        { context: good[0]!.context, action: { offer: "z", channel: "sms", hour: 9 }, reward: 1 },
      ];
      expect(() => policy.update(bad)).toThrow(/feedback\[1\]\.action\.offer: unknown option/);
      expect(() => policy.update([{ ...good[0]!, reward: Number.NaN }])).toThrow(/feedback\[0\]\.reward/);
      expect(() => policy.update([{ ...good[0]!, action: 99 }])).toThrow(/feedback\[0\]\.action: index 99/);
      if (config.context) {
        expect(() => policy.update([{ ...good[0]!, context: [1, Number.POSITIVE_INFINITY, 0] }])).toThrow(
          /feedback\[0\]\.context\[1\]/,
        );
        expect(() => policy.update([{ ...good[0]!, context: [1, 2] }])).toThrow(
          /expected a vector of length 3/,
        );
      }
      expect(JSON.stringify(policy.snapshot())).toBe(before);
    });
  },
);

/** Observations k of [from, to) at contexts x(k) into a model, in one update batch; action 11 stays unseen. */
function learnContexts(model: RewardModel, x: (k: number) => Float64Array, from: number, to: number) {
  const units = new Int32Array(model.blocks.count);
  model.startBatch();
  for (let k = from; k < to; k++) {
    model.blocks.unitsOf(model.blocks.space.codesOf(k % 11), units);
    model.observe(x(k), units, k % 3 === 0 ? 1 : 0, 1);
  }
  model.endBatch?.();
}

/** Every unit's posterior mean and sd for a context. */
function gaussianScoresOf(model: RewardModel, v: Float64Array) {
  const n = model.blocks.unitCount;
  const [means, sds] = [new Float64Array(n), new Float64Array(n)];
  (model as BayesianLinearModel).gaussianScores(v, means, sds);
  return { means: Array.from(means), sds: Array.from(sds) };
}

describe.each([
  ["per-action linear model", () => new BayesianLinearModel(Blocks.joint(new ActionSpace(space)), 8)],
  ["shared model", () => new SharedLinearModel(Blocks.factorised(new ActionSpace(space)), 8)],
  [
    "shared model with a baseline",
    () => new SharedLinearModel(Blocks.factorised(new ActionSpace(space)).withBaseline(), 8),
  ],
] as const)("%s at d = 8 (matrices in WebAssembly memory)", (_, make) => {
  const x = (k: number) => Float64Array.from({ length: 8 }, (_, i) => Math.sin(k * 7 + i));
  const learn = (models: RewardModel[], from: number, to: number) => {
    for (const model of models) learnContexts(model, x, from, to);
  };
  const trained = (from: number) => {
    const model = make();
    learn([model], from, from + 60);
    return model;
  };
  const scores = gaussianScoresOf;

  // One kernel call reads each unit's θ after its inverse: a pending inverse must carry its unit's θ, also
  // after a merge moved it.
  it("pending decisions narrow the widths and leave the means to the bit, also after a merge", () => {
    const [plain, pending] = [trained(0), trained(0)];
    const units = new Int32Array(pending.blocks.count);
    const counted = new Set<number>();
    for (const action of [2, 11]) {
      pending.blocks.unitsOf(pending.blocks.space.codesOf(action), units);
      pending.countPending!(x(101), units);
      for (const u of units) counted.add(u);
    }
    const [a, b] = [scores(plain, x(100)), scores(pending, x(100))];
    expect(b.means).toEqual(a.means);
    for (let u = 0; u < plain.blocks.unitCount; u++) {
      if (counted.has(u)) expect(b.sds[u]!).toBeLessThan(a.sds[u]!);
      else expect(b.sds[u]).toBe(a.sds[u]);
    }
    // A merge moves θ under the pending decisions: the means follow it (their widths stay on the
    // statistics they were counted on until the next update).
    for (const model of [plain, pending]) model.merge(trained(300));
    expect(scores(pending, x(100)).means).toEqual(scores(plain, x(100)).means);
  });

  it("prepared contexts score as alone, whatever is scored between them", () => {
    // prepareContexts runs the batch kernel. Scoring other arrays (equal in value or not) between prepared
    // ones, and an update, must never serve stale numbers.
    const [prepared, alone] = [make(), make()];
    learn([prepared, alone], 0, 60);
    const contexts = Array.from({ length: 37 }, (_, k) => x(200 + k));
    prepared.prepareContexts(contexts);
    const order = [0, 1, 1, 5, -1, 5, 36, 2, -2, 2, -2, 20, 0, 1];
    for (const k of order) {
      // −1: another array equal to context 5; −2: a context that was not prepared.
      const v = k === -1 ? Float64Array.from(contexts[5]!) : k === -2 ? x(999) : contexts[k]!;
      expect(scores(prepared, v)).toEqual(scores(alone, v));
    }
    learn([prepared, alone], 60, 61); // a new state: the prepared numbers no longer apply
    for (const k of [3, 4]) expect(scores(prepared, contexts[k]!)).toEqual(scores(alone, contexts[k]!));
  });
});

describe.each([
  ["per-action linear model", BayesianLinearModel, Blocks.joint],
  ["shared model", SharedLinearModel, Blocks.factorised],
] as const)("%s with a context scale", (_, Model, blocksOf) => {
  const x = (k: number) => Float64Array.from({ length: 8 }, (_, i) => (i === 0 ? 1 : Math.sin(k * 7 + i)));
  const trained = (options: object) => {
    const model = new Model(blocksOf(new ActionSpace(space)), 8, { learnPrior: true, ...options });
    learnContexts(model, x, 0, 80);
    return model;
  };
  const scores = gaussianScoresOf;

  it("widths read the context narrowed around the observed mean, means read it as it is, alone or prepared", () => {
    const plain = trained({ interceptColumn: 0 });
    const scaled = trained({ interceptColumn: 0, contextScale: 0.3 });
    // The contexts learned were x(0) … x(79), each once with weight 1.
    const centre = new Float64Array(8);
    for (let k = 0; k < 80; k++) for (let i = 0; i < 8; i++) centre[i]! += x(k)[i]! / 80;
    const contexts = Array.from({ length: 20 }, (_, k) => x(500 + k));
    scaled.prepareContexts(contexts);
    for (const v of [...contexts, x(999)]) {
      const narrowed = Float64Array.from(v, (value, i) =>
        i === 0 ? value : centre[i]! + 0.3 * (value - centre[i]!),
      );
      const got = scores(scaled, v);
      expect(got.means).toEqual(scores(plain, v).means);
      const want = scores(plain, narrowed).sds;
      for (let u = 0; u < want.length; u++) expect(got.sds[u]).toBeCloseTo(want[u]!, 12);
      // Narrower than the plain posterior wherever a unit has learned anything of the context.
      expect(got.sds.some((sd, u) => sd < scores(plain, v).sds[u]!)).toBe(true);
    }
  });

  it("narrows the same whatever a feature's origin (raw features off centre keep their level's width)", () => {
    // With a negligible prior, moving feature i's origin (x_i + c) is a change of basis of the data: the
    // level is still at the mean context, so every width is the same. Narrowing around 0 instead would
    // narrow the level too (here these widths would differ by three orders of magnitude).
    const shift = [0, 40, -3, 0, 7, 0, 0, 120];
    const shifted = (k: number) => Float64Array.from(x(k), (value, i) => value + shift[i]!);
    const options = { interceptColumn: 0, contextScale: 0.3, lambda: 1e-6, learnPrior: false };
    const [origin, moved] = [
      new Model(blocksOf(new ActionSpace(space)), 8, options),
      new Model(blocksOf(new ActionSpace(space)), 8, options),
    ];
    // Every action is shown (learnContexts leaves one out): an unseen unit's width is the prior's, which
    // does move with the origin.
    for (const [model, context] of [
      [origin, x],
      [moved, shifted],
    ] as const) {
      const units = new Int32Array(model.blocks.count);
      for (let k = 0; k < 400; k++) {
        model.blocks.unitsOf(model.blocks.space.codesOf(k % 12), units);
        model.observe(context(k), units, k % 3 === 0 ? 1 : 0, 1);
      }
    }
    for (const k of [1000, 1001, 1002]) {
      const [a, b] = [scores(origin, x(k)), scores(moved, shifted(k))];
      for (let u = 0; u < a.sds.length; u++) {
        expect(b.sds[u]! / a.sds[u]!).toBeCloseTo(1, 3);
        expect(b.means[u]).toBeCloseTo(a.means[u]!, 3);
      }
    }
  });

  it("changes nothing without an intercept column, or at 1", () => {
    const v = x(7);
    const plain = scores(trained({}), v);
    expect(scores(trained({ contextScale: 0.3 }), v)).toEqual(plain);
    expect(scores(trained({ interceptColumn: 0, contextScale: 1 }), v)).toEqual(
      scores(trained({ interceptColumn: 0 }), v),
    );
  });
});

describe("snapshots and merges across mismatched policies", () => {
  const base: PolicyConfig = { kind: "lints", actionSpace: space, context: { vectorLength: d } };

  it("rejects a snapshot of another action space, schema or kind with a clear error", () => {
    const snap = createPolicy(base).snapshot();
    // Other options are matched by name (see snapshot-evolution.test.ts); other dimensions are refused.
    const otherSpace = createPolicy({ ...base, actionSpace: { dimensions: { day: ["a", "b"] } } });
    expect(() => otherSpace.restore(snap)).toThrow(/other dimensions/);
    const otherSchema = createPolicy({ ...base, context: { vectorLength: 4 } });
    expect(() => otherSchema.restore(snap)).toThrow(/another context schema/);
    const otherKind = createPolicy({ ...base, kind: "linucb" });
    expect(() => otherKind.restore(snap)).toThrow(/lints policy, this is linucb/);
    expect(() => createPolicy(base).restore({ ...snap, format: "v0" })).toThrow(/snapshot\.format/);
  });

  it("names the setting that differs, also one an earlier version did not have", () => {
    const snap = createPolicy(base).snapshot();
    expect(() => createPolicy({ ...base, lambda: 2 }).restore(snap)).toThrow(
      /another policy configuration \(lambda: 1 in the snapshot, 2 here; was it taken by another version/,
    );
    // A setting the snapshot's configuration does not have (as one taken before the setting existed).
    const auto: PolicyConfig = { ...base, kind: "auto" };
    expect(() => createPolicy({ ...auto, baseline: true }).restore(createPolicy(auto).snapshot())).toThrow(
      /baseline: absent in the snapshot, true here/,
    );
  });

  it("a corrupt model in a snapshot leaves the policy as it was", () => {
    const policy = createPolicy(base);
    policy.update([{ context: [1, 2, 3], action: 0, reward: 1 }]);
    const before = JSON.stringify(policy.snapshot());
    const snap = policy.snapshot() as { model: { units: { gram: number[] }[] } };
    snap.model.units[0]!.gram = [1, 2];
    expect(() => policy.restore(snap)).toThrow(/does not fit/);
    expect(JSON.stringify(policy.snapshot())).toBe(before);
  });

  it("refuses to merge different kinds or spaces", () => {
    expect(() => createPolicy(base).merge(createPolicy({ ...base, kind: "linucb" }))).toThrow(/cannot merge/);
    expect(() =>
      createPolicy(base).merge(createPolicy({ ...base, actionSpace: { dimensions: { offer: ["a"] } } })),
    ).toThrow(/action space/);
  });

  it("rejects rewards outside the declared range", () => {
    const policy = createPolicy({ kind: "beta-thompson", actionSpace: space });
    expect(() => policy.update([{ context: [], action: 0, reward: 2 }])).toThrow(ValidationError);
    expect(() => policy.update([{ context: [], action: 0, reward: 2 }])).toThrow(
      /outside the declared range \[0, 1\]/,
    );
  });
});
