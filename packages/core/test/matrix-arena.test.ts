import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { kernelsModuleSource } from "../scripts/simd-kernels-source.js";
import {
  addOuter,
  cholesky,
  dot,
  inverseDiagonal,
  invertSpd,
  learnObservation,
  matVec,
  quadraticForm,
  shermanMorrison,
  slotMatVec,
  subtractOuterRows,
} from "../src/linalg/dense.js";
import { MatrixArena } from "../src/linalg/matrix-arena.js";

/** A symmetric d×d matrix and a vector, with exact zeros (skipped rows) and negative zeros mixed in. */
const caseArb = fc.integer({ min: 1, max: 40 }).chain((d) =>
  fc.record({
    d: fc.constant(d),
    upper: fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), {
      minLength: d * d,
      maxLength: d * d,
    }),
    x: fc.array(fc.oneof(fc.double({ min: -10, max: 10, noNaN: true }), fc.constant(0), fc.constant(-0)), {
      minLength: d,
      maxLength: d,
    }),
  }),
);

/** A number's exact bits (so −0 and NaN compare as themselves). */
const bits = (v: number) => (Number.isNaN(v) ? "NaN" : Object.is(v, -0) ? "-0" : v);

function symmetric(d: number, values: number[], into: Float64Array): Float64Array {
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      into[i * d + j] = values[i * d + j]!;
      into[j * d + i] = values[i * d + j]!;
    }
  }
  return into;
}

/**
 * An arena with trailing vectors (a unit's A⁻¹ and θ) and 45 seeded symmetric matrices with their vectors:
 * 8 KiB a matrix at d = 32 with 10 expected, so the 40 in the arena span several memories, and 5 plain
 * arrays (the JavaScript path). `next` draws more numbers from the same seed.
 */
function matrixPool(d: number, seed: number) {
  const arena = new MatrixArena(d, 10, false, true);
  let state = seed;
  const next = () => ((state = (state * 48271) % 2147483647) / 2147483647) * 2 - 1;
  const pool = Array.from({ length: 45 }, (_, k) => {
    const m = k < 40 ? arena.allocate() : new Float64Array(d * d + d).subarray(0, d * d);
    symmetric(d, Array.from({ length: d * d }, next), m);
    arena.vectorAfter(m).set(Array.from({ length: d }, next));
    return m;
  });
  return { arena, pool, next };
}

