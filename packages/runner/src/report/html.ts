// The report as one self-contained HTML page (inline CSS and SVG, no script).
import type { Group } from "../state/decision-log.js";
import type { ReportData } from "./report-data.js";
import type { Estimate } from "./stats.js";

const esc = (s: unknown) =>
  String(s).replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
const num = (x: number, digits = 3) => (Number.isFinite(x) ? x.toFixed(digits) : "–");
const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : "–");
const ci = (e: Estimate | undefined) =>
  e
    ? `${num(e.mean)} <span class="ci">[${num(e.low)}, ${num(e.high)}]</span> <span class="n">n=${e.n}</span>`
    : "–";
const COLORS: Record<Group, string> = {
  kairos: "#1f6feb",
  random: "#9a6700",
  bau: "#8250df",
  holdout: "#57606a",
};
const LABEL: Record<Group, string> = {
  kairos: "Kairos",
  random: "random control",
  bau: "business as usual",
  holdout: "holdout (no message)",
};

/** Reward per customer by day: one line per group, 95% bands. */
function chart(data: ReportData): string {
  const days = data.days.filter((d) => Object.keys(d.groups).length > 0);
  if (days.length < 2) return "<p>The chart appears once two days have final rewards.</p>";
  const W = 720;
  const H = 240;
  const pad = 40;
  const values = days
    .flatMap((d) => Object.values(d.groups).flatMap((e) => [e!.low, e!.high, e!.mean]))
    .filter(Number.isFinite);
  const lo = Math.min(0, ...values);
  const hi = Math.max(...values, lo + 1e-9);
  const x = (i: number) => pad + (i * (W - 2 * pad)) / (days.length - 1);
  const y = (v: number) => H - pad - ((v - lo) * (H - 2 * pad)) / (hi - lo);
  const parts: string[] = [];
  for (const g of ["holdout", "bau", "random", "kairos"] as Group[]) {
    const pts = days.map((d, i) => ({ i, e: d.groups[g] })).filter((p) => p.e && Number.isFinite(p.e.mean));
    if (pts.length < 2) continue;
    const band = pts.filter((p) => Number.isFinite(p.e!.se));
    if (band.length > 1)
      parts.push(
        `<polygon fill="${COLORS[g]}" opacity="0.12" points="${[...band.map((p) => `${x(p.i)},${y(p.e!.high)}`), ...band.reverse().map((p) => `${x(p.i)},${y(p.e!.low)}`)].join(" ")}"/>`,
      );
    parts.push(
      `<polyline fill="none" stroke="${COLORS[g]}" stroke-width="2" points="${pts.map((p) => `${x(p.i)},${y(p.e!.mean)}`).join(" ")}"/>`,
    );
  }
  const axis = `<line x1="${pad}" y1="${H - pad}" x2="${W - pad}" y2="${H - pad}" stroke="#999"/>
<text x="${pad}" y="${H - pad + 16}" font-size="11">${esc(days[0]!.day)}</text>
<text x="${W - pad}" y="${H - pad + 16}" font-size="11" text-anchor="end">${esc(days.at(-1)!.day)}</text>
<text x="4" y="${y(hi) + 4}" font-size="11">${num(hi, 2)}</text><text x="4" y="${y(lo) + 4}" font-size="11">${num(lo, 2)}</text>`;
  const legend = (["kairos", "random", "bau", "holdout"] as Group[])
    .map((g) => `<span style="color:${COLORS[g]}">■ ${LABEL[g]}</span>`)
    .join(" &nbsp; ");
  return `<svg width="${W}" height="${H}" role="img" aria-label="reward per customer by day">${axis}${parts.join("")}</svg><p>${legend}</p>`;
}

function sharesTable(s: ReportData["shares"][number], segmentBy: string | undefined): string {
  const options = Object.keys(s.overall);
  const head = `<tr><th></th>${options.map((o) => `<th>${esc(o)}</th>`).join("")}</tr>`;
  const row = (label: string, shares: Record<string, number>) =>
    `<tr><td>${esc(label)}</td>${options.map((o) => `<td>${pct(shares[o] ?? 0)}</td>`).join("")}</tr>`;
  return `<h3>${esc(s.dimension)}</h3><table>${head}${row("all days", s.overall)}${row("first 3 days", s.firstDays)}${row("last 3 days", s.lastDays)}${s.bySegment
    .map((b) => row(`${segmentBy} = ${b.segment} (${b.n})`, b.shares))
    .join("")}</table>`;
}

