// Smoke test of the learning benchmark (`pnpm bench:learn`): a short replay of the linear problem by every
// Kairos preset, the references and the peers, and a shorter one of the constrained 4-dimensional
// marketing problem. Asserts that every preset learns, that constraints hold, and the shape of the
// results; never a duration.
import { beforeAll, describe, expect, it } from "vitest";
import { policyKinds } from "../../packages/core/src/index.js";
import {
  aggregate,
  defaultOptions,
  FORMAT,
  jobsOf,
  type LearnOptions,
  type LearnResults,
  machineMeta,
  policiesFor,
  runJob,
} from "../learn/harness.js";
import { learnHtml } from "../learn/html.js";
import { createKairos, KairosLearner } from "../learn/learner.js";
import { formatResults } from "../learn/report.js";
import { makeStream } from "../learn/stream.js";

const PRESETS = policyKinds.filter((k) => k !== "fixed");
const ROUNDS = 1500;
const SEEDS = [1, 2];

function run(opts: LearnOptions): LearnResults {
  return aggregate(opts, jobsOf(opts).map(runJob), machineMeta(opts, performance.now(), 0));
}

/**
 * Exact expected regrets on the linear problem over the seeds: of uniform random play, and of always
 * playing the arm that is best on average in hindsight (what a context-free learner can at best reach).
 */
function linearReferences(): { random: number; fixedArm: number } {
  let random = 0;
  let fixedArm = 0;
  for (const seed of SEEDS) {
    const s = makeStream("linear", seed, ROUNDS);
    const perArm = new Float64Array(s.problem.actionCount);
    let best = 0;
    for (let t = 0; t < ROUNDS; t++) {
      best += s.best[t]!;
      random += s.best[t]! - s.average[t]!;
      for (const a of s.problem.feasible) perArm[a] += s.mean(t, a);
    }
    fixedArm += best - Math.max(...perArm);
  }
  return { random: random / SEEDS.length, fixedArm: fixedArm / SEEDS.length };
}

