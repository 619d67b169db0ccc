import { describe, expect, it } from "vitest";
import { buildWorld, replicationSeed } from "../src/experiment.js";
import { type LoggedDecision, simulateGroup } from "../src/loop.js";
import { buildPolicy, parsePolicySpec } from "../src/policies.js";
import { calendarOf } from "../src/response.js";
import { loadScenario } from "../src/scenario/load.js";
import { hashString } from "../src/streams.js";
import { fixture, simulationPath } from "./helpers.js";

describe("response model", () => {
  it("draws outcomes whose mean matches the expected reward", () => {
    const s = loadScenario(simulationPath("default.json"));
    const world = buildWorld(s, "draws", 200);
    const ev = world.model.newEvaluation();
    const cal = calendarOf(s, 3);
    for (const [i, f] of [
      [5, 0],
      [17, 40],
      [101, world.model.feasibleCount - 1],
    ] as const) {
      world.model.evaluate(i, cal, 2, ev);
      const n = 40_000;
      let sum = 0;
      let sq = 0;
      for (let k = 0; k < n; k++) {
        const r = world.model.draw(hashString(`rep${k}`), i, cal, f, ev).reward;
        sum += r;
        sq += r * r;
      }
      const mean = sum / n;
      const se = Math.sqrt((sq / n - mean * mean) / n);
      // An unbiased draw lands within 4 standard errors of its expectation except with probability ~6e-5.
      expect(Math.abs(mean - ev.expected[f]!)).toBeLessThan(4 * se);
    }
  });

  it("personalisation matters: no single action comes close to the oracle", () => {
    const s = fixture();
    const world = buildWorld(s, replicationSeed(s, 1));
    const ev = world.model.newEvaluation();
    const perAction = new Float64Array(world.model.feasibleCount);
    let oracle = 0;
    for (let i = 0; i < world.population.size; i++) {
      world.model.evaluate(i, calendarOf(s, 0), 0, ev);
      let best = Number.NEGATIVE_INFINITY;
      ev.expected.forEach((v, f) => {
        perAction[f]! += v;
        best = Math.max(best, v);
      });
      oracle += best;
    }
    const bestFixed = Math.max(...perAction);
    // Each segment has its own best channel and offer, so the best single action is far from the oracle.
    expect(bestFixed / oracle).toBeLessThan(0.7);
  });
});

describe("oracle", () => {
  it("is never beaten in expectation", () => {
    // Without unsubscribes a customer's state does not depend on what was sent, so every policy faces the
    // same decisions and the oracle's per-decision maximum bounds them all exactly.
    const s = fixture();
    const world = buildWorld(s, replicationSeed(s, 1), 600);
    const run = (name: string) => {
      const decisions: LoggedDecision[] = [];
      const policy = buildPolicy(parsePolicySpec(name), {
        scenario: s,
        space: world.space,
        context: world.context,
        seed: "t",
      });
      const r = simulateGroup({
        ...world,
        customers: world.groups.kairos,
        policy,
        days: 6,
        onDecision: (d) => decisions.push(d),
      });
      return { r, decisions };
    };
    const oracle = run("oracle");
    const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    for (const name of ["random", "bau", "ab-test", "linucb", "factorised-thompson"]) {
      const { r, decisions } = run(name);
      for (const d of decisions) expect(d.expected).toBeLessThanOrEqual(d.oracle + 1e-12);
      expect(total(r.daily.expected)).toBeLessThanOrEqual(total(oracle.r.daily.expected) + 1e-9);
    }
    for (const d of oracle.decisions) expect(d.expected).toBe(d.oracle);
  });

  it("regret stays non-negative with fatigue, unsubscribes and drift", () => {
    const s = loadScenario(simulationPath("default.json"));
    const world = buildWorld(s, "regret", 800);
    let count = 0;
    simulateGroup({
      ...world,
      customers: world.groups.kairos,
      policy: buildPolicy(parsePolicySpec("random"), {
        scenario: s,
        space: world.space,
        context: world.context,
        seed: 1,
      }),
      days: 24,
      onDecision: (d) => {
        count++;
        expect(d.expected).toBeLessThanOrEqual(d.oracle + 1e-12);
      },
    });
    expect(count).toBeGreaterThan(1000);
  });
});
