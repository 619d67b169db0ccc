// Smoke test of the benchmark suite: the quick mode cut down to what exercises every path in a few seconds
// (the per-action arms space and the space too large for joint models; one policy per model structure;
// both memory spaces so the flat-memory target is computed). Checks the shape of the results and that every
// measured number is finite and positive; never asserts a duration or a rate.
import { describe, expect, it } from "vitest";
import { AGAINST_WORKLOADS, compareCores, coreAt } from "../lib/against.js";
import { resultsHtml } from "../lib/html.js";
import { formatAgainst, formatResults } from "../lib/report.js";
import { QUICK_SPACES } from "../lib/spaces.js";
import { type BenchResults, defaultOptions, REF_LINUCB, runSuite } from "../lib/suite.js";
import { VARIANTS } from "../lib/variants.js";

/**
 * Numbers that may legitimately be 0: inputs and environment (policy settings such as propensityDraws: 0,
 * load average) and the split of a heap total into JS heap and typed-array buffers.
 */
const SKIP = new Set(["settings", "loadAverage", "heapBreakdown"]);

/** Every number under `value`, with its path, except under {@link SKIP}. */
function numbers(value: unknown, path = "$", skip = true): [string, number][] {
  if (typeof value === "number") return [[path, value]];
  if (value === null || typeof value !== "object") return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => numbers(v, `${path}[${i}]`, skip));
  return Object.entries(value).flatMap(([k, v]) =>
    skip && SKIP.has(k) ? [] : numbers(v, `${path}.${k}`, skip),
  );
}

/** Smallest and largest quick spaces: the first is the targets' arms space, the last is beyond the joint limit. */
const SPACES = [QUICK_SPACES[0]!, QUICK_SPACES[QUICK_SPACES.length - 1]!];
/**
 * One policy per structure: joint linear (linucb, hybrid-linucb: n/a on the large space) and factorised
 * Thompson sampling (measured there); random always runs as the baseline.
 */
const FILTER = ["linucb", "factorised-thompson@draws0"];

describe("benchmarks (quick mode, cut down)", () => {
  const opts = { ...defaultOptions("quick"), spaces: SPACES, filter: FILTER };
  const ran = VARIANTS.filter((v) => v.id === "random" || FILTER.some((f) => v.id.includes(f)));
  let results: BenchResults;

  it("runs and returns a complete result", () => {
    results = runSuite(opts);
    expect(results.format).toBe("kairos-bench-core/v1");
    expect(results.meta.mode).toBe("quick");
    expect(results.meta.node).toMatch(/^v\d+/);
    expect(results.meta.cpuModel.length).toBeGreaterThan(0);
    expect(new Date(results.meta.date).getTime()).not.toBeNaN();
    expect(results.baseline).toContain("random");
    expect(results.inputs.dimensions).toEqual(opts.dimensions);
    expect(results.inputs.spaces.map((s) => s.id)).toEqual(opts.spaces.map((s) => s.id));
    expect(results.inputs.policies.map((p) => p.id)).toEqual(ran.map((v) => v.id));
    expect(ran.map((v) => v.id)).toEqual(["random", "linucb", "hybrid-linucb", "factorised-thompson@draws0"]);
  });

  it("has a cell for every policy, space and dimension, measured or n/a with a reason", () => {
    for (const space of opts.spaces) {
      for (const d of opts.dimensions) {
        for (const id of [...ran.map((v) => v.id), REF_LINUCB]) {
          const cell = results.results.find((r) => r.policy === id && r.space === space.id && r.d === d);
          expect(cell, `${id} ${space.id} d=${d}`).toBeDefined();
          if (cell!.status === "ok") {
            expect(cell!.decisionsPerSec).toBeGreaterThan(0);
            if (cell!.kind !== "reference") {
              expect(cell!.updatesPerSec).toBeGreaterThan(0);
              // Measured, or left out with the reason (never a wrong number).
              if (cell!.heapError === undefined) expect(cell!.heapBytes).toBeGreaterThan(0);
              else expect(cell!.heapError).toMatch(/\w/);
              expect(cell!.decisionsVsRandom).toBeGreaterThan(0);
            }
          } else {
            expect(cell!.reason).toMatch(/\w/);
          }
        }
      }
    }
    const large = opts.spaces[opts.spaces.length - 1]!.id;
    const linucb = results.results.find((r) => r.policy === "linucb" && r.space === large);
    expect(linucb?.status).toBe("n/a");
    const factorised = results.results.find(
      (r) => r.policy === "factorised-thompson@draws0" && r.space === large,
    );
    expect(factorised?.status).toBe("ok");
    expect(factorised?.structure).toBe("factorised");
  });

  it("times rounds in batches, split into decide and update", () => {
    expect(results.batchRounds?.map((r) => r.id)).toEqual(opts.batchCases.map((c) => c.id));
    for (const r of results.batchRounds!) {
      expect(r.rounds).toBeGreaterThan(0);
      expect(r.decideUsPerRound + r.updateUsPerRound).toBeCloseTo(r.usPerRound, 6);
    }
    expect(formatResults(results)).toContain("Rounds in batches");
  });

  it("reports memory scaling and targets", () => {
    expect(results.memoryScaling.length).toBe(opts.memorySpaces.length * 3);
    const factorised = results.memoryScaling.filter((m) => m.policy === "factorised-thompson");
    expect(factorised.every((m) => m.status === "ok" && m.units === m.sumOfOptions)).toBe(true);
    expect(results.targets.length).toBeGreaterThan(0);
    for (const t of results.targets) {
      expect(typeof t.met).toBe("boolean");
      expect(t.threshold).toMatch(/\d/);
    }
  });

  it("has only finite numbers, and positive measurements", () => {
    for (const [path, n] of numbers(results, "$", false)) expect(Number.isFinite(n), path).toBe(true);
    const all = numbers(results);
    expect(all.length).toBeGreaterThan(100);
    for (const [path, n] of all) {
      expect(Number.isFinite(n), path).toBe(true);
      expect(n, path).toBeGreaterThan(0);
    }
  });

  it("writes an HTML report: three charts per space, every policy, every target", () => {
    const html = resultsHtml(results);
    expect(html.match(/<svg /g)?.length).toBe(3 * opts.spaces.length);
    for (const p of results.inputs.policies) expect(html).toContain(p.label.replace(/&/g, "&amp;"));
    for (const t of results.targets) expect(html).toContain(t.description.replace(/&/g, "&amp;"));
    expect(html).toContain("n/a");
  });

  it("is JSON-serialisable and prints tables", () => {
    expect(JSON.parse(JSON.stringify(results))).toEqual(results);
    const text = formatResults(results);
    expect(text).toContain("random (baseline)");
    expect(text).toContain("n/a");
    expect(formatResults(results, true)).toContain("| policy |");
  });
});

describe("benchmarks --against (the targets' workloads on a git revision and on the working tree)", () => {
  it("compares every workload, with positive numbers", async () => {
    const rows = compareCores(await coreAt("HEAD"), 1, 5);
    expect(rows.map((r) => r.id)).toEqual(AGAINST_WORKLOADS.map((w) => w.id));
    for (const r of rows) {
      for (const n of [r.before, r.after, r.speedup]) {
        expect(Number.isFinite(n)).toBe(true);
        expect(n).toBeGreaterThan(0);
      }
    }
    expect(formatAgainst(rows, "HEAD")).toContain("speed-up");
  });
});
