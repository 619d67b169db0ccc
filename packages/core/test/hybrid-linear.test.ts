import fc from "fast-check";
import { add, identity, inv, type Matrix, matrix, multiply, subtract, transpose } from "mathjs";
import { describe, expect, it } from "vitest";
import { ActionSpace, Blocks, HybridLinearModel } from "../src/index.js";

type Row = { x: number[]; unit: number; reward: number };

/**
 * Li et al. (2010), algorithm 2, written out with dense mathjs matrices: A₀, b₀, and per arm A_a, B_a, b_a;
 * β = A₀⁻¹b₀, θ_a = A_a⁻¹(b_a − B_aβ), and the UCB width from their equation for s_{t,a}.
 */
function reference(space: ActionSpace, d: number, lambda: number, rows: Row[], x: number[]) {
  const counts = space.dimensions.map((_, i) => space.optionCount(i));
  const k = counts.reduce((a, b) => a + b, 0);
  const z = (unit: number): number[] => {
    const out = new Array<number>(k).fill(0);
    const codes = space.codesOf(unit);
    let offset = 0;
    counts.forEach((n, i) => {
      out[offset + codes[i]!] = 1;
      offset += n;
    });
    return out;
  };
  const col = (v: number[]): Matrix => matrix(v.map((e) => [e]));
  let a0: Matrix = multiply(identity(k), lambda) as Matrix;
  let b0: Matrix = matrix(new Array(k).fill(0).map(() => [0]));
  const arms = new Map<number, { A: Matrix; B: Matrix; b: Matrix }>();
  const arm = (u: number) => {
    let s = arms.get(u);
    if (!s) {
      s = {
        A: multiply(identity(d), lambda) as Matrix,
        B: matrix(new Array(d).fill(0).map(() => new Array(k).fill(0))),
        b: matrix(new Array(d).fill(0).map(() => [0])),
      };
      arms.set(u, s);
    }
    return s;
  };
  for (const r of rows) {
    const s = arm(r.unit);
    const xa = col(r.x);
    const za = col(z(r.unit));
    // The algorithm's update: A₀ += B_aᵀA_a⁻¹B_a and b₀ += B_aᵀA_a⁻¹b_a before, minus after.
    let ainv = inv(s.A);
    a0 = add(a0, multiply(multiply(transpose(s.B), ainv), s.B)) as Matrix;
    b0 = add(b0, multiply(multiply(transpose(s.B), ainv), s.b)) as Matrix;
    s.A = add(s.A, multiply(xa, transpose(xa))) as Matrix;
    s.B = add(s.B, multiply(xa, transpose(za))) as Matrix;
    s.b = add(s.b, multiply(xa, r.reward)) as Matrix;
    ainv = inv(s.A);
    a0 = subtract(
      add(a0, multiply(za, transpose(za))),
      multiply(multiply(transpose(s.B), ainv), s.B),
    ) as Matrix;
    b0 = subtract(add(b0, multiply(za, r.reward)), multiply(multiply(transpose(s.B), ainv), s.b)) as Matrix;
  }
  const a0inv = inv(a0);
  const beta = multiply(a0inv, b0) as Matrix;
  const xc = col(x);
  return Array.from({ length: space.size }, (_, u) => {
    const s = arm(u);
    const ainv = inv(s.A);
    const za = col(z(u));
    const theta = multiply(ainv, subtract(s.b, multiply(s.B, beta))) as Matrix;
    const mean =
      (multiply(transpose(za), beta) as Matrix).get([0, 0]) +
      (multiply(transpose(xc), theta) as Matrix).get([0, 0]);
    const aix = multiply(ainv, xc) as Matrix;
    const w = multiply(transpose(s.B), aix) as Matrix; // B_aᵀA_a⁻¹x
    const width =
      (multiply(multiply(transpose(za), a0inv), za) as Matrix).get([0, 0]) -
      2 * (multiply(multiply(transpose(za), a0inv), w) as Matrix).get([0, 0]) +
      (multiply(transpose(xc), aix) as Matrix).get([0, 0]) +
      (multiply(multiply(transpose(w), a0inv), w) as Matrix).get([0, 0]);
    return { mean, width: Math.sqrt(Math.max(0, width)) };
  });
}

describe("hybrid linear model (hybrid LinUCB)", () => {
  it("scores agree with Li et al.'s algorithm written out in mathjs", () => {
    const space = new ActionSpace({ dimensions: { offer: ["a", "b", "c"], channel: ["email", "sms"] } });
    const d = 3;
    const lambda = 1.5;
    const vec = fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: d, maxLength: d });
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            x: vec,
            unit: fc.nat({ max: space.size - 1 }),
            reward: fc.double({ min: 0, max: 3, noNaN: true }),
          }),
          { maxLength: 25 },
        ),
        vec,
        fc.double({ min: 0.1, max: 2, noNaN: true }),
        (rows, x, alpha) => {
          const model = new HybridLinearModel(Blocks.joint(space), d, lambda);
          const units = new Int32Array(1);
          for (const r of rows) {
            units[0] = r.unit;
            model.observe(Float64Array.from(r.x), units, r.reward, 1);
          }
          const expected = reference(space, d, lambda, rows, x);
          const mean = new Float64Array(space.size);
          const upper = new Float64Array(space.size);
          model.scoreUnits(Float64Array.from(x), { mode: "mean" }, mean);
          model.scoreUnits(Float64Array.from(x), { mode: "upper", alpha }, upper);
          expected.forEach((e, u) => {
            expect(mean[u]).toBeCloseTo(e.mean, 8);
            expect(upper[u]).toBeCloseTo(e.mean + alpha * e.width, 8);
          });
        },
      ),
      { numRuns: 60 },
    );
  });
});
