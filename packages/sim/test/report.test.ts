import { describe, expect, it } from "vitest";
import { resultsHtml } from "../src/report/html.js";
import { seriesStyles } from "../src/report/style.js";
import { summaryText } from "../src/report/summary.js";
import { resultsTable } from "../src/report/table.js";
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
      "best-single",
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

describe("the report a marketer reads", () => {
  const run = (replications: number) =>
    simulate(fixture(), {
      policies: "random,bau,ab-test:mde=0.5,best-single,factorised-thompson",
      days: 6,
      populationSize: 400,
      replications,
      workers: 1,
    });

  it("opens with a summary against the best A/B test, per customer, in the scenario's units", async () => {
    const results = await run(3);
    const summary = summaryText(results);
    expect(summary).toMatch(
      /^Over 6 days, Kairos \(factorised-thompson\) earned [\d.]+ (more|less) conversions per customer than your best A\/B test, ab-test:mde=0\.5 \(95% interval -?[\d.]+ to -?[\d.]+; [+-]\d+% \[[+-]\d+, [+-]\d+\]\)\./,
    );
    expect(summary).toMatch(/than business as usual/);
    expect(summary).toMatch(/best-single is the best single combination in hindsight/);
    expect(summary).toMatch(/from the variation between 3 replications/);
    // The paired comparison is the difference of the two rows' reward per customer, replication by replication.
    const c = results.comparisons.find(
      (x) => x.policy === "factorised-thompson" && x.versus === "ab-test:mde=0.5",
    )!;
    const by = Object.fromEntries(results.policies.map((p) => [p.label, p]));
    expect(c.difference.estimate).toBeCloseTo(
      by["factorised-thompson"]!.rewardPerCustomer.estimate -
        by["ab-test:mde=0.5"]!.rewardPerCustomer.estimate,
      12,
    );
    const html = resultsHtml(results);
    const first = html.indexOf('<p class="summary">');
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(html.indexOf("<h2>"));
    // Money metrics carry the scenario's currency in the summary, the table and the chart titles.
    const money = { ...results, metric: "net-revenue", currency: "EUR" };
    expect(summaryText(money)).toMatch(/earned €[\d.]+ (more|less) net revenue per customer/);
    const moneyHtml = resultsHtml(money);
    expect(moneyHtml).toMatch(/<th>net revenue per customer \(EUR\)<\/th>/);
    expect(moneyHtml).toMatch(/Cumulative net revenue per customer \(EUR\)/);
    expect(resultsTable(money)).toMatch(/net revenue \(EUR\)/);
  });

  it("shows per-customer columns, whole counts, intervals on the curves, options in scenario order, and explains every row", async () => {
    const results = await run(3);
    const html = resultsHtml(results);
    const head = html.slice(html.indexOf("<thead>"), html.indexOf("</thead>"));
    expect(head).toMatch(/conversions per customer/);
    expect(head).toMatch(/conversions per 1,000 customers/);
    // No group totals beside per-customer figures.
    expect(head).not.toMatch(/reward \/ day|>regret<|>conversions<\/th>/);
    // Counts per 1,000 customers are whole numbers.
    const table = html.slice(html.indexOf("<tbody>"), html.indexOf("</tbody>"));
    const rows = [...table.matchAll(/<tr title[^>]*>(.*?)<\/tr>/g)].map((m) => [
      ...m[1]!.matchAll(/<td>(.*?)<\/td>/g),
    ]);
    expect(rows.length).toBe(results.policies.length + results.groups.length);
    for (const cells of rows) expect(cells[6]![1]).toMatch(/^\d{1,3}(,\d{3})*$/);
    // Curves have 95% bands (shaded polygons) with three replications.
    expect(html).toMatch(/<polygon points="[^"]+" fill="#[0-9A-Fa-f]{6}" fill-opacity/);
    // Preference tables list options in the scenario's order, not alphabetically.
    expect(html).toMatch(/<th>offer<\/th><th>none<\/th><th>small<\/th><th>big<\/th>/);
    // The random policy row and the random control group are each explained.
    expect(html).toMatch(
      /<dt>random<\/dt><dd>A uniformly random eligible combination for every message, on the same customers/,
    );
    expect(html).toMatch(/<dt>group: random<\/dt><dd>Control group/);
    expect(html).toMatch(/<dt>best-single<\/dt><dd>The best single combination in hindsight/);
    expect(html).toMatch(/What the A\/B tests did/);
  });

  it("with one replication labels its intervals within-run and draws no bands", async () => {
    const results = await run(1);
    expect(results.intervals.basis).toBe("within-run");
    const ft = results.policies.find((p) => p.label === "factorised-thompson")!;
    expect(ft.uplift.random!.high).toBeGreaterThan(ft.uplift.random!.low);
    expect(summaryText(results)).toMatch(/one replication, so no interval/);
    expect(summaryText(results)).toMatch(/within-run only and too narrow/);
    const html = resultsHtml(results);
    expect(html).toMatch(/one replication: reward-per-customer and uplift intervals are within-run only/);
    expect(html).not.toMatch(/<polygon/);
    expect(resultsTable(results)).toMatch(/within-run only/);
  });
});
