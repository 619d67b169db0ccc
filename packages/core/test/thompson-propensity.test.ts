import fc from "fast-check";
import { erf, lgamma } from "mathjs";
import { describe, expect, it } from "vitest";
import { thompsonStructure } from "../src/exploration/thompson-structure.js";
import { winProbabilities } from "../src/exploration/win-probabilities.js";
import {
  ActionSpace,
  argmaxProbability,
  Blocks,
  beta,
  betaCdf,
  betaDraws,
  createPolicy,
  createRng,
  gamma,
  logBetaFunction,
  normal,
  normalCdf,
  normalCdfFast,
  optimisticArgmaxProbability,
  posteriorArgmaxProbability,
  studentDraws,
} from "../src/index.js";

/** How often each unit's draw is the largest, over `n` rounds of `draw(u)` for every unit. */
function winCounts(units: readonly number[], n: number, draw: (u: number) => number): Float64Array {
  const wins = new Float64Array(units.length);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (const u of units) {
      const s = draw(u);
      if (s > bestScore) {
        bestScore = s;
        best = u;
      }
    }
    wins[best]!++;
  }
  return wins;
}

describe("exact Thompson propensities", () => {
  it("normalCdf matches known values", () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959963985)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.158655254, 6);
  });

  it("the table-interpolated CDF agrees with mathjs' erf", () => {
    fc.assert(
      fc.property(fc.double({ min: -12, max: 12, noNaN: true }), (x) => {
        const exact = 0.5 * (1 + erf(x / Math.SQRT2));
        // erfc's Chebyshev fit is good to 1.2e-7 (relative); interpolation adds ≤ 4e-9.
        expect(Math.abs(normalCdfFast(x) - exact)).toBeLessThan(1.5e-7);
        expect(Math.abs(normalCdf(x) - exact)).toBeLessThan(1.5e-7);
      }),
      { numRuns: 2000 },
    );
  });

  it("argmax probabilities sum to 1 and agree with 50,000 simulated draws", () => {
    // 50,000 draws give a standard error ≤ √(0.25/5e4) ≈ 0.0022 per probability; we allow 5 SE plus the
    // integration error allowed in the brute-force comparison below.
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            m: fc.double({ min: -2, max: 2, noNaN: true }),
            s: fc.double({ min: 0.05, max: 2, noNaN: true }),
          }),
          {
            minLength: 2,
            maxLength: 5,
          },
        ),
        fc.nat(),
        (arms, seed) => {
          const means = Float64Array.from(arms, (a) => a.m);
          const sds = Float64Array.from(arms, (a) => a.s);
          const units = arms.map((_, i) => i);
          const exact = units.map((u) => argmaxProbability(means, sds, units, u));
          expect(Math.abs(exact.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-4);
          const rng = createRng(seed);
          const n = 50_000;
          const wins = winCounts(units, n, (u) => means[u]! + sds[u]! * normal(rng));
          for (const u of units) expect(Math.abs(wins[u]! / n - exact[u]!)).toBeLessThan(5 * 0.0022 + 5e-5);
        },
      ),
      { numRuns: 6, seed: 20261128 },
    );
  });

  it("optimistic draws max(N(m, s²), m): win probabilities sum to 1 and agree with 50,000 simulated draws", () => {
    // The same bound as above; a third of the units have zero width (their draw is their mean).
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            m: fc.double({ min: -2, max: 2, noNaN: true }),
            s: fc.oneof(fc.constant(0), fc.double({ min: 0.05, max: 2, noNaN: true })),
          }),
          { minLength: 2, maxLength: 6 },
        ),
        fc.nat(),
        (arms, seed) => {
          const means = Float64Array.from(arms, (a) => a.m);
          const sds = Float64Array.from(arms, (a) => a.s);
          fc.pre(new Set(means).size === means.length); // equal means tie: the policy redraws those
          const units = arms.map((_, i) => i);
          const exact = units.map((u) => optimisticArgmaxProbability(means, sds, units, u));
          expect(Math.abs(exact.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-4);
          const rng = createRng(seed);
          const n = 50_000;
          const wins = winCounts(units, n, (u) => means[u]! + sds[u]! * Math.max(0, normal(rng)));
          for (const u of units) expect(Math.abs(wins[u]! / n - exact[u]!)).toBeLessThan(5 * 0.0022 + 5e-5);
        },
      ),
      { numRuns: 12, seed: 20261130 },
    );
  });

  it("agrees with brute-force integration, including far-apart widths, zero-width rivals and many rivals", () => {
    // Reference: the midpoint rule with cells of at most 1/20 of the narrowest width over the whole support,
    // split at zero-width rivals' steps; its own error is far below the 5e-5 allowed here.
    const reference = (means: Float64Array, sds: Float64Array, units: number[], t: number): number => {
      const positive = units.map((u) => sds[u]!).filter((s) => s > 0);
      const step = Math.min(...positive) / 20;
      const lo = Math.min(...units.map((u) => means[u]! - 9 * sds[u]!));
      const hi = means[t]! + 9 * sds[t]!;
      const steps = units
        .filter((u) => sds[u] === 0 && means[u]! > lo && means[u]! < hi)
        .map((u) => means[u]!);
      const edges = [lo, ...steps, hi].sort((a, b) => a - b);
      const integrand = (x: number): number => {
        const z = (x - means[t]!) / sds[t]!;
        let f = Math.exp(-0.5 * z * z) / (sds[t]! * Math.sqrt(2 * Math.PI));
        for (const j of units) {
          if (j === t) continue;
          f *= sds[j] === 0 ? (x > means[j]! ? 1 : 0) : normalCdf((x - means[j]!) / sds[j]!);
        }
        return f;
      };
      let total = 0;
      for (let e = 0; e + 1 < edges.length; e++) {
        const cells = Math.ceil((edges[e + 1]! - edges[e]!) / step);
        const h = (edges[e + 1]! - edges[e]!) / cells;
        for (let k = 0; k < cells; k++) total += integrand(edges[e]! + (k + 0.5) * h) * h;
      }
      return total;
    };
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            m: fc.double({ min: -1, max: 1, noNaN: true }),
            s: fc.oneof(fc.double({ min: 0.01, max: 1, noNaN: true }), fc.constant(0)),
          }),
          { minLength: 2, maxLength: 40 },
        ),
        fc.nat(),
        (arms, pick) => {
          const means = Float64Array.from(arms, (a) => a.m);
          const sds = Float64Array.from(arms, (a) => a.s);
          const units = arms.map((_, i) => i);
          const t = pick % arms.length;
          if (sds[t] === 0) return; // a point mass: covered by the closed form, not integration
          expect(
            Math.abs(argmaxProbability(means, sds, units, t) - reference(means, sds, units, t)),
          ).toBeLessThan(5e-5);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("stays accurate with many identical rivals (their product of CDFs is steeper than each)", () => {
    for (const n of [4, 8, 16, 64, 576]) {
      const units = Array.from({ length: n }, (_, i) => i);
      const p = argmaxProbability(new Float64Array(n), new Float64Array(n).fill(1), units, 0);
      expect(Math.abs(n * p - 1)).toBeLessThan(3e-5);
    }
  });

  it("stays accurate when grids of near-identical units interleave", () => {
    // A case fast-check found: three units with equal means and almost equal widths.
    const means = Float64Array.from([1e-12, 0, 0]);
    const sds = Float64Array.from([0.05, 0.05, 0.0508]);
    const sum = [0, 1, 2].reduce((t, u) => t + argmaxProbability(means, sds, [0, 1, 2], u), 0);
    expect(Math.abs(sum - 1)).toBeLessThan(1e-4);
  });

  it("a factorised LinTS decision's propensity is the frequency of its choice", () => {
    const policy = createPolicy({
      kind: "factorised-thompson",
      actionSpace: { dimensions: { offer: ["a", "b", "c"], channel: ["email", "sms"] } },
      context: { vectorLength: 2 },
      seed: 9,
    });
    const rng = createRng(4);
    policy.update(
      Array.from({ length: 60 }, () => ({
        context: [rng.next(), rng.next()],
        action: Math.floor(rng.next() * 6),
        reward: rng.next() < 0.3 ? 1 : 0,
      })),
    );
    const x = [0.5, 0.2];
    const probs = policy.actionProbabilities(x);
    // Two blocks, each within the 5e-5 integration bound (the sums are a product of both).
    expect(Math.abs(probs.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-4);
    // 4,000 decisions: each frequency has a standard error ≤ 0.008; 4 SE plus integration error.
    const counts = new Float64Array(6);
    for (let i = 0; i < 4000; i++) {
      const d = policy.decide(x, { decisionId: `f${i}` });
      expect(d.propensity).toBeCloseTo(probs[d.actionIndex]!, 12);
      counts[d.actionIndex]!++;
    }
    counts.forEach((c, a) => {
      expect(Math.abs(c / 4000 - probs[a]!)).toBeLessThan(4 * 0.008 + 1e-4);
    });
  });
});

