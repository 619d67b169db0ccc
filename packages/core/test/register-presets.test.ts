import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  BanditPolicy,
  createPolicy,
  definePreset,
  FixedRule,
  type PolicyParts,
  policyKinds,
  registeredPresets,
  registerPresets,
  UniformRule,
} from "../src/index.js";

/** A policy class a registered preset asks for (as a package with a training schedule would). */
class CountingPolicy extends BanditPolicy {
  static built = 0;
  constructor(parts: PolicyParts) {
    super(parts);
    CountingPolicy.built++;
  }
}

const uniformTest = definePreset({
  kind: "uniform-test",
  summary: "uniform over the feasible actions (a test preset)",
  propensity: "exact",
  rewards: "any",
  settings: z.strictObject({ label: z.string().default("x") }),
  build: () => ({ rule: new UniformRule() }),
  makePolicy: (parts) => new CountingPolicy(parts),
});

describe("registerPresets", () => {
  const actionSpace = { dimensions: { offer: ["a", "b"] } };

  it("lets createPolicy build another package's presets, as the policy class they name", () => {
    expect(() => createPolicy({ kind: "uniform-test", actionSpace } as never)).toThrow(/policy\.kind/);
    registerPresets({ "uniform-test": uniformTest });
    registerPresets({ "uniform-test": uniformTest }); // again: a no-op
    const policy = createPolicy({ kind: "uniform-test", actionSpace, label: "y" } as never);
    expect(policy).toBeInstanceOf(CountingPolicy);
    expect(CountingPolicy.built).toBe(1);
    expect(policy.snapshot().config).toMatchObject({ kind: "uniform-test", label: "y" });
    expect(() => createPolicy({ kind: "uniform-test", actionSpace, lable: "y" } as never)).toThrow(
      /policy\.lable/,
    );
    expect(Object.keys(registeredPresets())).toEqual([...policyKinds, "uniform-test"]);
    // Core's own kinds still build a BanditPolicy, and their list is unchanged.
    expect(createPolicy({ kind: "random", actionSpace }).constructor).toBe(BanditPolicy);
    expect(policyKinds).not.toContain("uniform-test");
  });

  it("refuses a kind that is taken, or a preset registered under another name", () => {
    const fixed = definePreset({ ...uniformTest, kind: "fixed", build: () => ({ rule: new FixedRule([]) }) });
    expect(() => registerPresets({ fixed })).toThrow(/"fixed" is registered/);
    expect(() => registerPresets({ other: uniformTest })).toThrow(/registered as "other"/);
  });
});
