import { describe, expect, it } from "vitest";
import { resultsHtml } from "../src/report/html.js";
import { seriesStyles } from "../src/report/style.js";
import { simulate } from "../src/simulate.js";
import { fixture } from "./helpers.js";

describe("report styles", () => {
  it("gives every policy its own colour, dashing baselines only", () => {
    const labels = [
      "random",
      "bau",
      "ab-test",
      "segment-ab-test",
      "factorised-thompson",
      "factorised-ucb",
      "squarecb",
      "linucb",
      "ab-test:days=7",
      "oracle",
    ];
    const styles = seriesStyles(labels);
    const colours = labels.map((l) => styles.get(l)!.colour);
    expect(new Set(colours).size).toBe(labels.length);
    for (const l of ["random", "bau", "ab-test", "segment-ab-test", "ab-test:days=7"])
      expect(styles.get(l)!.dash, l).toBeDefined();
    for (const l of ["factorised-thompson", "factorised-ucb", "squarecb", "linucb"])
      expect(styles.get(l)!.dash, l).toBeUndefined();
    // A baseline keeps its colour whatever else is listed, and in whatever order.
    expect(seriesStyles(["linucb", "bau"]).get("bau")!.colour).toBe(styles.get("bau")!.colour);
    // Many policies: colours repeat only with a different dash pattern.
    const many = seriesStyles(Array.from({ length: 14 }, (_, i) => `linucb:alpha=${i + 1}`));
    const keys = [...many.values()].map((s) => `${s.colour}|${s.dash ?? ""}`);
    expect(new Set(keys).size).toBe(14);
  });

  it("draws a policy in the same colour in every chart of a report", async () => {
    const results = await simulate(fixture(), {
      policies: "random,ab-test,factorised-thompson,linucb",
      days: 4,
      populationSize: 300,
      workers: 1,
    });
    const html = resultsHtml(results);
    for (const p of results.policies) {
      const esc = p.label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      const strokes = [
        ...html.matchAll(
          new RegExp(`<polyline fill="none" stroke="(#[0-9A-Fa-f]{6})"[^>]*><title>${esc}<`, "g"),
        ),
      ].map((m) => m[1]);
      expect(strokes.length, p.label).toBeGreaterThanOrEqual(3);
      expect(new Set(strokes).size, p.label).toBe(1);
    }
  });
});