describe("exact Beta–Bernoulli Thompson propensities", () => {
  it("the Beta CDF agrees with the binomial-sum identity (mathjs lgamma)", () => {
    // For integer shapes, I_x(a, b) = Σ_{j=a}^{a+b−1} C(a+b−1, j) x^j (1−x)^(a+b−1−j).
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 400 }),
        fc.double({ min: 0.0001, max: 0.9999, noNaN: true }),
        (a, b, x) => {
          const n = a + b - 1;
          let sum = 0;
          for (let j = a; j <= n; j++)
            sum += Math.exp(
              lgamma(n + 1) - lgamma(j + 1) - lgamma(n - j + 1) + j * Math.log(x) + (n - j) * Math.log1p(-x),
            );
          expect(Math.abs(betaCdf(x, a, b, logBetaFunction(a, b)) - sum)).toBeLessThan(1e-9);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("argmax probabilities sum to 1 and agree with 50,000 simulated draws", () => {
    // 50,000 draws: standard error ≤ √(0.25/5e4) ≈ 0.0022 per probability; 5 SE allowed.
    fc.assert(
      fc.property(
        fc.array(fc.record({ s: fc.integer({ min: 0, max: 300 }), f: fc.integer({ min: 0, max: 300 }) }), {
          minLength: 2,
          maxLength: 6,
        }),
        fc.nat(),
        (arms, seed) => {
          const alphas = Float64Array.from(arms, (a) => 1 + a.s);
          const betas = Float64Array.from(arms, (a) => 1 + a.f);
          const units = arms.map((_, i) => i);
          const draws = betaDraws(alphas, betas);
          const exact = units.map((u) => posteriorArgmaxProbability(draws, units, u));
          expect(Math.abs(exact.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(2e-6);
          const rng = createRng(seed);
          const n = 50_000;
          const wins = winCounts(units, n, (u) => beta(rng, alphas[u]!, betas[u]!));
          for (const u of units) expect(Math.abs(wins[u]! / n - exact[u]!)).toBeLessThan(5 * 0.0022);
        },
      ),
      { numRuns: 5 },
    );
  });

  it("a beta-thompson decision's propensity is exact, follows every update, and is its choice frequency", () => {
    const policy = createPolicy({
      kind: "beta-thompson",
      actionSpace: { dimensions: { offer: ["a", "b", "c", "d"] } },
      seed: 3,
    });
    const rng = createRng(8);
    const rates = [0.1, 0.15, 0.2, 0.12];
    const learn = (n: number) =>
      policy.update(
        Array.from({ length: n }, (_, i) => ({
          context: {},
          action: i % 4,
          reward: rng.next() < rates[i % 4]! ? 1 : 0,
        })),
      );
    learn(80);
    const before = policy.actionProbabilities({});
    learn(80);
    const probs = policy.actionProbabilities({});
    expect(probs).not.toEqual(before); // the cached win probabilities follow the model's revision
    expect(Math.abs(probs.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(2e-6);
    // 4,000 decisions: standard error ≤ 0.008 per frequency; 4 SE.
    const counts = new Float64Array(4);
    for (let i = 0; i < 4000; i++) {
      const d = policy.decide({}, { decisionId: `b${i}` });
      expect(d.propensity).toBeCloseTo(probs[d.actionIndex]!, 12);
      counts[d.actionIndex]!++;
    }
    counts.forEach((c, a) => {
      expect(Math.abs(c / 4000 - probs[a]!)).toBeLessThan(4 * 0.008);
    });
  });

  it("is exact with prior shapes below 1 (unbounded densities): the integral is its choice frequency", () => {
    const policy = createPolicy({
      kind: "beta-thompson",
      actionSpace: { dimensions: { offer: ["a", "b", "c"] } },
      prior: { alpha: 0.5, beta: 0.5 },
      seed: 3,
    });
    // Arm a never fails (β = 0.5: density unbounded at 1), arm c never succeeds (α = 0.5: unbounded at 0).
    policy.update([
      { context: {}, action: 0, reward: 1 },
      { context: {}, action: 1, reward: 1 },
      { context: {}, action: 1, reward: 0 },
      { context: {}, action: 2, reward: 0 },
    ]);
    const probs = policy.actionProbabilities({});
    expect(Math.abs(probs.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-8);
    // 4,000 decisions: standard error ≤ 0.008 per frequency; 4 SE.
    const counts = new Float64Array(3);
    for (let i = 0; i < 4000; i++) {
      const d = policy.decide({}, { decisionId: `h${i}` });
      expect(d.propensity).toBeCloseTo(probs[d.actionIndex]!, 12);
      expect(d.propensityError).toBe(0);
      counts[d.actionIndex]!++;
    }
    counts.forEach((c, a) => {
      expect(Math.abs(c / 4000 - probs[a]!)).toBeLessThan(4 * 0.008);
    });
  });
});

describe("exact Normal–Inverse-Gamma Thompson propensities (Student-t draws)", () => {
  it("the Student-t CDF is the integral of its density", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 30, max: 400, noNaN: true }),
        fc.double({ min: -2, max: 2, noNaN: true }),
        fc.double({ min: 0.1, max: 3, noNaN: true }),
        fc.double({ min: -6, max: 6, noNaN: true }),
        (dof, location, scale, z) => {
          const t = studentDraws(Float64Array.of(location), Float64Array.of(scale), Float64Array.of(dof));
          const x = location + z * scale;
          // Midpoint rule from 60 scales below: the mass further out is < 1e-30 at 30+ degrees of freedom.
          const from = location - 60 * scale;
          const cells = 60_000;
          const h = (x - from) / cells;
          let mass = 0;
          for (let k = 0; k < cells; k++) mass += t.pdf(0, from + (k + 0.5) * h) * h;
          expect(Math.abs(t.cdf(0, x) - mass)).toBeLessThan(1e-7);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("argmax probabilities sum to 1 and agree with 50,000 simulated draws", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            m: fc.double({ min: -1, max: 1, noNaN: true }),
            s: fc.double({ min: 0.05, max: 1, noNaN: true }),
            v: fc.double({ min: 30, max: 200, noNaN: true }),
          }),
          { minLength: 2, maxLength: 6 },
        ),
        fc.nat(),
        (arms, seed) => {
          const location = Float64Array.from(arms, (a) => a.m);
          const scale = Float64Array.from(arms, (a) => a.s);
          const dof = Float64Array.from(arms, (a) => a.v);
          const draws = studentDraws(location, scale, dof);
          const units = arms.map((_, i) => i);
          const exact = units.map((u) => posteriorArgmaxProbability(draws, units, u));
          expect(Math.abs(exact.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(2e-6);
          const rng = createRng(seed);
          const n = 50_000;
          const wins = winCounts(units, n, (u) => {
            // T = Z / √(G/ν) with G ~ χ²_ν = 2·Gamma(ν/2).
            const t = normal(rng) / Math.sqrt((2 * gamma(rng, dof[u]! / 2)) / dof[u]!);
            return location[u]! + scale[u]! * t;
          });
          // Standard error ≤ √(0.25/5e4) ≈ 0.0022 per probability; 5 SE allowed.
          for (const u of units) expect(Math.abs(wins[u]! / n - exact[u]!)).toBeLessThan(5 * 0.0022);
        },
      ),
      { numRuns: 5 },
    );
  });

  it("a gaussian-thompson propensity is exact at any degrees of freedom (few: adaptive quadrature)", () => {
    const policy = createPolicy({
      kind: "gaussian-thompson",
      actionSpace: { dimensions: { offer: ["a", "b", "c"] } },
      propensityDraws: 99,
      seed: 4,
    });
    const rng = createRng(12);
    const revenue = [10, 12, 11];
    const learn = (n: number) =>
      policy.update(
        Array.from({ length: n }, (_, i) => ({
          context: {},
          action: i % 3,
          reward: revenue[i % 3]! + 5 * normal(rng),
        })),
      );
    learn(30); // 10 per arm: 2αn = 2 + 10 = 12 degrees of freedom
    const early = policy.decide({});
    expect(early.propensityError).toBe(0);
    expect(early.propensity).toBeCloseTo(policy.actionProbabilities({})[early.actionIndex]!, 12);
    learn(120); // 50 per arm: 52 degrees of freedom
    const probs = policy.actionProbabilities({});
    expect(Math.abs(probs.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(2e-6);
    const counts = new Float64Array(3);
    for (let i = 0; i < 4000; i++) {
      const d = policy.decide({}, { decisionId: `g${i}` });
      expect(d.propensity).toBeCloseTo(probs[d.actionIndex]!, 12);
      counts[d.actionIndex]!++;
    }
    // 4,000 decisions: standard error ≤ 0.008 per frequency; 4 SE.
    counts.forEach((c, a) => {
      expect(Math.abs(c / 4000 - probs[a]!)).toBeLessThan(4 * 0.008);
    });
  });
});

describe("adaptive quadrature for irregular posteriors (winProbabilities)", () => {
  it("agrees with the panel quadrature where both apply (Beta shapes integer or ≥ 3)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            a: fc.oneof(fc.integer({ min: 1, max: 80 }), fc.double({ min: 3, max: 80, noNaN: true })),
            b: fc.oneof(fc.integer({ min: 1, max: 80 }), fc.double({ min: 3, max: 80, noNaN: true })),
          }),
          {
            minLength: 2,
            maxLength: 6,
          },
        ),
        (arms) => {
          const draws = betaDraws(
            Float64Array.from(arms, (x) => x.a),
            Float64Array.from(arms, (x) => x.b),
          );
          const units = arms.map((_, i) => i);
          const { probabilities } = winProbabilities(draws, units);
          // The panel quadrature's values are good to ~1e-5 (its sums within 2e-6 of 1, above); the adaptive
          // one's estimated error is 1e-9.
          for (const u of units)
            expect(Math.abs(probabilities[u]! - posteriorArgmaxProbability(draws, units, u))).toBeLessThan(
              1e-5,
            );
        },
      ),
      { numRuns: 40 },
    );
  });

  it("is exact for Beta shapes below 1 (closed forms: P(X_i is the max) = a_i / Σa for Beta(a, 1))", () => {
    // X ~ Beta(a, 1) is U^(1/a), so P(X_1 > max_j X_j) = ∫ a x^(a−1) x^(Σ_{j≠1} a_j) dx = a_1 / Σ a.
    // Densities unbounded at 0 (a < 1); mirrored, Beta(1, b) draws have densities unbounded at 1.
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.15, max: 3, noNaN: true }), { minLength: 2, maxLength: 5 }),
        (shapes) => {
          const total = shapes.reduce((s, a) => s + a, 0);
          const ones = Float64Array.from(shapes, () => 1);
          const units = shapes.map((_, i) => i);
          const low = winProbabilities(betaDraws(Float64Array.from(shapes), ones), units);
          const high = winProbabilities(betaDraws(ones, Float64Array.from(shapes)), units);
          // Mirrored: X = 1 − V with V ~ Beta(b, 1): the largest X is the smallest V, P = (Σb − b_i)/… only for
          // two units; for more, compare the sum and the two-unit case below.
          for (const u of units)
            expect(Math.abs(low.probabilities[u]! - shapes[u]! / total)).toBeLessThan(1e-7);
          expect(Math.abs(high.probabilities.reduce((s, p) => s + p, 0) - 1)).toBeLessThan(1e-7);
          if (shapes.length === 2) {
            // P(1 − V_0 > 1 − V_1) = P(V_0 < V_1) = b_1 / (b_0 + b_1).
            expect(Math.abs(high.probabilities[0]! - shapes[1]! / total)).toBeLessThan(1e-7);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("is exact for Cauchy draws (Student-t, 1 dof: no mean, no variance)", () => {
    // X_1 − X_2 is Cauchy(m_1 − m_2, s_1 + s_2): P(X_1 > X_2) = ½ + atan((m_1 − m_2)/(s_1 + s_2))/π.
    fc.assert(
      fc.property(
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.double({ min: 0.05, max: 3, noNaN: true }),
        fc.double({ min: 0.05, max: 3, noNaN: true }),
        (m, s1, s2) => {
          const draws = studentDraws(Float64Array.of(m, 0), Float64Array.of(s1, s2), Float64Array.of(1, 1));
          const { probabilities } = winProbabilities(draws, [0, 1]);
          expect(Math.abs(probabilities[0]! - (0.5 + Math.atan(m / (s1 + s2)) / Math.PI))).toBeLessThan(1e-7);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("sums to 1 and agrees with 50,000 draws for low shapes, few dof and shifted draws", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            p: fc.double({ min: 0.2, max: 6, noNaN: true }),
            q: fc.double({ min: 0.2, max: 6, noNaN: true }),
            shift: fc.double({ min: -0.5, max: 0.5, noNaN: true }),
          }),
          { minLength: 2, maxLength: 5 },
        ),
        fc.boolean(),
        fc.nat(),
        (arms, student, seed) => {
          const draws = student
            ? studentDraws(
                Float64Array.from(arms, (a) => a.shift),
                Float64Array.from(arms, (a) => a.q / 6),
                Float64Array.from(arms, (a) => a.p),
              )
            : betaDraws(
                Float64Array.from(arms, (a) => a.p),
                Float64Array.from(arms, (a) => a.q),
              );
          const shift = student ? undefined : Float64Array.from(arms, (a) => a.shift);
          const units = arms.map((_, i) => i);
          const { probabilities } = winProbabilities(draws, units, shift);
          expect(Math.abs(probabilities.reduce((s, p) => s + p, 0) - 1)).toBeLessThan(1e-6);
          // One target alone (its own range) gives the same value.
          for (const u of units) {
            const alone = winProbabilities(draws, units, shift, 1e-9, u).probabilities[u]!;
            expect(Math.abs(alone - probabilities[u]!)).toBeLessThan(1e-7);
          }
          const rng = createRng(seed);
          const n = 50_000;
          const wins = winCounts(units, n, (u) => draws.sample(u, rng) + (shift ? shift[u]! : 0));
          // Standard error ≤ √(0.25/5e4) ≈ 0.0022 per probability; 5 SE allowed.
          for (const u of units) expect(Math.abs(wins[u]! / n - probabilities[u]!)).toBeLessThan(5 * 0.0022);
        },
      ),
      { numRuns: 12 },
    );
  });
});

