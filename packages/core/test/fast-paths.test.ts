// The shortcuts of the hot paths must not change what they compute: Alea without seedrandom's closures,
// explanations captured as numbers and named on first read, feedback checked structurally before zod,
// decideBatch against a loop of decide.
import fc from "fast-check";
import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import { normalCdf } from "../src/exploration/normal-cdf.js";
import {
  createPolicy,
  createRng,
  type Feedback,
  keyedRng,
  type PolicyConfig,
  type Rng,
} from "../src/index.js";
import { KeyHash, normal, stableNormal } from "../src/rng.js";

/** A decision's generator, as a policy keys it: the hash of `${seed}\u0000${key}`. */
const decisionRng = (seed: number, key: string) => new KeyHash().key(seed, key).rng();

const space = {
  dimensions: { offer: ["a", "b", "c"], channel: ["email", "sms", "push"], hour: [8, 12, 18] },
  constraints: [{ forbid: { channel: "sms", hour: { lt: 9 } } }],
};

/** Random contexts of the config's length. */
function contextOf(config: PolicyConfig, rng: Rng): number[] {
  const length = config.context && "vectorLength" in config.context ? config.context.vectorLength : 2;
  return Array.from({ length }, () => rng.next());
}

function trained(config: PolicyConfig) {
  const policy = createPolicy(config);
  const rng = createRng("fast-paths");
  for (let b = 0; b < 4; b++) {
    policy.update(
      Array.from({ length: 50 }, () => {
        const x = contextOf(config, rng);
        return { context: x, action: Math.floor(rng.next() * 27), reward: rng.next() < 0.3 ? 1 : 0 };
      }),
    );
  }
  return policy;
}

