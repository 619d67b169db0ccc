// Issue 8: "Action attributes (a discount's percentage, a price) may enter as numeric features of an
// option." Declared in the action space, learned by the linear models as one shared term per attribute, so
// that options share what an attribute is worth and an option added later starts from its prediction.
import { describe, expect, it } from "vitest";
import {
  ActionSpace,
  type ActionSpaceConfig,
  Blocks,
  createPolicy,
  createRng,
  invertSpd,
  matVec,
  type PolicyConfig,
  policyKinds,
  SharedLinearModel,
  SnapshotMismatchError,
  ValidationError,
} from "../src/index.js";
import { HiddenTerms } from "../src/models/hidden-terms.js";
import { ridgeFit } from "./ridge-reference.js";

const offers = ["none", "10%", "20%"];
const discounted: ActionSpaceConfig = {
  dimensions: { offer: offers, channel: ["email", "sms"] },
  attributes: {
    offer: {
      none: { discount: 0, premium: 0 },
      "10%": { discount: 0.5, premium: 1 },
      "20%": { discount: 1, premium: 0 },
    },
  },
};

function fieldOf(config: unknown): string {
  try {
    new ActionSpace(config as ActionSpaceConfig);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).field;
  }
  throw new Error("accepted");
}

describe("option attributes in the action space", () => {
  it("are read per option, kept in the configuration and the fingerprint", () => {
    const space = new ActionSpace(discounted);
    expect(space.hasAttributes).toBe(true);
    expect(space.attributes[0]!.names).toEqual(["discount", "premium"]);
    expect([...space.attributes[0]!.values]).toEqual([0, 0, 0.5, 1, 1, 0]);
    expect(space.attributes[1]!.names).toEqual([]);
    expect(new ActionSpace(space.toConfig()).fingerprint()).toBe(space.fingerprint());
    const plain = new ActionSpace({ dimensions: discounted.dimensions });
    expect(plain.fingerprint()).not.toBe(space.fingerprint());
    // A space without attributes keeps the configuration (and fingerprint) it always had.
    expect(Object.keys(plain.toConfig())).toEqual(["dimensions", "constraints"]);
  });

  it("name the field of a bad table", () => {
    const withTable = (offer: unknown, dimension = "offer") => ({
      dimensions: discounted.dimensions,
      attributes: { [dimension]: offer },
    });
    const full = { none: { discount: 0 }, "10%": { discount: 0.1 }, "20%": { discount: 0.2 } };
    expect(fieldOf(withTable(full, "colour"))).toBe("actionSpace.attributes.colour");
    expect(fieldOf(withTable({ ...full, "30%": { discount: 0.3 } }))).toBe(
      "actionSpace.attributes.offer.30%",
    );
    expect(fieldOf(withTable({ none: full.none, "10%": full["10%"] }))).toBe(
      "actionSpace.attributes.offer.20%",
    );
    expect(fieldOf(withTable({ ...full, "20%": {} }))).toBe("actionSpace.attributes.offer.20%.discount");
    expect(fieldOf(withTable({ ...full, "20%": { discount: 0.2, price: 3 } }))).toBe(
      "actionSpace.attributes.offer.20%.price",
    );
    expect(fieldOf(withTable({ ...full, "20%": { discount: Number.NaN } }))).toBe(
      "actionSpace.attributes.offer.20%.discount",
    );
  });
});

