// The summary recommends a preset that beat auto (core's default) when the paired 95% interval of the
// difference excludes 0, and says nothing when it includes 0: checked on small synthetic results.
import { describe, expect, it } from "vitest";
import { summaryText } from "../src/report/summary.js";
import type { Comparison, SimulationResults, UnitResult } from "../src/results.js";

/** A Kairos policy row: the summary reads its label, kind, role and reward per customer. */
function row(kind: string, rewardPerCustomer: number): UnitResult {
  return {
    label: kind,
    type: "policy",
    kind,
    role: "kairos",
    rewardPerCustomer: {
      estimate: rewardPerCustomer,
      low: rewardPerCustomer - 0.1,
      high: rewardPerCustomer + 0.1,
    },
  } as UnitResult;
}

function results(difference: Comparison["difference"], kind = "neural-linear"): SimulationResults {
  return {
    format: "kairos-sim-results/v1",
    scenario: "nonlinear",
    metric: "conversion",
    days: 28,
    populationSize: 6000,
    replications: 3,
    intervals: { basis: "between-replications", replications: 3, note: "" },
    policies: [row("auto", 1.61), row(kind, 1.61 + difference.estimate)],
    groups: [],
    comparisons: [
      { policy: kind, versus: "auto", difference, relative: { estimate: 0.16, low: 0.1, high: 0.22 } },
    ],
    seconds: 1,
  } as SimulationResults;
}

describe("the summary's advice on presets", () => {
  it("recommends another package's preset that beat auto, with the difference and its interval", () => {
    const text = summaryText(results({ estimate: 0.26, low: 0.12, high: 0.4 }));
    expect(text).toContain(
      "neural-linear earned 0.26 more conversions per customer than auto (95% interval 0.12 to 0.40; +16% [+10, +22]): customers here respond non-linearly, which auto's linear model misses; use kind neural-linear.",
    );
  });

  it("recommends a core preset that beat auto without claiming why", () => {
    const text = summaryText(results({ estimate: 0.26, low: 0.12, high: 0.4 }, "factorised-thompson"));
    expect(text).toMatch(/factorised-thompson earned 0\.26 more .*\): use kind factorised-thompson\./);
    expect(text).not.toContain("non-linearly");
  });

  it("says nothing when the interval includes 0, or when the preset did worse", () => {
    for (const d of [
      { estimate: 0.1, low: -0.05, high: 0.25 },
      { estimate: -0.3, low: -0.45, high: -0.15 },
    ])
      expect(summaryText(results(d))).not.toContain("use kind");
  });
});
