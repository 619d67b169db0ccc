import type { SimulationResults, UnitResult } from "../results.js";
import { fmt, pct, uplift, withInterval } from "./format.js";
import { type SeriesStyle, seriesStyles } from "./style.js";
import { esc, intervalChart, lineChart, swatch } from "./svg.js";

/** Extra facts for the report header. */
export interface ReportContext {
  /** Day the market shifts (drift), marked on the curves. */
  driftDays?: number[];
  command?: string;
}

const pctAxis = (v: number) => `${Math.round(v * 100)}%`;

/** A self-contained HTML report (inline SVG, no scripts, no external assets). */
export function resultsHtml(results: SimulationResults, ctx: ReportContext = {}): string {
  const policies = [...results.policies].sort(
    (a, b) => b.rewardPerCustomer.estimate - a.rewardPerCustomer.estimate,
  );
  // Colours follow the run's policy order (not the ranking), the same in every chart and the table.
  const styles = seriesStyles(results.policies.map((p) => p.label));
  const line = (p: UnitResult, values: readonly number[]) => ({
    name: p.label,
    values,
    style: styles.get(p.label),
  });
  const marker = ctx.driftDays?.length ? { x: ctx.driftDays[0]!, text: "market shift" } : undefined;
  const dims = Object.keys(policies[0]?.bestOptionShare ?? {});
  const sections: string[] = [];

  sections.push(`<h2>Comparison</h2>${summaryTable(results, policies, styles)}`);
  sections.push(
    `<h2>Learning curves</h2><div class="charts">${lineChart({
      title: "Cumulative reward (kairos group)",
      series: policies.map((p) => line(p, p.curves.cumulativeReward)),
      yLabel: results.metric,
      marker,
    })}${lineChart({
      title: "Cumulative regret against the oracle",
      series: policies.map((p) => line(p, p.curves.cumulativeRegret)),
      yLabel: "expected reward lost",
      marker,
    })}${lineChart({
      title: "Expected reward per decision",
      series: policies.map((p) => line(p, p.curves.rewardPerDecision)),
      yLabel: results.metric,
      marker,
    })}</div>`,
  );
  const upliftCharts = (["random", "bau", "holdout"] as const)
    .filter((g) => policies.some((p) => p.uplift[g]))
    .map((g) =>
      intervalChart({
        title: `Uplift in reward per customer vs the ${g === "bau" ? "business-as-usual" : g} group (95% interval)`,
        rows: policies.map((p) => ({
          name: p.label,
          style: styles.get(p.label),
          ...(p.uplift[g] ?? { estimate: Number.NaN, low: Number.NaN, high: Number.NaN }),
        })),
        format: pctAxis,
      }),
    );
  if (upliftCharts.length) sections.push(`<h2>Uplift</h2><div class="charts">${upliftCharts.join("")}</div>`);
  sections.push(
    `<h2>Per-dimension learning</h2><p>Share of each day's decisions whose option on the dimension equals the truly best action's.</p><div class="charts">${dims
      .map((d) =>
        lineChart({
          title: `Best ${d} chosen`,
          series: policies.map((p) => line(p, p.curves.bestOptionShare[d] ?? [])),
          yMin: 0,
          yMax: 1,
          width: 480,
          height: 240,
          marker,
        }),
      )
      .join("")}</div>`,
  );
  sections.push(`<h2>Policy preferences by segment</h2>${preferences(policies)}`);

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Kairos simulation: ${esc(results.scenario)}</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:24px auto;max-width:1320px;color:#212529;padding:0 16px}
table{border-collapse:collapse;font-size:13px;margin:8px 0 16px}th,td{padding:4px 10px;border-bottom:1px solid #e9ecef;text-align:right}
th:first-child,td:first-child{text-align:left;white-space:nowrap}th{background:#f8f9fa}.charts{display:flex;flex-wrap:wrap;gap:16px}
.muted{color:#868e96;font-size:13px}h2{margin-top:32px}details{margin:6px 0}
</style></head><body>
<h1>Kairos simulation: ${esc(results.scenario)}</h1>
<p>${esc(results.description ?? "")}</p>
<p class="muted">metric ${esc(results.metric)} · ${results.days} days · ${results.populationSize.toLocaleString("en-US")} customers · ${results.replications} replication(s) · ${results.seconds.toFixed(1)} s${ctx.command ? ` · <code>${esc(ctx.command)}</code>` : ""}</p>
${sections.join("\n")}
</body></html>
`;
}

function summaryTable(
  results: SimulationResults,
  policies: UnitResult[],
  styles: Map<string, SeriesStyle>,
): string {
  const groups = results.groups.map((g) => g.label);
  const controls = (["random", "bau", "holdout"] as const).filter((g) => groups.includes(g));
  const dims = Object.keys(policies[0]?.bestOptionShare ?? {});
  const head = [
    "policy",
    "reward / customer",
    "reward / day",
    "regret",
    "of oracle",
    "conversions",
    "unsubscribes",
    ...controls.map((g) => `uplift vs ${g}`),
    ...dims.map((d) => `best ${d}`),
  ];
  const row = (u: UnitResult, name: string) => {
    const style = u.type === "policy" ? styles.get(u.label) : undefined;
    return `<tr><td>${style ? `${swatch(style)} ` : ""}${esc(name)}</td><td>${withInterval(u.rewardPerCustomer)}</td><td>${fmt(u.meanRewardPerDay.estimate)}</td><td>${u.type === "group" && u.label === "holdout" ? "–" : withInterval(u.regret)}</td><td>${u.label === "holdout" ? "–" : pct(u.oracleShare.estimate)}</td><td>${fmt(u.conversions.estimate)}</td><td>${fmt(u.unsubscribes.estimate)}</td>${controls
      .map((g) => `<td>${u.type === "policy" ? uplift(u.uplift[g]) : ""}</td>`)
      .join(
        "",
      )}${dims.map((d) => `<td>${u.label === "holdout" ? "–" : pct(u.bestOptionShare[d]!.estimate, 0)}</td>`).join("")}</tr>`;
  };
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>
${policies.map((p) => row(p, p.label)).join("\n")}
${results.groups.map((g) => row(g, `group: ${g.label} (${g.customers.toLocaleString("en-US")} customers)`)).join("\n")}
</tbody></table>
<p class="muted">Policies run on the kairos group (${(policies[0]?.customers ?? 0).toLocaleString("en-US")} customers); control groups are other customers randomised once. Intervals: 95% over replications (uplift: delta method within replications, combined).</p>`;
}

function preferences(policies: UnitResult[]): string {
  return policies
    .map((p) => {
      const segments = Object.keys(p.preferences).sort();
      if (segments.length === 0) return "";
      const dims = Object.keys(p.preferences[segments[0]!]!);
      const tables = dims
        .map((d) => {
          const options = [
            ...new Set(segments.flatMap((s) => Object.keys(p.preferences[s]![d] ?? {}))),
          ].sort();
          return `<table><thead><tr><th>${esc(d)}</th>${options.map((o) => `<th>${esc(o)}</th>`).join("")}</tr></thead><tbody>${segments
            .map(
              (s) =>
                `<tr><td>${esc(s)}</td>${options.map((o) => `<td>${pct(p.preferences[s]![d]?.[o] ?? 0, 0)}</td>`).join("")}</tr>`,
            )
            .join("")}</tbody></table>`;
        })
        .join("");
      return `<details><summary>${esc(p.label)}</summary><div class="charts">${tables}</div></details>`;
    })
    .join("\n");
}