describe("attribute terms", () => {
  it("follow an option into an interaction block: a channel × hour unit carries its hour's values", () => {
    const space = new ActionSpace({
      dimensions: { offer: ["a", "b"], channel: ["email", "sms"], hour: [9, 19] },
      attributes: {
        hour: { 9: { evening: 0 }, 19: { evening: 1 } },
        offer: { a: { rate: 0.1 }, b: { rate: 0.3 } },
      },
    });
    const blocks = Blocks.factorised(space, [["channel", "hour"]]).withBaseline();
    // Units: baseline 0 | offer 1–2 | channel × hour 3–6; hidden units: offer's rate 7, hour's evening 8,
    // then the interaction's option effects: email 9, sms 10, hour 9 11, hour 19 12.
    const terms = new HiddenTerms(blocks);
    expect(terms.count).toBe(6);
    expect(terms.attributeCount).toBe(2);
    const units = blocks.unitsOf(
      space.codesOf(space.indexOf({ offer: "b", channel: "sms", hour: 19 })),
      new Int32Array(3),
    );
    const { slots, scales } = terms.slotsOf(units);
    expect([...slots]).toEqual([0, 2, 6, 7, 10, 8, 12]);
    expect([...scales!]).toEqual([1, 1, 1, 0.3, 1, 1, 1]);
    expect(terms.constantUnits()).toEqual([3, 4, 5, 6]);
  });
});

