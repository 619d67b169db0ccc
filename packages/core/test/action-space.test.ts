import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ActionSpace, createPolicy, createRng, eligibilitySchema, ValidationError } from "../src/index.js";

/** Random small spaces: 1–4 dimensions of 1–5 options, options numbered so range rules apply. */
const spaceArb = fc
  .array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 })
  .map((counts) =>
    Object.fromEntries(counts.map((n, k) => [`d${k}`, Array.from({ length: n }, (_, i) => i)])),
  );

describe("ActionSpace", () => {
  it("round-trips index <-> record <-> codes for random spaces", () => {
    fc.assert(
      fc.property(spaceArb, fc.nat(), (dimensions, seed) => {
        const space = new ActionSpace({ dimensions });
        const index = seed % space.size;
        const record = space.recordOf(index);
        expect(space.indexOf(record)).toBe(index);
        expect(space.indexOfCodes(space.codesOf(index))).toBe(index);
      }),
    );
  });

  it("never materialises a huge space", () => {
    const dims = Object.fromEntries(
      Array.from({ length: 8 }, (_, k) => [`d${k}`, Array.from({ length: 10 }, (_, i) => `o${i}`)]),
    );
    const space = new ActionSpace({ dimensions: dims });
    expect(space.size).toBe(1e8);
    const record = space.recordOf(12_345_678);
    expect(space.indexOf(record)).toBe(12_345_678);
  });

  it("counts feasible combinations exactly under rules and eligibility", () => {
    fc.assert(
      fc.property(spaceArb, fc.nat(), fc.nat(), (dimensions, a, b) => {
        const names = Object.keys(dimensions);
        const first = names[0]!;
        const last = names[names.length - 1]!;
        const space = new ActionSpace({
          dimensions,
          constraints: [{ forbid: { [first]: a % 3, [last]: { gte: b % 4 } } }],
        });
        const eligibility = space.compileEligibility({ deny: { [last]: [0] } });
        let brute = 0;
        for (let i = 0; i < space.size; i++) if (space.isFeasible(space.codesOf(i), eligibility)) brute++;
        expect(space.countFeasible(eligibility)).toBe(brute);
      }),
    );
  });

  it("compiles an eligibility without zod when it is well formed, and rejects every malformed detail", () => {
    const space = new ActionSpace({ dimensions: { d0: [0, 1, 2], d1: ["a", "b"] } });
    // Well formed: the fast path must compile exactly what zod's parse compiles.
    const option = fc.constantFrom(0, 1, 2, "a", "b", "zz", 7);
    const lists = fc.dictionary(fc.constantFrom("d0", "d1"), fc.array(option));
    const valid = fc.record(
      {
        allow: lists,
        deny: lists,
        denyActions: fc.array(fc.record({ d0: fc.constantFrom(0, 1, 2), d1: fc.constantFrom("a", "b") })),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(valid, (e) => {
        expect(space.compileEligibility(e)).toEqual(space.compileEligibility(eligibilitySchema.parse(e)));
      }),
      { numRuns: 200 },
    );
    // Malformed in one detail each: rejected like zod rejects them, naming the eligibility field.
    const malformed: unknown[] = [
      { allow: { d0: [""] } },
      { allow: { d0: [Number.NaN] } },
      { allow: { d0: [null] } },
      { allow: { d0: [0, undefined] } },
      { allow: { d0: "a" } },
      { allow: [] },
      { deny: { d1: [{}] } },
      { deny: { d1: [Number.POSITIVE_INFINITY] } },
      { denyActions: [{ d0: "" }] },
      { denyActions: [[]] },
      { denyActions: {} },
      { denyActions: [null] },
      { extra: 1 },
      [],
      "x",
      null,
    ];
    for (const e of malformed) {
      expect(eligibilitySchema.safeParse(e).success, JSON.stringify(e)).toBe(false);
      expect(() => space.compileEligibility(e as never), JSON.stringify(e)).toThrow(ValidationError);
    }
  });

  it("rejects bad configurations with the field path", () => {
    expect(() => new ActionSpace({ dimensions: { offer: [] } })).toThrow(/actionSpace\.dimensions\.offer/);
    expect(
      () => new ActionSpace({ dimensions: { offer: ["a"] }, constraints: [{ forbid: { channel: "sms" } }] }),
    ).toThrow(/constraints\[0\]\.forbid\.channel: unknown dimension/);
    expect(() => new ActionSpace({ dimensions: { offer: ["a", "a"] } })).toThrow(ValidationError);
    expect(() => new ActionSpace({ dimensions: { offer: ["a"], 7: ["x"] } })).toThrow(
      /dimensions\.7: integer-like/,
    );
    expect(
      new ActionSpace({
        dimensions: [
          { name: "offer", options: ["a"] },
          { name: "7", options: ["x"] },
        ],
      }).dimensions,
    ).toEqual(["offer", "7"]);
  });

  it("no decision of any policy violates a constraint or the eligibility", () => {
    const kinds = [
      "random",
      "greedy",
      "epsilon-greedy",
      "squarecb",
      "lints",
      "linucb",
      "factorised-thompson",
      "beta-thompson",
    ] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...kinds),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 6, max: 20 }),
        fc.nat(),
        (kind, deniedChannel, hourLimit, seed) => {
          const space = new ActionSpace({
            dimensions: {
              channel: ["email", "sms", "push"],
              hour: [6, 9, 12, 18, 21],
              offer: ["a", "b", "c"],
            },
            constraints: [
              { forbid: { channel: "sms", hour: { lt: hourLimit } } },
              { forbid: { offer: "c", channel: "push" } },
            ],
          });
          const policy = createPolicy({ kind, actionSpace: space, seed, context: { vectorLength: 2 } });
          const rng = createRng(seed);
          const channel = space.options[0]![deniedChannel]!;
          for (let i = 0; i < 20; i++) {
            const context = [rng.next(), rng.next()];
            const decision = policy.decide(context, {
              eligibility: { deny: { channel: [channel] } },
              topK: 3,
            });
            for (const r of decision.ranked) {
              expect(r.action.channel).not.toBe(channel);
              expect(r.action.channel === "sms" && Number(r.action.hour) < hourLimit).toBe(false);
              expect(r.action.offer === "c" && r.action.channel === "push").toBe(false);
            }
            policy.update([{ context, action: decision.action, reward: rng.next() < 0.3 ? 1 : 0 }]);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