describe("learning benchmark: linear problem, every policy", () => {
  const opts: LearnOptions = {
    ...defaultOptions("quick"),
    problems: ["linear"],
    seeds: SEEDS,
    horizon: ROUNDS,
    workers: 1,
  };
  let results: LearnResults;
  beforeAll(() => {
    results = run(opts);
  });
  const cell = (policy: string, batch: number) =>
    results.cells.find((c) => c.policy === policy && c.batch === batch)!;

  it("every Kairos preset beats uniform random by a margin, at both batch sizes", () => {
    const { random, fixedArm } = linearReferences();
    // The best fixed arm is within reach of every preset, context-free ones included: in 1,500 rounds each
    // closed at least 30% of the gap between random play and it when this test was written (context-free
    // Thompson and UCB1 the least, contextual presets up to 75%). Half of that, 15% (about 13 expected
    // conversions, 2.5 times the seed-to-seed noise of a mean over two seeds), still fails any preset that
    // learns nothing or locks onto a bad arm.
    const margin = 0.15 * (random - fixedArm);
    expect(random - fixedArm).toBeGreaterThan(50);
    for (const batch of opts.batchSizes) {
      for (const kind of PRESETS) {
        const c = cell(`kairos:${kind}`, batch);
        expect(c, `${kind} b=${batch}`).toBeDefined();
        expect(c.status, `${kind} b=${batch}: ${c.reason ?? ""}`).toBe("ok");
        expect(Number.isFinite(c.regret!.estimate), kind).toBe(true);
        if (kind === "random") {
          // The harness's own check: uniform play earns the exact expectation, up to noise.
          expect(Math.abs(c.regret!.estimate - random)).toBeLessThan(0.1 * random);
        } else {
          expect(c.regret!.estimate, `${kind} b=${batch}`).toBeLessThan(random - margin);
        }
      }
    }
  });

  it("the references bound every learner", () => {
    const { fixedArm } = linearReferences();
    for (const batch of opts.batchSizes) {
      const oracle = cell("ref:oracle", batch);
      expect(oracle.regret!.estimate).toBe(0);
      expect(oracle.oracleShare).toBe(1);
      // Full information with the true (linear per-arm) form uses the context: better than any fixed arm.
      const full = cell("ref:full-info", batch);
      expect(full.regret!.estimate).toBeGreaterThan(0);
      expect(full.regret!.estimate).toBeLessThan(fixedArm);
    }
  });

  it("has the documented shape", () => {
    expect(results.format).toBe(FORMAT);
    expect(results.meta.mode).toBe("quick");
    expect(results.meta.node).toMatch(/^v\d+/);
    expect(results.meta.cpuModel.length).toBeGreaterThan(0);
    expect(new Date(results.meta.date).getTime()).not.toBeNaN();
    expect(results.settings).toMatchObject({ seeds: SEEDS, batchSizes: [1, 100], propensities: false });
    const [problem] = results.problems;
    expect(problem).toMatchObject({
      id: "linear",
      horizon: ROUNDS,
      actions: 8,
      feasibleActions: 8,
      reward: "Bernoulli",
    });
    expect(problem!.checkpointRounds.length).toBe(opts.checkpoints);
    expect(problem!.checkpointRounds.at(-1)).toBe(ROUNDS);
    expect(problem!.oracleMean).toBeGreaterThan(problem!.randomMean);
    // Every preset (read from @kairos/core at run time), both references, and all three peer libraries.
    const ids = results.policies.map((p) => p.id);
    for (const kind of PRESETS) expect(ids).toContain(`kairos:${kind}`);
    expect(ids).not.toContain("kairos:fixed");
    expect(ids).toEqual(expect.arrayContaining(["ref:oracle", "ref:full-info"]));
    expect(new Set(results.policies.filter((p) => p.group === "peer").map((p) => p.library))).toEqual(
      new Set(["MABWiser", "VW", "OBP"]),
    );
    for (const batch of opts.batchSizes) {
      for (const p of results.policies) {
        const c = cell(p.id, batch);
        expect(c, `${p.id} b=${batch}`).toBeDefined();
        if (c.status !== "ok") {
          expect(c.reason).toMatch(/\w/);
          continue;
        }
        expect(c.regret!.low).toBeLessThanOrEqual(c.regret!.estimate);
        expect(c.regret!.high).toBeGreaterThanOrEqual(c.regret!.estimate);
        expect(c.perSeed!.length).toBe(SEEDS.length);
        expect(c.curve!.length).toBe(opts.checkpoints);
        // Regret per round is never negative: cumulative regret never decreases.
        for (let i = 0; i < c.curve!.length; i++) {
          expect(c.curve![i]).toBeGreaterThanOrEqual(i === 0 ? 0 : c.curve![i - 1]!);
        }
        expect(c.curve!.at(-1)).toBeCloseTo(c.regret!.estimate, 2);
        expect(c.oracleShare).toBeGreaterThan(0);
        expect(c.oracleShare).toBeLessThanOrEqual(1);
        expect(Number.isFinite(c.ratioToBestPeer)).toBe(true);
        expect(c.pairedRatio!.low).toBeLessThanOrEqual(c.pairedRatio!.estimate);
        expect(c.pairedRatio!.high).toBeGreaterThanOrEqual(c.pairedRatio!.estimate);
        expect(c.usPerRound).toBeGreaterThanOrEqual(0);
        expect(c.decideShare).toBeGreaterThanOrEqual(0);
        expect(c.decideShare).toBeLessThanOrEqual(1);
      }
      const comparison = results.comparisons.find((c) => c.batch === batch)!;
      const best = results.policies.find((p) => p.id === comparison.bestPeer?.policy);
      expect(best?.group).toBe("peer");
      expect(cell(best!.id, batch).ratioToBestPeer).toBe(1);
      expect(cell(best!.id, batch).pairedRatio).toEqual({ estimate: 1, low: 1, high: 1 });
      expect(comparison.bestKairos?.ratio).toBeGreaterThan(0);
    }
    expect(JSON.parse(JSON.stringify(results))).toEqual(results);
  });

  it("prints tables and writes an HTML report: summary, then a chart per problem and batch size", () => {
    const text = formatResults(results);
    expect(text).toContain("÷ best peer");
    expect(text).toContain("◀ best peer");
    for (const kind of PRESETS) expect(text).toContain(kind);
    expect(formatResults(results, true)).toContain("| policy |");
    const html = learnHtml(results);
    expect(html.match(/<svg xmlns/g)?.length).toBe(results.problems.length * opts.batchSizes.length);
    expect(html.indexOf("Regret ÷ best tuned peer")).toBeLessThan(html.indexOf("<svg xmlns"));
    expect(html).toContain("rounds (customers decided)");
    expect(html).toContain("cumulative regret (expected reward lost)");
  });
});