describe("the shared model with attributes", () => {
  const space = new ActionSpace(discounted);
  // Baseline, offer and channel blocks: units 0 | 1–3 | 4–5, then the attribute units 6 (discount), 7 (premium).
  const blocks = Blocks.factorised(space).withBaseline();
  const d = 2;
  const D = 8 * d;
  const values = (o: number) => [0, [0, 0.5, 1][o]!, [0, 1, 0][o]!];

  /** Random observations: a context [x, 1], an action's codes and a reward. */
  function observations(n: number, seed: string) {
    const rng = createRng(seed);
    return Array.from({ length: n }, () => ({
      x: Float64Array.of(rng.next() * 2 - 1, 1),
      codes: [Math.floor(rng.next() * 3), Math.floor(rng.next() * 2)],
      reward: rng.next() < 0.3 ? 1 : 0,
    }));
  }

  /** The ridge solution (I + Σφφᵀ)⁻¹Σrφ, and that inverse, over the features φ: x at the action's units, value·x at its attributes'. */
  function ridge(data: ReturnType<typeof observations>): { theta: Float64Array; inverse: Float64Array } {
    const rows = data.map(({ x, codes, reward }) => {
      const phi = new Float64Array(D);
      const [_, discount, premium] = values(codes[0]!);
      const slots: [number, number][] = [
        [0, 1],
        [1 + codes[0]!, 1],
        [4 + codes[1]!, 1],
        [6, discount!],
        [7, premium!],
      ];
      for (const [slot, scale] of slots) for (let i = 0; i < d; i++) phi[slot * d + i]! += scale * x[i]!;
      return { phi, reward };
    });
    return ridgeFit(rows, new Float64Array(D).fill(1));
  }

  /** What the ridge solution scores unit u with at x: its own θ·x plus its attributes' value·θ·x. */
  function expectedMean(theta: Float64Array, u: number, x: Float64Array): number {
    const at = (unit: number) => theta[unit * d]! * x[0]! + theta[unit * d + 1]! * x[1]!;
    if (u < 1 || u > 3) return at(u);
    const [, discount, premium] = values(u - 1);
    return at(u) + discount! * at(6) + premium! * at(7);
  }

  function means(model: SharedLinearModel, x: Float64Array): Float64Array {
    const out = new Float64Array(blocks.unitCount);
    model.scoreUnits(x, { mode: "mean" }, out);
    return out;
  }

  const fed = (model: SharedLinearModel, data: ReturnType<typeof observations>, flushEach: boolean) => {
    const units = new Int32Array(blocks.count);
    for (const o of data) {
      blocks.unitsOf(o.codes, units);
      model.observe(o.x, units, o.reward, 1);
      if (flushEach) means(model, o.x); // scoring flushes: one rank-one update per observation
    }
    return model;
  };

  it("is exact: the ridge fit over the attributes' features, one at a time, in a batch and merged", () => {
    const data = observations(400, "exact");
    const { theta } = ridge(data);
    const oneByOne = fed(new SharedLinearModel(blocks, d), data, true);
    const batch = fed(new SharedLinearModel(blocks, d), data, false);
    const merged = fed(new SharedLinearModel(blocks, d), data.slice(0, 150), false);
    merged.merge(fed(new SharedLinearModel(blocks, d), data.slice(150), false));
    expect(oneByOne.mode).toBe("exact");
    const x = Float64Array.of(0.3, 1);
    for (const model of [oneByOne, batch, merged]) {
      const m = means(model, x);
      for (let u = 0; u < blocks.unitCount; u++) expect(m[u]).toBeCloseTo(expectedMean(theta, u, x), 9);
    }
  });

  it("gives an option the width of independent terms: √(w_u² + Σ value²·w_attribute²)", () => {
    const model = fed(new SharedLinearModel(blocks, d, { noise: 1 }), observations(200, "widths"), false);
    const x = Float64Array.of(-0.6, 1);
    const mean = new Float64Array(blocks.unitCount);
    const sd = new Float64Array(blocks.unitCount);
    model.gaussianScores(x, mean, sd);
    // x'A⁻¹x of a unit, A = I + Σ scale²·xxᵀ over the observations (scale 0 where the unit was not used).
    const form = (scaleOf: (codes: number[]) => number) => {
      const gram = Float64Array.of(1, 0, 0, 1);
      for (const o of observations(200, "widths")) {
        const s = scaleOf(o.codes);
        for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) gram[i * d + j]! += s * s * o.x[i]! * o.x[j]!;
      }
      const inverse = new Float64Array(4);
      invertSpd(gram, d, inverse, new Float64Array(d));
      const v = new Float64Array(d);
      matVec(inverse, x, d, v);
      return v[0]! * x[0]! + v[1]! * x[1]!;
    };
    const discountWidth = form((c) => values(c[0]!)[1]!);
    const premiumWidth = form((c) => values(c[0]!)[2]!);
    for (let o = 0; o < 3; o++) {
      const [, discount, premium] = values(o);
      const expected =
        form((c) => (c[0] === o ? 1 : 0)) + discount! ** 2 * discountWidth + premium! ** 2 * premiumWidth;
      expect(sd[1 + o]).toBeCloseTo(Math.sqrt(expected), 9);
    }
  });

  it("states an attribute's marginal sd from the joint inverse, and none when backfitting", () => {
    const data = observations(300, "marginal");
    const exact = fed(new SharedLinearModel(blocks, d, { noise: 1 }), data, false);
    const backfit = fed(new SharedLinearModel(blocks, d, { noise: 1, backfit: true }), data, false);
    const x = Float64Array.of(0.2, 1);
    const mean = new Float64Array(2);
    const sd = new Float64Array(2);
    exact.attributeScores(x, mean, sd);
    // The discount unit's block of (I + Σφφᵀ)⁻¹, from the direct solve.
    const { theta, inverse } = ridge(data);
    expect(mean[0]).toBeCloseTo(theta[12]! * 0.2 + theta[13]!, 9);
    const at = 6 * d;
    let form = 0;
    for (let a = 0; a < d; a++)
      for (let b = 0; b < d; b++) form += x[a]! * inverse[(at + a) * D + at + b]! * x[b]!;
    expect(sd[0]).toBeCloseTo(Math.sqrt(form), 9);
    backfit.attributeScores(x, mean, sd);
    expect(Number.isNaN(sd[0])).toBe(true);
  });

  it("backfits (systems too large to fit exactly) to within 0.01 of the exact fit on uniform traffic", () => {
    const data = observations(20_000, "backfit");
    const exact = fed(new SharedLinearModel(blocks, d), data, false);
    const backfit = fed(new SharedLinearModel(blocks, d, { backfit: true }), data, false);
    expect(backfit.mode).toBe("backfit");
    const x = Float64Array.of(0.5, 1);
    const a = means(exact, x);
    const b = means(backfit, x);
    // Each action's score: the sum of its units' means (baseline, offer with its attributes, channel).
    for (let o = 0; o < 3; o++) {
      for (let c = 0; c < 2; c++) {
        expect(Math.abs(b[0]! + b[1 + o]! + b[4 + c]! - (a[0]! + a[1 + o]! + a[4 + c]!))).toBeLessThan(0.01);
      }
    }
  });
});