describe("fast paths", () => {
  it("createRng and keyedRng draw exactly seedrandom's Alea streams", () => {
    for (const seed of ["", "a", 42, "lints-42-17", "x\u0000y", "ünï©ødé ✓", "a".repeat(300)]) {
      const reference = seedrandom.alea(String(seed));
      const rng = createRng(seed);
      for (let i = 0; i < 500; i++) expect(rng.next()).toBe(reference());
    }
    const reference = seedrandom.alea("7\u0000customer-1/2026-11-30");
    expect(keyedRng(7, "customer-1/2026-11-30").next()).toBe(reference());
  });

  it("keyed generators equal seedrandom's Alea for any key (Mash's truncations by Math.floor)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 80 }), fc.integer(), (key, seed) => {
        const reference = seedrandom.alea(`${seed}\u0000${key}`);
        const rng = keyedRng(seed, key);
        for (let i = 0; i < 5; i++) expect(rng.next()).toBe(reference());
      }),
      { numRuns: 500 },
    );
  });

  it("decision generators: one stream per (seed, key), uniform, and uncorrelated across consecutive ids", () => {
    expect(decisionRng(3, "a-1").next()).toBe(decisionRng(3, "a-1").next());
    expect(decisionRng(3, "a-1").next()).not.toBe(decisionRng(3, "a-2").next());
    expect(decisionRng(3, "a-1").next()).not.toBe(decisionRng(4, "a-1").next());
    // Ids as a policy generates them (<id>-<seed>-<n>): each of the first three draws over 100 bins, and
    // pairs of consecutive ids' first draws over 10 × 10 cells. Chi-square bounds are the 99.9% quantiles
    // (df 99: 148.2; df 99 for the pairs too); the lag-1 correlation of uniforms has sd 1/√n.
    const n = 50_000;
    for (let draw = 0; draw < 3; draw++) {
      const bins = new Float64Array(100);
      const pairs = new Float64Array(100);
      let previous = 0;
      let cross = 0;
      for (let i = 0; i < n; i++) {
        const rng = decisionRng(42, `lints-42-${i}`);
        let u = rng.next();
        for (let k = 0; k < draw; k++) u = rng.next();
        bins[Math.floor(u * 100)]!++;
        if (i > 0) pairs[Math.floor(previous * 10) * 10 + Math.floor(u * 10)]!++;
        cross += (u - 0.5) * (previous - 0.5);
        previous = u;
      }
      const chiSquare = (counts: Float64Array, total: number) =>
        counts.reduce((s, c) => s + (c - total / counts.length) ** 2 / (total / counts.length), 0);
      expect(chiSquare(bins, n)).toBeLessThan(148.2);
      expect(chiSquare(pairs, n - 1)).toBeLessThan(148.2);
      // Var((U − ½)(V − ½)) = 1/144 for independent uniforms: |mean| ≤ 4 sd.
      expect(Math.abs(cross / (n - 1))).toBeLessThan(4 * Math.sqrt(1 / 144 / (n - 1)));
    }
  });

  it("a decision key hashed in pieces, its number as digits, gives the whole key's generator", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: "binary", maxLength: 20 }), { maxLength: 4 }),
        fc.oneof(fc.nat(), fc.constantFrom(0, 9, 10, 99, 100, Number.MAX_SAFE_INTEGER)),
        (pieces, n) => {
          const prefix = new KeyHash().text("7\u0000");
          for (const piece of pieces) prefix.text(piece);
          const rng = new KeyHash().copy(prefix).digits(n).rng();
          const whole = decisionRng(7, `${pieces.join("")}${n}`);
          for (let i = 0; i < 3; i++) expect(rng.next()).toBe(whole.next());
        },
      ),
      { numRuns: 500 },
    );
    // A policy's generated ids hash from a kept prefix: giving the same ids explicitly decides alike.
    const config: PolicyConfig = { kind: "lints", actionSpace: space, context: { vectorLength: 3 }, seed: 5 };
    const generated = trained(config);
    const given = trained(config);
    const rng = createRng("ids");
    for (let i = 0; i < 30; i++) {
      const x = contextOf(config, rng);
      const decision = generated.decide(x);
      expect(given.decide(x, { decisionId: decision.decisionId })).toMatchObject({
        actionIndex: decision.actionIndex,
        propensity: decision.propensity,
        decisionId: decision.decisionId,
      });
    }
  });

  it("stableNormal is Box–Muller over seedrandom's Alea: the same draws in every version", () => {
    const reference = seedrandom.alea("stable");
    const rng = createRng("stable");
    for (let i = 0; i < 500; i++) {
      let u = reference();
      while (u <= Number.MIN_VALUE) u = reference();
      expect(stableNormal(rng)).toBe(Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * reference()));
    }
  });

  it("normal draws (the ziggurat) are standard normal in the body, the wedges and the tail", () => {
    // 1,000,000 draws over 200 equiprobable bins of N(0, 1): chi-square at df 199 has its 99.9% quantile at
    // 267.8. Accepting every point of the wedges (no rejection) fails it at chi-square ≈ 370. The tail beyond R = 3.44 (its
    // own sampler, p = 5.8e-4 on both sides) and beyond 4 (6.3e-5) by their counts, within 4 sd.
    const rng = createRng("ziggurat");
    const n = 1_000_000;
    const bins = new Float64Array(200);
    let beyondR = 0;
    let beyond4 = 0;
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < n; i++) {
      const z = normal(rng);
      bins[Math.min(199, Math.floor(normalCdf(z) * 200))]!++;
      if (Math.abs(z) > 3.442619855899) beyondR++;
      if (Math.abs(z) > 4) beyond4++;
      sum += z;
      squares += z * z;
    }
    const expected = n / 200;
    expect(bins.reduce((s, c) => s + (c - expected) ** 2 / expected, 0)).toBeLessThan(267.8);
    for (const [count, p] of [
      [beyondR, 2 * (1 - normalCdf(3.442619855899))],
      [beyond4, 2 * (1 - normalCdf(4))],
    ] as const) {
      expect(Math.abs(count - n * p)).toBeLessThan(4 * Math.sqrt(n * p * (1 - p)));
    }
    // Mean 0 (sd 1/√n) and variance 1 (sd √(2/n)).
    expect(Math.abs(sum / n)).toBeLessThan(4 / Math.sqrt(n));
    expect(Math.abs(squares / n - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
  });

  // With 16 features the linear models' matrices live in WebAssembly memory, and Thompson sampling's batch
  // computes its widths together (MatrixArena.posteriors); with 2, plain arrays.
  for (const kind of ["lints", "auto", "linucb", "epsilon-greedy"] as const)
    for (const vectorLength of [2, 16])
      it(`${kind}, ${vectorLength} features: decideBatch decides as a loop of decide with the same ids`, () => {
        const config = { kind, actionSpace: space, context: { vectorLength }, seed: 5 } as PolicyConfig;
        const a = trained(config);
        const b = trained(config);
        const rng = createRng("contexts");
        // 300: more than one slice of contexts prepared together (256).
        const contexts = Array.from({ length: vectorLength === 16 ? 300 : 30 }, () => contextOf(config, rng));
        const options = contexts.map((_, i) => ({
          decisionId: `c${i}`,
          ...(i % 3 === 0 ? { eligibility: { deny: { channel: ["sms"] } } } : {}),
          ...(i % 4 === 0 ? { topK: 3 } : {}),
        }));
        const batch = a.decideBatch(contexts, options);
        const loop = contexts.map((x, i) => b.decide(x, options[i]));
        expect(JSON.parse(JSON.stringify(batch))).toEqual(JSON.parse(JSON.stringify(loop)));
      });

  it("an eligibility shared by a batch is compiled once and decides as it would one by one", () => {
    const config = {
      kind: "lints",
      actionSpace: space,
      context: { vectorLength: 2 },
      seed: 9,
    } as PolicyConfig;
    const a = trained(config);
    const b = trained(config);
    const noSms = { deny: { channel: ["sms"] } };
    const rng = createRng("shared");
    const contexts = Array.from({ length: 20 }, () => [rng.next(), rng.next()]);
    const batch = a.decideBatch(contexts, { eligibility: noSms });
    const loop = contexts.map((x) => b.decide(x, { eligibility: noSms }));
    expect(batch.map((d) => [d.decisionId, d.actionIndex, d.propensity])).toEqual(
      loop.map((d) => [d.decisionId, d.actionIndex, d.propensity]),
    );
    expect(batch.every((d) => d.action.channel !== "sms")).toBe(true);
    const bad = { deny: { colour: ["red"] } };
    expect(() => a.decideBatch(contexts, { eligibility: bad })).toThrow(/eligibility\.deny\.colour/);
  });

  it("a decision's explanation is the model's state when it was made, whenever it is read", () => {
    const policy = trained({ kind: "lints", actionSpace: space, context: { vectorLength: 2 }, seed: 1 });
    const early = policy.decide([0.5, 0.5], { eligibility: { deny: { offer: ["c"] } } });
    const again = policy.decide([0.5, 0.5], { eligibility: { deny: { offer: ["c"] } } });
    const expected = structuredClone(again.scores);
    policy.update(Array.from({ length: 40 }, () => ({ context: [0.5, 0.5], action: 0, reward: 1 })));
    expect(early.scores).toEqual(expected);
    expect(Object.keys(early.scores.offer!)).toEqual(["a", "b"]);
    expect(JSON.parse(JSON.stringify(early)).scores).toEqual(expected);
    // A getter on the decision's class: copies of own fields (spread, structuredClone) leave it out.
    expect({ ...early }.scores).toBeUndefined();
  });

  it.each([
    ["lints", "lints"],
    ["factorised-thompson (shared model)", "factorised-thompson"],
    ["linucb (pending decisions between)", "linucb"],
  ] as const)(
    "%s: explanations computed on first read are those of the model when each decision was made",
    (_, kind) => {
      const config = { kind, actionSpace: space, context: { vectorLength: 2 }, seed: 3 } as PolicyConfig;
      const policy = trained(config);
      const rng = createRng("explanations");
      const contexts = Array.from({ length: 12 }, () => [rng.next(), rng.next()]);
      const eligibility = { deny: { offer: ["c"] } };
      // The same decisions made eagerly on a twin, whose explanations are read at once.
      const twin = trained(config);
      const expected = contexts.map((x) => structuredClone(twin.decide(x, { eligibility }).scores));
      const first = [...contexts[0]!];
      const expectedSingle = structuredClone(twin.decide(first, { eligibility }).scores);
      const batch = policy.decideBatch(contexts, { eligibility });
      const single = policy.decide(contexts[0]!, { eligibility });
      contexts[0]![0] = 99; // the caller's array changes: the explanation kept its own context,
      policy.decide([0.9, 0.1]); // and so does the policy's buffer for one decision's context
      policy.update(contexts.map((x) => ({ context: x, action: 5, reward: 1 })));
      policy.update(contexts.map((x) => ({ context: x, action: 2, reward: 0 })));
      expect(batch.map((d) => d.scores)).toEqual(expected);
      expect(single.scores).toEqual(expectedSingle);
      expect(Object.keys(single.scores.offer!)).toEqual(["a", "b"]);
    },
  );

  it("feedback that passes the structural check but breaks the schema is still rejected whole", () => {
    const policy = trained({ kind: "lints", actionSpace: space, context: { vectorLength: 2 } });
    const before = JSON.stringify(policy.snapshot());
    const good: Feedback = { context: [0.1, 0.2], action: 3, reward: 1 };
    const bad: [Feedback, RegExp][] = [
      [{ ...good, weight: 0 }, /feedback\[1\]\.weight/],
      [{ ...good, weight: Number.POSITIVE_INFINITY }, /feedback\[1\]\.weight/],
      [{ ...good, propensity: 1.5 }, /feedback\[1\]\.propensity/],
      [{ ...good, propensity: Number.NaN }, /feedback\[1\]\.propensity/],
      [{ ...good, decisionId: 5 as unknown as string }, /feedback\[1\]\.decisionId/],
      [{ ...good, action: 1.5 }, /feedback\[1\]\.action/],
      [{ ...good, action: Number.NaN }, /feedback\[1\]\.action/],
      [{ ...good, reward: "1" as unknown as number }, /feedback\[1\]\.reward/],
      [null as unknown as Feedback, /feedback\[1\]/],
      // Actions given as records: checked by the action space, field by field.
      [
        { ...good, action: { offer: "a", channel: "fax", hour: 8 } },
        /feedback\[1\]\.action\.channel: unknown option "fax"/,
      ],
      [
        { ...good, action: { offer: "a", channel: "email", hour: "8" } },
        /feedback\[1\]\.action\.hour: unknown option "8"/,
      ],
      [
        { ...good, action: { offer: "a", channel: "email" } },
        /feedback\[1\]\.action\.hour: missing dimension/,
      ],
      [
        { ...good, action: { offer: "a", channel: "email", hour: 8, colour: "red" } },
        /feedback\[1\]\.action\.colour: unknown dimension/,
      ],
      [{ ...good, action: [0, 1, 2] as unknown as number }, /feedback\[1\]\.action/],
      [{ ...good, action: null as unknown as number }, /feedback\[1\]\.action/],
    ];
    for (const [item, message] of bad) expect(() => policy.update([good, item])).toThrow(message);
    expect(JSON.stringify(policy.snapshot())).toBe(before);
    // A record is learned as its index is.
    const record = { context: [0.1, 0.2], action: { offer: "b", channel: "push", hour: 12 }, reward: 1 };
    const byIndex = trained({ kind: "lints", actionSpace: space, context: { vectorLength: 2 } });
    byIndex.update([{ ...record, action: byIndex.space.indexOf(record.action) }]);
    expect(policy.update([record]).applied).toBe(1);
    expect(JSON.stringify(policy.snapshot().model)).toBe(JSON.stringify(byIndex.snapshot().model));
  });
});