describe("MatrixArena (WebAssembly SIMD widths)", () => {
  it("allocates its matrices in WebAssembly memory on this runtime (d ≥ 6)", () => {
    const m = new MatrixArena(17, 1000).allocate();
    expect(m.length).toBe(17 * 17);
    expect(m.buffer.constructor).toBe(ArrayBuffer);
    expect(m.byteOffset).toBeGreaterThan(0); // after the loaded vector, inside a memory of its own
  });

  it("keeps plain arrays for a model whose matrices would fill less than a quarter of a 64 KiB memory", () => {
    const small = new MatrixArena(16, 3).allocate(); // 3 × 2 KiB
    expect(small.byteOffset).toBe(0);
    expect(small.buffer.byteLength).toBe(16 * 16 * 8);
    expect(new MatrixArena(16, 8).allocate().byteOffset).toBeGreaterThan(0); // 8 × 2 KiB = 16 KiB
  });

  it("gives x'Mx bit for bit as the JavaScript twin in dense.ts, for every d and zero pattern", () => {
    fc.assert(
      fc.property(caseArb, ({ d, upper, x }) => {
        const arena = new MatrixArena(d, 1000);
        const inArena = symmetric(d, upper, arena.allocate());
        const plain = symmetric(d, upper, new Float64Array(d * d));
        const vector = Float64Array.from(x);
        arena.load(vector);
        const expected = quadraticForm(plain, vector, d);
        expect(Object.is(arena.quadraticForm(inArena), expected)).toBe(true);
        // A matrix outside the arena takes the JavaScript path with the same vector.
        expect(Object.is(arena.quadraticForm(plain), expected)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("gives many x'Mx and the vectors after them times x in one call, bit for bit as one at a time", () => {
    // 8 KiB a matrix at d = 32, 10 expected: 40 matrices span several memories; 5 plain arrays (the
    // JavaScript path) mixed in, picked with repeats. Each matrix is followed by its vector (a unit's A⁻¹
    // and θ).
    fc.assert(
      fc.property(
        fc.integer({ min: 6, max: 32 }),
        fc.array(fc.integer({ min: 0, max: 44 }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 1000 }),
        (d, picks, seed) => {
          const { arena, pool, next } = matrixPool(d, seed);
          const x = Float64Array.from({ length: d }, next);
          const matrices = picks.map((k) => pool[k]!);
          const forms = new Float64Array(matrices.length);
          const means = new Float64Array(matrices.length);
          arena.posteriors(matrices, matrices.length, [x], forms, means);
          expect(Array.from(forms).map(bits)).toEqual(matrices.map((m) => bits(quadraticForm(m, x, d))));
          expect(Array.from(means).map(bits)).toEqual(
            matrices.map((m) => bits(dot(arena.vectorAfter(m), x, d))),
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it("gives a batch of contexts' forms and means bit for bit as one context at a time", () => {
    // Up to 40 contexts (blocks of 16, taken four, two and one at a time), with exact zeros and negative
    // zeros in their entries (rows skipped for some contexts taken together and not others), against
    // matrices spread over several memories and plain arrays.
    const entry = fc.oneof(
      fc.double({ min: -10, max: 10, noNaN: true }),
      fc.constant(0),
      fc.constant(-0),
      fc.double({ min: -10, max: 10, noNaN: true }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 6, max: 32 }),
        fc.array(fc.integer({ min: 0, max: 44 }), { minLength: 1, maxLength: 50 }),
        fc.integer({ min: 1, max: 40 }),
        fc.array(entry, { minLength: 40 * 32, maxLength: 40 * 32 }),
        fc.integer({ min: 1, max: 1000 }),
        (d, picks, rows, entries, seed) => {
          const { arena, pool } = matrixPool(d, seed);
          const matrices = picks.map((k) => pool[k]!);
          const count = matrices.length;
          const contexts = Array.from({ length: rows }, (_, r) =>
            Float64Array.from(entries.slice(r * d, (r + 1) * d)),
          );
          const forms = new Float64Array(rows * count);
          const means = new Float64Array(rows * count);
          arena.posteriors(matrices, count, contexts, forms, means);
          for (let r = 0; r < rows; r++) {
            const x = contexts[r]!;
            const row = (values: Float64Array) =>
              Array.from(values.subarray(r * count, (r + 1) * count), bits);
            expect(row(forms)).toEqual(matrices.map((m) => bits(quadraticForm(m, x, d))));
            expect(row(means)).toEqual(matrices.map((m) => bits(dot(arena.vectorAfter(m), x, d))));
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it("Sherman–Morrison steps and rank-one additions agree bit for bit with dense.ts, in the arena and outside it", () => {
    fc.assert(
      fc.property(caseArb, fc.double({ min: 0.1, max: 10, noNaN: true }), ({ d, upper, x }, w) => {
        const arena = new MatrixArena(d, 1000);
        const inArena = symmetric(d, upper, arena.allocate());
        const plain = symmetric(d, upper, new Float64Array(d * d));
        const outside = Float64Array.from(plain);
        const vector = Float64Array.from(x);
        const expectedProduct = matVec(plain, vector, d, new Float64Array(d));
        expect(Array.from(arena.matVec(inArena, vector)).map(bits)).toEqual(
          Array.from(expectedProduct).map(bits),
        );
        shermanMorrison(plain, vector, w, d, new Float64Array(d));
        arena.shermanMorrison(inArena, vector, w);
        arena.shermanMorrison(outside, vector, w);
        expect(Array.from(inArena).map(bits)).toEqual(Array.from(plain).map(bits));
        expect(Array.from(outside).map(bits)).toEqual(Array.from(plain).map(bits));
        addOuter(plain, vector, w, d);
        arena.addOuter(inArena, vector, w);
        expect(Array.from(inArena).map(bits)).toEqual(Array.from(plain).map(bits));
      }),
      { numRuns: 200 },
    );
  });

  it("learns an observation (Gram, target, Sherman–Morrison on the inverse and θ) bit for bit as dense.ts", () => {
    fc.assert(
      fc.property(
        caseArb,
        fc.double({ min: 0.1, max: 10, noNaN: true }),
        fc.double({ min: -5, max: 5, noNaN: true }),
        ({ d, upper, x }, w, r) => {
          // A unit as the model keeps it: A and b, P and θ, each vector right after its matrix; A = P = a
          // symmetric matrix with a dominant diagonal (the update only needs them symmetric and 1 + w·x'Px > 0).
          const arena = new MatrixArena(d, 1000, false, true);
          const unit = () => {
            const gram = symmetric(d, upper, arena.allocate());
            for (let i = 0; i < d; i++) gram[i * d + i] = Math.abs(gram[i * d + i]!) + 1e4;
            const inverse = arena.allocate();
            inverse.set(gram);
            arena.vectorAfter(gram).set(x);
            arena.vectorAfter(inverse).set(upper.slice(0, d));
            return { gram, inverse };
          };
          const inArena = unit();
          const plain = unit();
          const [gram, inverse] = [Float64Array.from(plain.gram), Float64Array.from(plain.inverse)];
          const [target, theta] = [
            Float64Array.from(arena.vectorAfter(plain.gram)),
            Float64Array.from(arena.vectorAfter(plain.inverse)),
          ];
          const vector = Float64Array.from(x);
          learnObservation(gram, target, inverse, theta, vector, w, r, d, new Float64Array(d));
          arena.learnObservation(inArena.gram, inArena.inverse, vector, w, r);
          for (const [got, expected] of [
            [inArena.gram, gram],
            [arena.vectorAfter(inArena.gram), target],
            [inArena.inverse, inverse],
            [arena.vectorAfter(inArena.inverse), theta],
          ] as const) {
            expect(Array.from(got).map(bits)).toEqual(Array.from(expected).map(bits));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("Cholesky, the inverse's diagonal and the inverse agree bit for bit with dense.ts", () => {
    // SPD matrices GᵀG + I, and an indefinite one (a negative diagonal) that both must refuse.
    const spdArb = fc.integer({ min: 1, max: 30 }).chain((d) =>
      fc
        .array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: d * d, maxLength: d * d })
        .map((g) => {
          const a = new Float64Array(d * d);
          for (let i = 0; i < d; i++) {
            for (let j = 0; j < d; j++) {
              let s = i === j ? 1 : 0;
              for (let k = 0; k < d; k++) s += g[k * d + i]! * g[k * d + j]!;
              a[i * d + j] = s;
            }
          }
          return { d, a };
        }),
    );
    fc.assert(
      fc.property(spdArb, fc.boolean(), ({ d, a }, indefinite) => {
        if (indefinite) a[(d - 1) * d + (d - 1)] = -1;
        const arena = new MatrixArena(d, 1000);
        const inArena = [arena.allocate(), arena.allocate(), arena.allocate()] as const;
        inArena[0].set(a);
        const plain = {
          factor: new Float64Array(d * d),
          inverse: new Float64Array(d * d),
          scratch: new Float64Array(d * d),
        };
        const ok = cholesky(a, d, plain.factor);
        expect(ok).toBe(!indefinite);
        expect(arena.cholesky(inArena[0], inArena[1])).toBe(ok);
        expect(Array.from(inArena[1]).map(bits)).toEqual(Array.from(plain.factor).map(bits));
        if (!ok) return;
        const diagonal = new Float64Array(d);
        inverseDiagonal(plain.factor, d, diagonal, new Float64Array(d));
        const fromArena = new Float64Array(d);
        arena.inverseDiagonal(inArena[1], fromArena);
        expect(Array.from(fromArena).map(bits)).toEqual(Array.from(diagonal).map(bits));
        expect(invertSpd(a, d, plain.inverse, plain.scratch)).toBe(true);
        expect(arena.invertSpd(inArena[0], inArena[2])).toBe(true);
        expect(Array.from(inArena[2]).map(bits)).toEqual(Array.from(plain.inverse).map(bits));
        // The diagonal agrees with the inverse's (a different order of operations: close, not equal).
        diagonal.forEach((v, i) => {
          expect(Math.abs(v - plain.inverse[i * d + i]!)).toBeLessThan(1e-9 * v);
        });
      }),
      { numRuns: 150 },
    );
  });

  it("the joint model's sparse product and full-row downdate agree bit for bit with dense.ts", () => {
    const caseArb = fc
      .record({ width: fc.integer({ min: 1, max: 8 }), slotCount: fc.integer({ min: 2, max: 6 }) })
      .chain(({ width, slotCount }) => {
        const n = width * slotCount;
        return fc.record({
          width: fc.constant(width),
          n: fc.constant(n),
          m: fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: n * n, maxLength: n * n }),
          x: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: width, maxLength: width }),
          slots: fc.uniqueArray(fc.integer({ min: 0, max: slotCount - 1 }), {
            minLength: 1,
            maxLength: slotCount,
          }),
          f: fc.double({ min: -3, max: 3, noNaN: true }),
        });
      });
    fc.assert(
      fc.property(caseArb, ({ width, n, m, x, slots, f }) => {
        const arena = new MatrixArena(n, 1000);
        const inArena = arena.allocate();
        inArena.set(m);
        const plain = Float64Array.from(m);
        const at = Int32Array.from(slots);
        const vector = Float64Array.from(x);
        const expected = slotMatVec(plain, n, at, vector, width, new Float64Array(n));
        const product = arena.slotMatVec(inArena, at, vector, width);
        expect(Array.from(product).map(bits)).toEqual(Array.from(expected).map(bits));
        subtractOuterRows(plain, expected, f, n);
        arena.subtractOuterRows(inArena, product, f);
        expect(Array.from(inArena).map(bits)).toEqual(Array.from(plain).map(bits));
      }),
      { numRuns: 200 },
    );
  });

  it("keeps every matrix across chunks: later allocations never detach or overwrite earlier ones", () => {
    // 8 KiB a matrix, 10 expected: the 400 below overflow into chunks that double (128 KiB, 256 KiB, …).
    const d = 32;
    const arena = new MatrixArena(d, 10);
    const matrices = Array.from({ length: 400 }, (_, k) => {
      const m = arena.allocate();
      for (let i = 0; i < d; i++) m[i * d + i] = k + 1;
      return m;
    });
    expect(new Set(matrices.map((m) => m.buffer)).size).toBeGreaterThan(2);
    const x = new Float64Array(d).fill(1);
    arena.load(x);
    matrices.forEach((m, k) => {
      expect(m.length).toBe(d * d);
      expect(arena.quadraticForm(m)).toBe(d * (k + 1));
    });
  });

  it("sizes its first memory for the matrices the model expects, and later ones at most to what is left", () => {
    const d = 32;
    const arena = new MatrixArena(d, 11); // 11 × 8 KiB + the vector: two 64 KiB pages
    const first = Array.from({ length: 11 }, () => arena.allocate());
    expect(new Set(first.map((m) => m.buffer)).size).toBe(1);
    expect(first[0]!.buffer.byteLength).toBe(2 * 65_536);
    // 600 expected (4.7 MiB): a first memory of 4 MiB (519 matrices), then one for the 81 left, not twice the first.
    const large = new MatrixArena(d, 600);
    const all = Array.from({ length: 600 }, () => large.allocate());
    const buffers = [...new Set(all.map((m) => m.buffer))];
    expect(buffers.map((b) => b.byteLength)).toEqual([65 * 65_536, 11 * 65_536]);
  });

  it("puts an eager model's matrices in one memory whatever their size", () => {
    const d = 600; // 2.9 MB a matrix: two exceed the 4 MiB a first memory holds otherwise
    const lazy = new MatrixArena(d, 2);
    expect(lazy.allocate().buffer).not.toBe(lazy.allocate().buffer);
    const eager = new MatrixArena(d, 2, true);
    expect(eager.allocate().buffer).toBe(eager.allocate().buffer);
  });

  it("recycles scratch matrices at release, zeroed, without touching the kept ones", () => {
    const d = 16;
    const arena = new MatrixArena(d, 1000);
    const kept = arena.allocate().fill(3);
    const first = Array.from({ length: 40 }, () => arena.allocateScratch().fill(7));
    arena.releaseScratch();
    const second = Array.from({ length: 40 }, () => arena.allocateScratch());
    // The same memory, handed out again from the start, and cleared.
    expect(second.map((m) => [m.buffer, m.byteOffset])).toEqual(first.map((m) => [m.buffer, m.byteOffset]));
    for (const m of second) expect(m.every((v) => v === 0)).toBe(true);
    expect(kept.every((v) => v === 3)).toBe(true);
    expect(first.some((m) => m.buffer === kept.buffer)).toBe(false);
  });

  it("the committed binary is the compiled simd-kernels.wat (regenerate: pnpm -F @kairos/core kernels)", async () => {
    const wat = readFileSync(new URL("../src/linalg/simd-kernels.wat", import.meta.url), "utf8");
    const committed = readFileSync(new URL("../src/linalg/simd-kernels-binary.ts", import.meta.url), "utf8");
    expect(await kernelsModuleSource(wat)).toBe(committed);
  });
});