describe("auto with attributes", () => {
  // One dimension, conversions rising with the discount: 5% + 50% of the rate.
  const rate = (discount: number) => 0.05 + 0.5 * discount;
  const levels: Record<string, number> = { none: 0, "10%": 0.1, "20%": 0.2, "40%": 0.4 };
  const spaceOf = (names: string[]): ActionSpaceConfig => ({
    dimensions: { offer: names },
    attributes: { offer: Object.fromEntries(names.map((n) => [n, { discount: levels[n]! }])) },
  });
  const policyOver = (actionSpace: ActionSpaceConfig) =>
    createPolicy({ kind: "auto", actionSpace, seed: 5, rewardRange: [0, 1] } as PolicyConfig);

  function trained() {
    const policy = policyOver(spaceOf(["none", "10%", "20%", "40%"]));
    const rng = createRng("discounts");
    for (let day = 0; day < 40; day++) {
      // Uniform traffic, as a holdout that explores would give: every level is measured.
      const feedback = Array.from({ length: 100 }, (_, i) => {
        const offer = ["none", "10%", "20%", "40%"][(day * 100 + i) % 4]!;
        return { context: {}, action: { offer }, reward: rng.next() < rate(levels[offer]!) ? 1 : 0 };
      });
      policy.update(feedback);
    }
    return policy;
  }

  it("over one dimension fits one shared model: a baseline, the options and the attribute", () => {
    const blocks = policyOver(spaceOf(["none", "10%"])).rewardModel!.blocks;
    expect(blocks.dims).toEqual([[], [0]]);
  });

  it("starts an added option from what its attributes predict, not from the prior", () => {
    levels["30%"] = 0.3;
    const snapshot = trained().snapshot();
    const extended = policyOver(spaceOf(["none", "10%", "20%", "40%", "30%"]));
    extended.restore(snapshot);
    const scores = extended.decide({}).scores.offer!;
    // An option's score is its share of the action's (the baseline, every option's, is not shown): compare
    // with "none". The lift at 30% is 0.3 × the fitted slope, whose standard error with 1,000 customers per
    // level (rates 5–25%, noise variance ≈ 0.11, variance of the levels 0.022) is √(0.11/(4,000·0.022)) ≈
    // 0.036: 0.011, so 4 of them is 0.045. Its own deviation starts at 0. Without attributes the option would
    // start at the prior mean 0, below "none": a lift of −0.03 instead of 0.15.
    const lift = scores["30%"]! - scores.none!;
    expect(Math.abs(lift - (rate(0.3) - rate(0)))).toBeLessThan(0.045);
    expect(scores["30%"]!).toBeGreaterThan(scores["20%"]!);
    expect(scores["30%"]!).toBeLessThan(scores["40%"]!);
    // Its own deviation's prior is the options' pooled one, far tighter than λ = 1 here, where the
    // discount explains the offers exactly. Units: the baseline, the five offers, the attribute.
    const { values } = (extended.snapshot().model as { prior: { values: number[] } }).prior;
    expect(values).toHaveLength(7);
    expect(values[5]).toBe(values[3]);
    expect(values[5]).toBeGreaterThan(100);
  });

  it("reports what one unit of an attribute is worth, with its uncertainty", () => {
    const effects = trained().attributeEffects({});
    // The slope is 0.5 per unit of discount; its standard error with this traffic is about 0.036 (above).
    const { mean, sd } = effects.offer!.discount!;
    expect(Math.abs(mean - 0.5)).toBeLessThan(4 * 0.036);
    expect(sd).toBeCloseTo(0.036, 2);
    expect(policyOver({ dimensions: { offer: ["none", "10%"] } }).attributeEffects({})).toEqual({});
    // Reading it changes nothing: a twin that never did decides alike.
    const [asked, twin] = [trained(), trained()];
    asked.attributeEffects({});
    expect(asked.actionProbabilities({})).toEqual(twin.actionProbabilities({}));
    expect(asked.snapshot()).toEqual(twin.snapshot());
  });

  it.each(["auto", "hybrid-linucb"])(
    "%s: the attribute's 95% interval covers the truth in 95% of runs",
    (kind) => {
      // 200 runs of 1,200 customers spread evenly over the four offers. Coverage of a correct 95% interval
      // over 200 runs has sd √(0.95·0.05/200) = 0.015: at least 0.89 (4 sd) must cover. The conditional
      // width a Thompson draw uses (the other units taken as known) covered 78% of the time here.
      const names = ["none", "10%", "20%", "40%"];
      let covered = 0;
      const runs = 200;
      for (let run = 0; run < runs; run++) {
        const policy = createPolicy({
          kind,
          actionSpace: spaceOf(names),
          seed: run,
          rewardRange: [0, 1],
        } as PolicyConfig);
        const rng = createRng(`coverage-${run}`);
        for (let day = 0; day < 12; day++) {
          policy.update(
            Array.from({ length: 100 }, (_, i) => {
              const offer = names[(day * 100 + i) % 4]!;
              return { context: {}, action: { offer }, reward: rng.next() < rate(levels[offer]!) ? 1 : 0 };
            }),
          );
        }
        const { mean, sd } = policy.attributeEffects!({}).offer!.discount!;
        if (Math.abs(mean - 0.5) <= 1.96 * sd!) covered++;
      }
      expect(covered / runs).toBeGreaterThan(0.89);
    },
  );

  it("refuses a snapshot in which a kept option's attribute had another value, and names it", () => {
    const snapshot = trained().snapshot();
    levels["10%"] = 0.15;
    try {
      const changed = policyOver(spaceOf(["none", "10%", "20%", "40%", "30%"]));
      expect(() => changed.restore(snapshot)).toThrow(SnapshotMismatchError);
      expect(() => changed.restore(snapshot)).toThrow(
        "attribute discount of offer 10% is 0.15 here, 0.1 in the snapshot",
      );
    } finally {
      levels["10%"] = 0.1;
    }
  });
});