describe("what couples blocks (thompsonStructure)", () => {
  const dims = { channel: ["email", "sms", "push"], hour: [8, 12, 19], offer: ["none", "10%"] };
  const constraints = [{ forbid: { channel: "sms", hour: { lt: 9 } } }];
  const structureOf = (blocks: Blocks, eligibility?: Parameters<ActionSpace["compileEligibility"]>[0]) =>
    thompsonStructure(blocks, blocks.space.compileEligibility(eligibility));

  it("a constraint inside one block (joint model, or a declared interaction) removes units and couples nothing", () => {
    const space = new ActionSpace({ dimensions: dims, constraints });
    const joint = structureOf(Blocks.joint(space));
    expect(joint.independent).toBe(true);
    expect(joint.allowed[0]).toHaveLength(18 - 2); // sms at 8, with either offer
    const interacted = structureOf(Blocks.factorised(space, [["channel", "hour"]]));
    expect(interacted.independent).toBe(true);
    expect(interacted.allowed.map((a) => a.length).sort()).toEqual([2, 8]);
  });

  it("a constraint across blocks couples them, unless the masks leave it nothing to forbid", () => {
    const space = new ActionSpace({ dimensions: dims, constraints });
    const blocks = Blocks.factorised(space);
    const coupled = structureOf(blocks);
    expect(coupled.components).toHaveLength(1);
    expect(coupled.components[0]!.blocks).toEqual([0, 1]);
    expect(coupled.componentOf[2]).toBe(-1); // offer stays free
    expect(structureOf(blocks, { deny: { channel: ["sms"] } }).independent).toBe(true);
    expect(structureOf(blocks, { allow: { hour: [12, 19] } }).independent).toBe(true);
  });

  it("excluded actions remove a unit of a joint model and couple every block of a factorised one", () => {
    const space = new ActionSpace({ dimensions: dims });
    const denyActions = [{ channel: "push", hour: 19, offer: "none" }];
    const joint = structureOf(Blocks.joint(space), { denyActions });
    expect(joint.independent).toBe(true);
    expect(joint.allowed[0]).toHaveLength(17);
    const factorised = structureOf(Blocks.factorised(space), { denyActions });
    expect(factorised.components.map((c) => c.blocks)).toEqual([[0, 1, 2]]);
    // An exclusion the masks already make impossible couples nothing.
    expect(
      structureOf(Blocks.factorised(space), { denyActions, deny: { channel: ["push"] } }).independent,
    ).toBe(true);
  });
});
