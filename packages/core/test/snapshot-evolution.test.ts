import { describe, expect, it } from "vitest";
import { createPolicy, type PolicyConfig, SnapshotMismatchError, ValidationError } from "../src/index.js";

const before = { dimensions: { offer: ["none", "10%", "20%"], channel: ["email", "sms"] } };
const context = { features: [{ name: "x", type: "numeric" as const }] };

/** A policy of `kind` trained on a fixed stream where "20%" by sms converts best. */
function trained(config: Omit<PolicyConfig, "actionSpace">) {
  const policy = createPolicy({ ...config, actionSpace: before, context, seed: 1 } as PolicyConfig);
  const feedback = [];
  for (let i = 0; i < 300; i++) {
    const offer = before.dimensions.offer[i % 3]!;
    const channel = before.dimensions.channel[Math.floor(i / 3) % 2]!;
    const reward = (offer === "20%" ? 0.5 : 0) + (channel === "sms" ? 0.3 : 0) + ((i * 7) % 10) / 100;
    feedback.push({ context: { x: (i % 5) / 5 }, action: { offer, channel }, reward });
  }
  policy.update(feedback);
  return policy;
}

describe("snapshots across changes of options", () => {
  for (const kind of [
    "factorised-thompson",
    "lints",
    "beta-thompson",
    "gaussian-thompson",
    "auto",
  ] as const) {
    it(`${kind}: an added option starts at the prior, the others keep what they learned`, () => {
      const config = {
        kind,
        ...(kind === "beta-thompson" ? {} : { rewardRange: [0, 1] as [number, number] }),
      };
      const old = trained(config as Omit<PolicyConfig, "actionSpace">);
      const after = { dimensions: { offer: ["none", "10%", "20%", "30%"], channel: ["email", "sms"] } };
      const grown = createPolicy({ ...config, actionSpace: after, context, seed: 1 } as PolicyConfig);
      grown.restore(old.snapshot());
      const fresh = createPolicy({ ...config, actionSpace: after, context, seed: 1 } as PolicyConfig);
      const x = { x: 0.4 };
      const oldScores = old.decide(x).scores;
      const newScores = grown.decide(x).scores;
      const priorScores = fresh.decide(x).scores;
      for (const offer of ["none", "10%", "20%"])
        expect(newScores.offer![offer]).toBeCloseTo(oldScores.offer![offer]!, 9);
      expect(newScores.offer!["30%"]).toBeCloseTo(priorScores.offer!["30%"]!, 9);
    });
  }

  it("a removed option's statistics are dropped and a renamed one keeps its own", () => {
    const old = trained({ kind: "factorised-thompson", rewardRange: [0, 1] });
    const after = { dimensions: { offer: ["none", "twenty"], channel: ["email", "sms"] } };
    const policy = createPolicy({
      kind: "factorised-thompson",
      rewardRange: [0, 1],
      actionSpace: after,
      context,
    });
    policy.restore(old.snapshot(), { rename: { offer: { "20%": "twenty" } } });
    const x = { x: 0.4 };
    expect(policy.decide(x).scores.offer!.twenty).toBeCloseTo(old.decide(x).scores.offer!["20%"]!, 9);
    expect(Object.keys(policy.decide(x).scores.offer!)).toEqual(["none", "twenty"]);
  });

  it("restores from the snapshot's JSON text, and names what is wrong", () => {
    const old = trained({ kind: "lints", rewardRange: [0, 1] });
    const copy = createPolicy({ kind: "lints", rewardRange: [0, 1], actionSpace: before, context, seed: 1 });
    copy.restore(JSON.stringify(old.snapshot()));
    expect(copy.decide({ x: 0.2 }, { decisionId: "a" })).toEqual(old.decide({ x: 0.2 }, { decisionId: "a" }));
    expect(() => copy.restore("{not json")).toThrow(SnapshotMismatchError);
    expect(() => copy.restore(old.snapshot(), { rename: { offer: { "50%": "x" } } })).toThrow(
      ValidationError,
    );
    const other = createPolicy({
      kind: "lints",
      rewardRange: [0, 1],
      actionSpace: { dimensions: { offer: ["none"], day: ["mon"] } },
      context,
    });
    expect(() => other.restore(old.snapshot())).toThrow(/added: day; removed: channel/);
  });

  it("refuses a model of another shape (another version's) in one line naming the field, unchanged", () => {
    // A per-action model under the configuration of a shared one: what a greedy snapshot over several
    // dimensions taken before structure "auto" moved to the shared model looks like to this version.
    const perAction = trained({ kind: "greedy", structure: "joint" } as PolicyConfig).snapshot();
    const shared = trained({ kind: "greedy" });
    // (Taken first: a snapshot canonicalises the shared model, which moves its last bits.)
    const forged = { ...perAction, config: shared.snapshot().config };
    const before = shared.decide({ x: 0.4 }, { decisionId: "b" });
    let message = "";
    try {
      shared.restore(forged);
    } catch (error) {
      expect(error).toBeInstanceOf(SnapshotMismatchError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/^snapshot\.model\.\w+: .+another version of Kairos\?\)$/);
    expect(message).not.toContain("\n");
    expect(shared.decide({ x: 0.4 }, { decisionId: "b" })).toEqual(before);
  });
});
