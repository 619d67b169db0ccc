// A declared interaction (channel × hour) keeps its cells as one block (a constraint across it stays inside,
// so Thompson propensities stay exact), but the shared model learns each cell as its options' effects, which
// every cell holding that option shares, plus a constant of its own: what is learned about email at 9 also
// tells about email at 19.
import { describe, expect, it } from "vitest";
import { ActionSpace, type ActionSpaceConfig, Blocks, createRng, SharedLinearModel } from "../src/index.js";
import { unitRemap } from "../src/policies/snapshot-remap.js";
import { ridgeFit } from "./ridge-reference.js";

const config: ActionSpaceConfig = {
  dimensions: { offer: ["a", "b"], channel: ["email", "sms"], hour: [9, 19] },
};
const space = new ActionSpace(config);
const blocks = Blocks.factorised(space, [["channel", "hour"]]);
// Units: offer 0–1 | cells 2–5 (email@9, email@19, sms@9, sms@19); hidden option effects: email 6, sms 7,
// hour 9 8, hour 19 9. Context [x, 1]: the intercept is column 1.
const d = 2;
const D = 10 * d;
const options = { interceptColumn: 1 };
/** The held precision of a cell's context coefficient (λ · PriorPrecision's MAX_RATIO). */
const HELD = 1e6;

function observations(n: number, seed: string) {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => ({
    x: Float64Array.of(rng.next() * 2 - 1, 1),
    codes: [Math.floor(rng.next() * 2), Math.floor(rng.next() * 2), Math.floor(rng.next() * 2)],
    reward: rng.next() < 0.2 + 0.3 * rng.next() ? 1 : 0,
  }));
}
type Data = ReturnType<typeof observations>;

function fed(model: SharedLinearModel, data: Data, flushEach = false): SharedLinearModel {
  const units = new Int32Array(blocks.count);
  for (const o of data) {
    blocks.unitsOf(o.codes, units);
    model.observe(o.x, units, o.reward, 1);
    if (flushEach) means(model, o.x);
  }
  return model;
}

function means(model: SharedLinearModel, x: Float64Array): Float64Array {
  const out = new Float64Array(model.blocks.unitCount);
  model.scoreUnits(x, { mode: "mean" }, out);
  return out;
}

/** The ridge fit over φ: x at the offer's unit, the cell's and its two options' effects; cells' x column held. */
function ridge(data: Data): Float64Array {
  const prior = new Float64Array(D).fill(1);
  for (let cell = 2; cell < 6; cell++) prior[cell * d] = HELD;
  const rows = data.map(({ x, codes, reward }) => {
    const phi = new Float64Array(D);
    const [offer, channel, hour] = codes as [number, number, number];
    for (const unit of [offer, 2 + 2 * channel + hour, 6 + channel, 8 + hour])
      for (let i = 0; i < d; i++) phi[unit * d + i]! += x[i]!;
    return { phi, reward };
  });
  return ridgeFit(rows, prior).theta;
}

/** What the ridge fit scores unit u with at x: a cell adds its two options' effects. */
function expectedMean(theta: Float64Array, u: number, x: Float64Array): number {
  const at = (unit: number) => theta[unit * d]! * x[0]! + theta[unit * d + 1]! * x[1]!;
  if (u < 2) return at(u);
  const channel = Math.floor((u - 2) / 2);
  const hour = (u - 2) % 2;
  return at(u) + at(6 + channel) + at(8 + hour);
}

describe("a declared interaction in the shared model", () => {
  it("is exact: the ridge fit over options' effects plus constant cells, one at a time, in a batch and merged", () => {
    const data = observations(500, "exact");
    const theta = ridge(data);
    const oneByOne = fed(new SharedLinearModel(blocks, d, options), data, true);
    const batch = fed(new SharedLinearModel(blocks, d, options), data);
    const merged = fed(new SharedLinearModel(blocks, d, options), data.slice(0, 200));
    merged.merge(fed(new SharedLinearModel(blocks, d, options), data.slice(200)));
    expect(batch.mode).toBe("exact");
    for (const x of [Float64Array.of(0.4, 1), Float64Array.of(-0.9, 1)]) {
      for (const model of [oneByOne, batch, merged]) {
        const m = means(model, x);
        for (let u = 0; u < blocks.unitCount; u++) expect(m[u]).toBeCloseTo(expectedMean(theta, u, x), 8);
      }
    }
    // A cell's own context coefficient is held at (about) 0.
    for (let cell = 2; cell < 6; cell++) expect(Math.abs(batch.coefficients(cell)[0]!)).toBeLessThan(1e-4);
  });

  it("shares what one cell teaches with every cell holding its options", () => {
    // Only email at 9 is ever sent, and it converts where x > 0.
    const rng = createRng("transfer");
    const data = Array.from({ length: 300 }, () => {
      const x = Float64Array.of(rng.next() * 2 - 1, 1);
      return { x, codes: [0, 0, 0], reward: x[0]! > 0 ? 1 : 0 };
    });
    const model = fed(new SharedLinearModel(blocks, d, options), data);
    const high = means(model, Float64Array.of(0.9, 1));
    const low = means(model, Float64Array.of(-0.9, 1));
    // email at 19 (unit 3) learned email's context effect; sms at 19 (unit 5) learned nothing.
    expect(high[3]! - low[3]!).toBeGreaterThan(0.3);
    expect(Math.abs(high[5]! - low[5]!)).toBeLessThan(1e-6);
  });

  it("restores into a space with an added hour: cells and option effects kept, the new cells start from their options", () => {
    const model = fed(new SharedLinearModel(blocks, d, options), observations(400, "snapshot"));
    const wider = new ActionSpace({ dimensions: { ...config.dimensions, hour: [9, 19, 21] } });
    const widerBlocks = Blocks.factorised(wider, [["channel", "hour"]]);
    const restored = new SharedLinearModel(widerBlocks, d, options);
    restored.load(model.toJSON(), unitRemap(config, widerBlocks));
    const x = Float64Array.of(0.3, 1);
    const before = means(model, x);
    const after = means(restored, x);
    // Units here: offer 0–1 | email@9, @19, @21 2–4 | sms@9, @19, @21 5–7.
    const here = [0, 1, 2, 3, 5, 6];
    here.forEach((u, old) => {
      expect(after[u]).toBeCloseTo(before[old]!, 9);
    });
    // email at 21: email's effect, no hour-21 effect, no cell constant yet.
    const email = model.coefficients(6);
    expect(after[4]).toBeCloseTo(email[0]! * x[0]! + email[1]!, 9);
  });

  it("restores a snapshot from before cells had options' effects, those effects at the prior", () => {
    const model = fed(new SharedLinearModel(blocks, d, options), observations(300, "old"));
    const json = model.toJSON() as {
      target: number[];
      counts: number[];
      gram: { row: number; column: number; values: number[] }[];
      prior?: { values: number[] };
    };
    // The old layout: no hidden units (the last four).
    const kept = 6;
    const old = {
      ...json,
      target: json.target.slice(0, kept * d),
      counts: json.counts.slice(0, kept),
      gram: json.gram.filter((b) => b.row < kept && b.column < kept),
      prior: json.prior && { ...json.prior, values: json.prior.values.slice(0, kept * d) },
    };
    const restored = new SharedLinearModel(blocks, d, options);
    restored.load(old);
    for (let u = 6; u < 10; u++) expect([...restored.coefficients(u)]).toEqual([0, 0]);
    const m = means(restored, Float64Array.of(0.5, 1));
    for (const v of m) expect(Number.isFinite(v)).toBe(true);
  });
});