describe.each([
  ["linear-wide", 64, 10],
  ["linear-many", 16, 30],
] as const)("learning benchmark: %s problem", (id, features, arms) => {
  it(`is the linear generator at ${features} features and ${arms} arms, every expected reward within [0.05, 0.95]`, () => {
    for (const seed of [1, 2, 3]) {
      const s = makeStream(id, seed, 2000);
      expect(s.problem.featureNames).toHaveLength(features);
      expect(s.problem.actionCount).toBe(arms);
      expect(s.problem.basisLength).toBe(features + 1);
      const [lo, hi] = s.problem.meanRange;
      expect(lo).toBeGreaterThanOrEqual(0.05 - 1e-12);
      expect(hi).toBeLessThanOrEqual(0.95 + 1e-12);
      for (let t = 0; t < s.rounds; t++) {
        for (const a of s.problem.feasible) {
          const m = s.mean(t, a);
          expect(m >= lo && m <= hi).toBe(true);
        }
      }
    }
  });
});

describe("learning benchmark: linear-raw problem", () => {
  it("is the linear problem (same truth, customers and noise) with features in raw units, off centre", () => {
    for (const seed of [1, 2]) {
      const [plain, raw] = [makeStream("linear", seed, 500), makeStream("linear-raw", seed, 500)];
      expect(raw.problem.truth.weights).toEqual(plain.problem.truth.weights);
      expect(raw.noise).toEqual(plain.noise);
      for (let t = 0; t < raw.rounds; t++) {
        for (let k = 0; k < raw.basis.length / raw.rounds; k++) {
          const at = t * plain.problem.basisLength + k;
          expect(raw.basis[at]).toBeCloseTo(plain.basis[at]!, 9);
        }
        expect(raw.best[t]).toBeCloseTo(plain.best[t]!, 9);
      }
      // Every feature is positive, and the features' spreads span orders of magnitude.
      const spreads = raw.problem.featureNames.map((_, j) => {
        const column = raw.contexts.map((x) => x[j]!);
        expect(Math.min(...column)).toBeGreaterThan(0);
        return Math.max(...column) - Math.min(...column);
      });
      expect(Math.max(...spreads) / Math.min(...spreads)).toBeGreaterThan(100);
    }
  });
});

describe("learning benchmark: constrained multi-dimensional space", () => {
  it("replays 560 feasible combinations of 4 dimensions; no policy ever picks a forbidden one", () => {
    const opts: LearnOptions = {
      ...defaultOptions("quick"),
      problems: ["marketing-constrained"],
      seeds: [1],
      horizon: 200,
      checkpoints: 4,
      workers: 1,
      only: [
        "kairos:auto",
        "kairos:factorised-thompson",
        "mabwiser:LinGreedy(epsilon=0.1)",
        "obp:LinTS",
        "--epsilon 0.05",
      ],
    };
    const results = run(opts);
    expect(results.problems[0]).toMatchObject({ actions: 576, feasibleActions: 560 });
    expect(results.cells.length).toBe(results.policies.length * 2);
    for (const c of results.cells) {
      // The harness fails a replay on a forbidden action; anything else unusual is n/a with its reason.
      if (c.status === "n/a") expect(c.reason).not.toMatch(/forbidden/);
      else expect(Number.isFinite(c.regret!.estimate)).toBe(true);
    }
    for (const id of ["kairos:random", "ref:oracle", "ref:full-info"]) {
      expect(
        results.cells.filter((c) => c.policy === id).every((c) => c.status === "ok"),
        id,
      ).toBe(true);
    }
    expect(
      policiesFor("marketing")
        .filter((p) => p.library === "VW")
        .some((p) => p.settings?.pairs),
    ).toBe(true);
  });

  it("reports a preset that cannot be built as n/a with the reason, not a crash", () => {
    const result = runJob({
      problem: "linear",
      seed: 1,
      batch: 1,
      policy: "kairos:no-such-preset",
      horizon: 10,
      checkpoints: 2,
      propensities: false,
    });
    expect(result.status).toBe("n/a");
    expect(result.reason).toMatch(/\w/);
  });

  it("turning Thompson propensities off (propensityDraws: 0) changes no decision", () => {
    const stream = makeStream("marketing-constrained", 3, 24);
    for (const kind of PRESETS) {
      // 16 rounds one at a time, then a batch of 8; a preset that fails must fail the same way in both.
      const actions = [false, true].map((propensities) => {
        const out: (number | string)[] = [];
        try {
          const learner = new KairosLearner(createKairos(kind, stream.problem, 3, propensities), stream);
          for (let t = 0; t < 24; t += t < 16 ? 1 : 8) {
            const n = t < 16 ? 1 : 8;
            const chosen = learner.decide(t, n);
            out.push(...chosen);
            learner.update(
              t,
              n,
              chosen,
              Float64Array.from(chosen, (a, i) => stream.reward(t + i, a)),
            );
          }
        } catch (e) {
          out.push(`error: ${e instanceof Error ? e.message : String(e)}`);
        }
        return out;
      });
      expect(actions[0], kind).toEqual(actions[1]);
    }
  });
});