function effectsTable(data: ReportData): string {
  if (data.effects.length === 0) return "<p>No model yet.</p>";
  // Option attributes (a discount's rate): what one unit adds, a column only when the model learns some.
  const attributes = data.effects.some((seg) => Object.keys(seg.attributes).length > 0);
  const lines = data.effects.map((seg) => {
    const top = Object.entries(seg.effects)
      .flatMap(([dim, byOption]) => Object.entries(byOption).map(([o, v]) => ({ dim, o, v })))
      .sort((a, b) => b.v - a.v);
    const best = top
      .slice(0, 3)
      .map((t) => `${esc(t.dim)} <b>${esc(t.o)}</b> ${t.v >= 0 ? "+" : ""}${num(t.v)}`);
    const worst = top.at(-1);
    const perUnit = Object.entries(seg.attributes)
      .flatMap(([dim, byName]) =>
        Object.entries(byName).map(([a, v]) => `${esc(dim)} ${esc(a)} ${v >= 0 ? "+" : ""}${num(v)}`),
      )
      .join("; ");
    return `<tr><td>${esc(seg.segment)} <span class="n">(${seg.customers})</span></td><td>${best.join("; ")}</td><td>${worst ? `${esc(worst.dim)} ${esc(worst.o)} ${num(worst.v)}` : ""}</td>${attributes ? `<td>${perUnit}</td>` : ""}</tr>`;
  });
  return `<table><tr><th>customers</th><th>best options (effect vs the dimension's average)</th><th>worst option</th>${attributes ? "<th>per unit of each option attribute</th>" : ""}</tr>${lines.join("")}</table>`;
}

/** Braze vs Kairos: one row per day and campaign/Canvas, Braze/Kairos counts and relative differences. */
function brazeTable(data: ReportData): string {
  const c = data.braze;
  if (c.rows.length === 0)
    return "<p>No data_series pulled yet (each <code>kairos day</code> pulls the trailing days).</p>";
  const revenue = c.rows.some((r) => r.revenue);
  const cell = (x: ReportData["braze"]["rows"][number]["sends"] | undefined) =>
    x ? `<td>${num(x.braze, 2)}</td><td>${num(x.kairos, 2)}</td><td>${pct(x.relative)}</td>` : "";
  const rows = c.rows
    .map(
      (r) =>
        `<tr${r.verdict === "disagree" ? ' class="disagree"' : ""}><td>${esc(r.day)}</td><td>${esc(r.target)}</td>${cell(r.sends)}${cell(r.conversions)}${cell(r.revenue)}<td>${r.verdict === "open" ? "open: rewards not final yet" : r.verdict === "agree" ? "agree" : `<b>disagree</b>: ${r.flags.map(esc).join("; ")}`}</td></tr>`,
    )
    .join("");
  const three = (name: string) => `<th>${name} Braze</th><th>Kairos</th><th>difference</th>`;
  return `<table><tr><th>day</th><th>campaign/Canvas</th>${three("sends")}${three("conversions")}${revenue ? three("revenue") : ""}<th>verdict</th></tr>${rows}</table>
<p>Braze's counts come from <code>campaigns/data_series</code> and <code>canvas/data_series</code> (every variation, re-pulled each day: Braze revises recent days); Kairos' are the decisions it sent and the final rewards it learned, conversions dated by ${c.countBy === "send_time" ? "the send" : "the event"}. The difference is relative to the larger count; a day is flagged when it exceeds ${pct(c.tolerance)} and the counts are at least ${c.minDifference} apart. A day is judged only once every reward it can hold is final. These aggregates validate the tracking and give a baseline; they cannot be attributed to customers, so Kairos never learns from them.</p>`;
}