describe.each(policyKinds.filter((k) => k !== "fixed"))("%s over a space with attributes", (kind) => {
  it("decides in batches, learns the best offer, and restores a snapshot that decides alike", () => {
    const make = () =>
      createPolicy({
        kind,
        actionSpace: discounted,
        context: { vectorLength: 2 },
        seed: 9,
        rewardRange: [0, 1],
      } as PolicyConfig);
    const policy = make();
    const rng = createRng(`attributes/${kind}`);
    // "20%" converts at 60%, the others at 10%: 6 actions, 2 of them best.
    const days = 15;
    let best = 0;
    for (let day = 0; day < days; day++) {
      const contexts = Array.from({ length: 100 }, () => [rng.next(), 1]);
      const decisions = policy.decideBatch(contexts);
      policy.update(
        decisions.map((d, i) => {
          if (day === days - 1 && d.action.offer === "20%") best++;
          return {
            context: contexts[i]!,
            action: d.action,
            reward: rng.next() < (d.action.offer === "20%" ? 0.6 : 0.1) ? 1 : 0,
          };
        }),
      );
    }
    // Random play sends "20%" to a third (sd 4.7 in 100): every learner sends it to most on the last day.
    if (kind === "random") expect(best).toBeLessThan(50);
    else expect(best, kind).toBeGreaterThan(50);
    const copy = make();
    copy.restore(policy.snapshot());
    const context = [0.7, 1];
    expect(copy.decide(context, { decisionId: "same" }).action).toEqual(
      policy.decide(context, { decisionId: "same" }).action,
    );
    expect(copy.actionProbabilities(context)).toEqual(policy.actionProbabilities(context));
  });
});
