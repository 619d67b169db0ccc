import fc from "fast-check";
import { inv, matrix, multiply, transpose } from "mathjs";
import { describe, expect, it } from "vitest";
import {
  addOuter,
  cholesky,
  inverseDiagonal,
  invertSpd,
  quadraticForm,
  scaledIdentity,
  shermanMorrison,
} from "../src/linalg/dense.js";

/** A random SPD matrix M = GᵀG + I (well conditioned) as row-major Float64Array, plus its nested-array form. */
const spdArb = fc.integer({ min: 1, max: 8 }).chain((d) =>
  fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: d * d, maxLength: d * d }).map((g) => {
    const rows = Array.from({ length: d }, (_, i) => g.slice(i * d, i * d + d));
    const m = multiply(transpose(matrix(rows)), matrix(rows)).toArray() as number[][];
    for (let i = 0; i < d; i++) m[i]![i]! += 1;
    return { d, m };
  }),
);

const flat = (m: number[][]) => Float64Array.from(m.flat());
const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number) => {
  for (let i = 0; i < a.length; i++)
    expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i]!)));
};

describe("dense linear algebra against mathjs", () => {
  it("inverseDiagonal from the Cholesky factor agrees with mathjs inv's diagonal", () => {
    fc.assert(
      fc.property(spdArb, ({ d, m }) => {
        const l = new Float64Array(d * d);
        expect(cholesky(flat(m), d, l)).toBe(true);
        const out = new Float64Array(d);
        inverseDiagonal(l, d, out, new Float64Array(d));
        const exact = inv(m) as number[][];
        close(out, Float64Array.from(exact.map((row, i) => row[i]!)), 1e-9);
      }),
    );
  });

  it("invertSpd agrees with mathjs inv on random SPD matrices", () => {
    fc.assert(
      fc.property(spdArb, ({ d, m }) => {
        const out = new Float64Array(d * d);
        expect(invertSpd(flat(m), d, out, new Float64Array(d * d))).toBe(true);
        close(out, flat(inv(m) as number[][]), 1e-9);
      }),
    );
  });

  it("rank-one updated inverses agree with mathjs inverses of the updated matrix", () => {
    fc.assert(
      fc.property(
        spdArb,
        fc.array(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 8, maxLength: 8 }), {
          minLength: 1,
          maxLength: 20,
        }),
        ({ d, m }, xs) => {
          const a = flat(m);
          const ainv = new Float64Array(d * d);
          invertSpd(a, d, ainv, new Float64Array(d * d));
          const scratch = new Float64Array(d);
          for (const row of xs) {
            const x = Float64Array.from(row.slice(0, d));
            addOuter(a, x, 1, d);
            shermanMorrison(ainv, x, 1, d, scratch);
          }
          const nested = Array.from({ length: d }, (_, i) => [...a.slice(i * d, i * d + d)]);
          close(ainv, flat(inv(nested) as number[][]), 1e-7);
        },
      ),
    );
  });

  it("quadraticForm equals xᵀMx computed by mathjs", () => {
    fc.assert(
      fc.property(
        spdArb,
        fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 8, maxLength: 8 }),
        ({ d, m }, v) => {
          const x = v.slice(0, d);
          const expected = multiply(multiply(x, m), x) as unknown as number;
          expect(quadraticForm(flat(m), Float64Array.from(x), d)).toBeCloseTo(expected, 8);
        },
      ),
    );
  });

  it("refuses a matrix that is not positive definite", () => {
    const bad = scaledIdentity(2, 1);
    bad[3] = -1;
    expect(invertSpd(bad, 2, new Float64Array(4), new Float64Array(4))).toBe(false);
  });
});
