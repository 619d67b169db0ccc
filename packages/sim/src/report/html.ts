import type { SimulationResults, UnitResult } from "../results.js";
import type { Interval } from "../stats.js";
import { amount, count, pct, type Units, unitSuffix, unitsOf } from "./format.js";
import { type SeriesStyle, seriesStyles } from "./style.js";
import { describeRow, headlineRows, summaryText } from "./summary.js";
import { esc, intervalChart, lineChart, type Series, swatch } from "./svg.js";

/** Extra facts for the report header. */
export interface ReportContext {
  /** Day the market shifts (drift), marked on the curves. */
  driftDays?: number[];
  command?: string;
}

const pctAxis = (v: number) => `${Math.round(v * 100)}%`;
const CONTROLS = ["random", "bau", "holdout"] as const;
const CONTROL_NAMES: Record<(typeof CONTROLS)[number], string> = {
  random: "random group",
  bau: "BAU group",
  holdout: "holdout group",
};

/** Control groups drawn in the per-customer curves: thin dotted lines in their treatment's colour. */
const GROUP_STYLES: Record<string, SeriesStyle> = {
  random: { colour: "#999999", dash: "2 3", width: 1.3 },
  bau: { colour: "#000000", dash: "2 3", width: 1.3 },
  holdout: { colour: "#6c757d", dash: "1 4", width: 1.3 },
};

/** `+91% [+81, +102]` with whole percents, or `–`. */
function upliftCell(i: Interval | undefined): string {
  if (!i || !Number.isFinite(i.estimate)) return "–";
  const s = (v: number) => `${v >= 0 ? "+" : "−"}${Math.abs(Math.round(v * 100))}`;
  return Number.isFinite(i.low) && Number.isFinite(i.high) && i.high > i.low
    ? `${s(i.estimate)}%<br><span class="ci">[${s(i.low)}, ${s(i.high)}]</span>`
    : `${s(i.estimate)}%`;
}

/** A per-customer amount with its interval on a second line. */
function amountCell(i: Interval, u: Units): string {
  if (!Number.isFinite(i.estimate)) return "–";
  return Number.isFinite(i.low) && Number.isFinite(i.high) && i.high > i.low
    ? `${amount(i.estimate, u)}<br><span class="ci">${amount(i.low, u)} to ${amount(i.high, u)}</span>`
    : amount(i.estimate, u);
}