/** Renders the report. */
export function renderReport(data: ReportData): string {
  const k = data.overall.kairos;
  const headline = data.uplift
    .map(
      (u) =>
        `${LABEL[u.control]}: ${u.difference.mean >= 0 ? "+" : ""}${num(u.difference.mean)} per customer [${num(u.difference.low)}, ${num(u.difference.high)}] (${u.relative >= 0 ? "+" : ""}${pct(u.relative)}, point estimate)`,
    )
    .join("; ");
  const groups = (["kairos", "random", "bau", "holdout"] as Group[]).filter((g) => data.overall[g]);
  const dayRows = data.days
    .map(
      (d) =>
        `<tr><td>${esc(d.day)}</td>${(["kairos", "random", "bau", "holdout"] as Group[]).map((g) => `<td>${d.decided[g] ?? 0}</td><td>${ci(d.groups[g])}</td>`).join("")}</tr>`,
    )
    .join("");
  const explanations = data.explanations
    .map((e) => {
      const ex = e.explanation as {
        ranked?: { action: unknown; score: number }[];
        scores?: Record<string, Record<string, number>>;
      };
      const ranked = (ex.ranked ?? [])
        .map((r) => `${esc(JSON.stringify(r.action))} (draw ${num(r.score)})`)
        .join(", then ");
      const scores = Object.entries(ex.scores ?? {})
        .map(
          ([dim, byOption]) =>
            `${esc(dim)}: ${Object.entries(byOption)
              .map(([o, v]) => `${esc(o)} ${num(v)}`)
              .join(", ")}`,
        )
        .join("; ");
      return `<li><code>${esc(e.decisionId)}</code> — customer ${esc(JSON.stringify(e.context))}: chose ${esc(JSON.stringify(e.action))}. Ranked: ${ranked}. Option scores (the posterior mean of what the model credits to the option, at its best over the units that use it; compare options within a dimension): ${scores}.</li>`;
    })
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Kairos report: ${esc(data.useCaseId)}</title>
<style>body{font:14px/1.45 system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#1f2328}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border-bottom:1px solid #d0d7de;padding:3px 8px;text-align:right}
td:first-child,th:first-child{text-align:left}tr.disagree td{background:#fff8c5}.ci,.n{color:#57606a;font-size:12px}h2{margin-top:2em}</style></head><body>
<h1>${esc(data.useCaseId)}: what Kairos did and learned</h1>
<p>Metric <b>${esc(data.metric)}</b>; generated ${esc(new Date(data.generatedAt).toISOString())}; model ${data.model ? `snapshot #${data.model.snapshot}, version ${data.model.version} (${esc(data.model.reason)})` : "none"}; ${data.pending} decisions still inside their attribution window (not counted yet).</p>
<p><b>Reward per customer with Kairos: ${ci(k)}.</b> Against ${headline || "no control group with final rewards yet"}.</p>
<h2>Reward per customer, all days</h2>
<table><tr><th>group</th><th>reward per customer [95% interval]</th></tr>${groups.map((g) => `<tr><td>${LABEL[g]}</td><td>${ci(data.overall[g])}</td></tr>`).join("")}</table>
<table><tr><th>Kairos minus</th><th>difference [95% interval]</th><th>relative (point estimate)</th></tr>${data.uplift
    .map(
      (u) => `<tr><td>${LABEL[u.control]}</td><td>${ci(u.difference)}</td><td>${pct(u.relative)}</td></tr>`,
    )
    .join("")}</table>
<h2>Over time</h2>${chart(data)}
<table><tr><th>day</th>${(["kairos", "random", "bau", "holdout"] as Group[]).map((g) => `<th>${LABEL[g]} decided</th><th>reward per customer</th>`).join("")}</tr>${dayRows}</table>
<h2>Option shares (Kairos group)</h2>${data.shares.map((s) => sharesTable(s, data.segmentBy)).join("")}
<h2>What the model learned</h2>
<p>For each group of customers (the latest day's audience), each option's score is the model's posterior mean reward of the best action using it; shown is its difference from the average over the dimension's options, in reward units. Where options have numeric attributes (a discount's rate), the last column is what one unit of each adds to the reward, the model's posterior mean averaged over the group's customers.</p>
${effectsTable(data)}
<h2>Braze vs Kairos</h2>${brazeTable(data)}
<h2>Sample decisions</h2><ul>${explanations || "<li>none yet</li>"}</ul>
<h2>Method</h2>
<p>Groups are assigned once per customer by a seeded draw and never change, so each group is a random sample of the audience. A reward counts once its attribution window has closed (or it is final earlier); decisions whose window is still open are left out, not counted as zero. <b>All days:</b> the unit is the customer: each customer's mean reward over their counted decisions, then the mean over the group's customers, with a 95% interval of mean ± 1.96 standard errors across customers (normal approximation). <b>Uplift:</b> difference of the two group means, interval ± 1.96 × √(se₁² + se₂²) (Welch, normal approximation); the relative uplift is a point estimate only. <b>By day:</b> one decision per customer per day, mean ± 1.96 standard errors over that day's customers. Sends that failed are not in the Kairos, random or business-as-usual rows. Intervals are not corrected for looking at several days or groups.</p>
</body></html>
`;
}
