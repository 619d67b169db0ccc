import { describe, expect, it } from "vitest";
import { ActionSpace, matchesCondition, ValidationError } from "../src/index.js";

describe("matchesCondition (constraint rules and scenario conditions share it)", () => {
  it("compares values exactly, type included", () => {
    expect(matchesCondition(9, 9)).toBe(true);
    expect(matchesCondition("sms", "sms")).toBe(true);
    expect(matchesCondition(true, true)).toBe(true);
    // No conversion to text: a number is not its digits, a boolean is not its name.
    expect(matchesCondition(9, "9")).toBe(false);
    expect(matchesCondition("9", 9)).toBe(false);
    expect(matchesCondition(true, "true")).toBe(false);
    expect(matchesCondition(1, true)).toBe(false);
    expect(matchesCondition(0, -0)).toBe(true);
  });

  it("in and notIn test membership with the same exact comparison", () => {
    expect(matchesCondition("sms", { in: ["email", "sms"] })).toBe(true);
    expect(matchesCondition(12, { in: ["12", 19] })).toBe(false);
    expect(matchesCondition(12, { notIn: ["12", 19] })).toBe(true);
    expect(matchesCondition(19, { notIn: ["12", 19] })).toBe(false);
    expect(matchesCondition(false, { in: [false] })).toBe(true);
  });

  it("a range needs every given bound, bounds included or excluded as named", () => {
    expect(matchesCondition(9, { gte: 9, lt: 12 })).toBe(true);
    expect(matchesCondition(12, { gte: 9, lt: 12 })).toBe(false);
    expect(matchesCondition(12, { lte: 12, gt: 9 })).toBe(true);
    expect(matchesCondition(9, { lte: 12, gt: 9 })).toBe(false);
  });

  it("throws, naming the field, when a range meets a non-number", () => {
    for (const value of ["9", "sms", true]) {
      expect(() => matchesCondition(value, { lt: 10 }, "when.hour")).toThrow(ValidationError);
      expect(() => matchesCondition(value, { lt: 10 }, "when.hour")).toThrow(
        /^when\.hour: a range applies to numbers only/,
      );
    }
  });

  it("is what an action space's constraint rules use", () => {
    const space = new ActionSpace({
      dimensions: [
        { name: "channel", options: ["email", "sms"] },
        { name: "hour", options: [8, "9", 12] },
      ],
      constraints: [{ forbid: { channel: "sms", hour: { in: [8, 9] } } }],
    });
    // 8 is forbidden with sms; the option "9" is text, so the number 9 in the rule does not name it.
    const feasible: string[] = [];
    space.forEachFeasible(space.compileEligibility(undefined), (codes) => {
      feasible.push(JSON.stringify(space.recordOf(space.indexOfCodes(codes))));
      return true;
    });
    expect(feasible).toEqual([
      '{"channel":"email","hour":8}',
      '{"channel":"email","hour":"9"}',
      '{"channel":"email","hour":12}',
      '{"channel":"sms","hour":"9"}',
      '{"channel":"sms","hour":12}',
    ]);
    expect(
      () =>
        new ActionSpace({
          dimensions: { channel: ["email", "sms"] },
          constraints: [{ forbid: { channel: { lt: 3 } } }],
        }),
    ).toThrow(/constraints\[0\]\.forbid\.channel: a range applies to numbers only/);
  });
});