/** A self-contained HTML report (inline SVG, no scripts, no external assets). */
export function resultsHtml(results: SimulationResults, ctx: ReportContext = {}): string {
  const u = unitsOf(results);
  const byReward = (a: UnitResult, b: UnitResult) =>
    b.rewardPerCustomer.estimate - a.rewardPerCustomer.estimate;
  const policies = [...results.policies].sort(byReward);
  // Colours follow the run's policy order (not the ranking), the same in every chart and the table.
  const styles = seriesStyles(results.policies.map((p) => p.label));
  const marker = ctx.driftDays?.length ? { x: ctx.driftDays[0]!, text: "market shift" } : undefined;
  const dims = Object.keys(policies[0]?.bestOptionShare ?? {});
  const metric = `${u.metric}${unitSuffix(u)}`;
  const sections: string[] = [];

  sections.push(`<p class="summary">${esc(summaryText(results))}</p>`);
  sections.push(`<h2>Comparison</h2>${summaryTable(results, policies, styles, u)}`);

  const groups = results.groups;
  const series = (
    p: UnitResult,
    b: { estimate: number[]; low: number[]; high: number[] },
    band: boolean,
  ): Series => ({
    name: p.type === "group" ? `group: ${p.label}` : p.label,
    values: b.estimate,
    style: p.type === "group" ? GROUP_STYLES[p.kind] : styles.get(p.label),
    ...(band && results.replications > 1 ? { band: { low: b.low, high: b.high } } : {}),
  });
  const { kairos, abTest, bau, ceiling } = headlineRows(results);
  const headline = [kairos, abTest, bau, ceiling].filter((x): x is UnitResult => x !== undefined);
  const bandNote =
    results.replications > 1
      ? `Shaded: 95% interval over the ${results.replications} replications (t-interval per day).`
      : "One replication: no interval on the curves (run 3 or more replications for one).";
  const wide = 700;
  sections.push(
    `<h2>Per customer, day by day</h2><p class="muted">Every series is per customer of its own group, so the Kairos group and the smaller control groups compare directly. ${bandNote}</p><div class="charts">${lineChart(
      {
        title: `Cumulative ${u.metric} per customer${unitSuffix(u)}: the headline rows`,
        series: [
          ...headline.map((p) => series(p, p.curves.rewardPerCustomer, true)),
          ...groups
            .filter((g) => g.kind !== "bau" || !bau)
            .map((g) => series(g, g.curves.rewardPerCustomer, true)),
        ],
        yLabel: metric,
        width: wide,
        marker,
      },
    )}${lineChart({
      title: `Cumulative ${u.metric} per customer${unitSuffix(u)}: every policy`,
      series: [
        ...policies.map((p) => series(p, p.curves.rewardPerCustomer, false)),
        ...groups.map((g) => series(g, g.curves.rewardPerCustomer, false)),
      ],
      yLabel: metric,
      width: wide,
      marker,
    })}${lineChart({
      title: `Expected ${u.metric} per message${unitSuffix(u)}`,
      series: [
        ...policies.map((p) => series(p, p.curves.rewardPerDecision, headline.includes(p))),
        ...groups
          .filter((g) => g.kind !== "holdout")
          .map((g) => series(g, g.curves.rewardPerDecision, false)),
      ],
      yLabel: metric,
      width: wide,
      marker,
    })}${lineChart({
      title: `Cumulative regret: ${u.metric} lost to the oracle per customer${unitSuffix(u)}`,
      series: policies
        .filter((p) => p.kind !== "oracle")
        .map((p) => series(p, p.curves.regretPerCustomer, headline.includes(p))),
      yLabel: `expected ${metric} lost`,
      width: wide,
      marker,
    })}</div>`,
  );
  const upliftCharts = CONTROLS.filter((g) => policies.some((p) => p.uplift[g])).map((g) =>
    intervalChart({
      title: `Uplift in ${u.metric} per customer vs the ${CONTROL_NAMES[g]} (95% interval)`,
      rows: policies.map((p) => ({
        name: p.label,
        style: styles.get(p.label),
        ...(p.uplift[g] ?? { estimate: Number.NaN, low: Number.NaN, high: Number.NaN }),
      })),
      format: pctAxis,
    }),
  );
  if (upliftCharts.length)
    sections.push(
      `<h2>Uplift</h2><p class="muted">(policy − group) / group, ${u.metric} per customer. ${esc(results.intervals.note)}.</p><div class="charts">${upliftCharts.join("")}</div>`,
    );
  const abRows = policies.filter((p) => p.abTest?.programmes?.length);
  if (abRows.length)
    sections.push(
      `<h2>What the A/B tests did</h2>${abRows.map((p) => abTestStages(p, u, results)).join("")}`,
    );
  sections.push(
    `<h2>Per-dimension learning</h2><p class="muted">Share of each day's messages whose option on the dimension equals the truly best combination's for that customer that day.</p><div class="charts">${dims
      .map((d) =>
        lineChart({
          title: `Best ${d} chosen`,
          series: policies.map((p) => ({
            name: p.label,
            values: p.curves.bestOptionShare[d] ?? [],
            style: styles.get(p.label),
          })),
          yMin: 0,
          yMax: 1,
          width: 600,
          height: 240,
          marker,
        }),
      )
      .join("")}</div>`,
  );
  sections.push(
    `<h2>What each policy sent, by ${esc(results.segmentFeature ?? "segment")}</h2><p class="muted">Share of messages using each option, pooled over replications.</p>${preferences(policies, results)}`,
  );

  const kairosCustomers = policies[0]?.customers ?? 0;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Kairos simulation: ${esc(results.scenario)}</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:24px auto;max-width:1320px;color:#212529;padding:0 16px}
table{border-collapse:collapse;font-size:13px;margin:8px 0 16px}th,td{padding:4px 10px;border-bottom:1px solid #e9ecef;text-align:right;vertical-align:top}
th{background:#f8f9fa;font-weight:600}th:first-child,td:first-child{text-align:left;white-space:nowrap}
tr.block td{background:#f8f9fa;font-weight:600;text-align:left}.ci{color:#868e96;font-size:11px;white-space:nowrap}
.charts{display:flex;flex-wrap:wrap;gap:16px}.muted{color:#6c757d;font-size:13px}h2{margin-top:32px}details{margin:6px 0}
.summary{font-size:16px;line-height:1.5;background:#f1f8ff;border-left:4px solid #0072B2;padding:12px 16px;max-width:1100px}
dl.rows{font-size:13px;max-width:1100px}dl.rows dt{font-weight:600;margin-top:6px}dl.rows dd{margin:2px 0 0 20px}
</style></head><body>
<h1>Kairos simulation: ${esc(results.scenario)}</h1>
<p>${esc(results.description ?? "")}</p>
<p class="muted">${esc(capitalise(u.metric))} per customer${esc(unitSuffix(u))} · ${results.days} days · ${count(results.populationSize)} customers (${count(kairosCustomers)} in the Kairos group) · ${results.replications} replication${results.replications === 1 ? "" : "s"} · ${results.seconds.toFixed(1)} s${ctx.command ? ` · <code>${esc(ctx.command)}</code>` : ""}</p>
${sections.join("\n")}
</body></html>
`;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function summaryTable(
  results: SimulationResults,
  policies: UnitResult[],
  styles: Map<string, SeriesStyle>,
  u: Units,
): string {
  const controls = CONTROLS.filter((g) => results.groups.some((x) => x.kind === g));
  const dims = Object.keys(policies[0]?.bestOptionShare ?? {});
  const head = [
    "policy",
    `${u.metric} per customer${unitSuffix(u)}`,
    ...controls.map((g) => `uplift vs ${CONTROL_NAMES[g]}`),
    "messages per customer",
    "conversions per 1,000 customers",
    "unsubscribes per 1,000 customers",
    "share of the oracle's",
    ...dims.map((d) => `best ${d}`),
  ];
  const row = (x: UnitResult) => {
    const style = x.type === "policy" ? styles.get(x.label) : GROUP_STYLES[x.kind];
    const name = x.type === "group" ? `group: ${x.label} (${count(x.customers)} customers)` : x.label;
    const holdout = x.kind === "holdout";
    return `<tr title="${esc(describeRow(x, results))}"><td>${style ? `${swatch(style)} ` : ""}${esc(name)}</td><td>${amountCell(x.rewardPerCustomer, u)}</td>${controls
      .map((g) => `<td>${x.type === "policy" ? upliftCell(x.uplift[g]) : ""}</td>`)
      .join(
        "",
      )}<td>${holdout ? "0" : x.sendsPerCustomer.estimate.toFixed(1)}</td><td>${count(1000 * x.conversionsPerCustomer.estimate)}</td><td>${holdout ? "0" : count(1000 * x.unsubscribesPerCustomer.estimate)}</td><td>${holdout ? "–" : pct(x.oracleShare.estimate, 0)}</td>${dims
      .map((d) => `<td>${holdout ? "–" : pct(x.bestOptionShare[d]!.estimate, 0)}</td>`)
      .join("")}</tr>`;
  };
  const span = head.length;
  const block = (title: string, rows: UnitResult[]) =>
    rows.length
      ? `<tr class="block"><td colspan="${span}">${esc(title)}</td></tr>${rows.map(row).join("\n")}`
      : "";
  const ceilings = policies.filter((p) => p.role === "ceiling");
  const compared = policies.filter((p) => p.role !== "ceiling");
  const kairosCustomers = policies[0]?.customers ?? 0;
  const described = [...compared, ...ceilings, ...results.groups];
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>
${block(`Kairos group (${count(kairosCustomers)} customers): every policy runs on the same customers with the same luck`, compared)}
${block("Ceilings (use the true response model; not reachable in practice)", ceilings)}
${block("Control groups (other customers, randomised once)", results.groups)}
</tbody></table>
<p class="muted">${esc(results.intervals.note)}. Per-customer figures are totals over the ${results.days} days divided by the group's customers (customers never due for a message count too); counts are averages over replications, rounded.</p>
<dl class="rows">${described.map((x) => `<dt>${esc(x.type === "group" ? `group: ${x.label}` : x.label)}</dt><dd>${esc(describeRow(x, results))}</dd>`).join("")}</dl>`;
}

/** The stages of a sequential A/B test in the first replication. */
function abTestStages(p: UnitResult, u: Units, results: SimulationResults): string {
  const order = results.segments ?? [];
  const programmes = [...(p.abTest?.programmes ?? [])].sort(
    (a, b) => order.indexOf(a.segment) - order.indexOf(b.segment),
  );
  const tables = programmes.map((prog) => {
    const rows = prog.stages.map((s, i) => {
      const options = s.arms.map((a) => String(a[s.dimension]));
      const means = s.means.map((m, j) => `${esc(options[j]!)}: ${Number.isFinite(m) ? amount(m, u) : "–"}`);
      const result =
        s.decidedDay === undefined
          ? s.enrolledDay === undefined
            ? "still enrolling at the end"
            : "waiting for outcomes at the end"
          : s.shipped && String(s.shipped[s.dimension]) !== options[0]
            ? `ships ${esc(String(s.shipped[s.dimension]))} (z = ${s.z?.toFixed(1)} > ${s.threshold?.toFixed(2)})`
            : `keeps ${esc(options[0]!)}${s.z !== undefined ? ` (z = ${s.z.toFixed(1)} ≤ ${s.threshold?.toFixed(2)})` : ""}`;
      return `<tr><td>${i + 1}. ${esc(s.dimension)}</td><td>${options.map(esc).join(", ")}</td><td>${count(s.samplesPerArm)}</td><td>mean ${amount(s.plannedFrom.mean, u)}, sd ${amount(s.plannedFrom.sd, u)}</td><td>${s.startDay + 1}–${s.enrolledDay !== undefined ? s.enrolledDay + 1 : "…"}</td><td>${s.decidedDay !== undefined ? s.decidedDay + 1 : "–"}</td><td>${means.join("<br>")}</td><td>${result}</td></tr>`;
    });
    const title =
      prog.segment === "*"
        ? ""
        : `<p class="muted">${esc(results.segmentFeature ?? "segment")} = ${esc(prog.segment)}</p>`;
    return `${title}<table><thead><tr><th>stage</th><th>arms (control first)</th><th>sends per arm (power calculation)</th><th>planned from (${esc(u.metric)} per send)</th><th>enrolment days</th><th>decided on day</th><th>observed ${esc(u.metric)} per send</th><th>decision</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
  });
  return `<h3>${esc(p.label)}</h3><p class="muted">${esc(describeRow(p, results))}</p>${tables.join("")}`;
}

function preferences(policies: UnitResult[], results: SimulationResults): string {
  return policies
    .map((p) => {
      const seen = Object.keys(p.preferences);
      if (seen.length === 0) return "";
      // Segments and options in the scenario's order (values never seen last).
      const segments = [
        ...(results.segments ?? []).filter((s) => seen.includes(s)),
        ...seen.filter((s) => !(results.segments ?? []).includes(s)).sort(),
      ];
      const dims = Object.keys(p.preferences[segments[0]!]!);
      const tables = dims
        .map((d) => {
          const used = new Set(segments.flatMap((s) => Object.keys(p.preferences[s]![d] ?? {})));
          const declared = results.dimensions?.[d] ?? [];
          const options = [...declared, ...[...used].filter((o) => !declared.includes(o)).sort()];
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
