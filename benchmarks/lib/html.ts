// The HTML report of a benchmark run: targets, then per action space a log-scale bar chart of decisions/s and
// updates/s per policy (one bar per context dimension), then heap against the product of options.
import { colour, esc } from "../../packages/sim/src/index.js";
import { bytes, measuredText, micros, rate } from "./report.js";
import type { BenchResults, CellResult } from "./suite.js";

interface BarRow {
  name: string;
  /** One value per series; undefined draws "n/a". */
  values: (number | undefined)[];
}

/** Horizontal grouped bars on a log₁₀ axis (throughputs span five orders of magnitude). */
function logBarChart(o: {
  title: string;
  rows: readonly BarRow[];
  series: readonly string[];
  format: (v: number) => string;
  /** The series whose value is printed after each row's bars. */
  labelled: number;
}): string {
  const width = 760;
  const barH = 7;
  const rowH = Math.max(18, o.series.length * barH + 6);
  const m = { left: 300, right: 70, top: 44, bottom: 26 };
  const h = o.rows.length * rowH;
  const height = m.top + h + m.bottom;
  const w = width - m.left - m.right;
  const values = o.rows.flatMap((r) => r.values).filter((v): v is number => v !== undefined && v > 0);
  const lo = Math.floor(Math.log10(Math.min(...values, 10)));
  const hi = Math.ceil(Math.log10(Math.max(...values, 100)));
  const x = (v: number) => m.left + ((Math.log10(v) - lo) / (hi - lo)) * w;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img">`,
    `<title>${esc(o.title)}</title>`,
    `<text x="8" y="16" font-size="13" font-weight="600">${esc(o.title)}</text>`,
  ];
  o.series.forEach((s, i) => {
    const lx = m.left + i * 110;
    parts.push(`<rect x="${lx}" y="26" width="12" height="8" fill="${colour(i)}"/>`);
    parts.push(`<text x="${lx + 16}" y="34" font-size="11">${esc(s)}</text>`);
  });
  for (let p = lo; p <= hi; p++) {
    const tx = x(10 ** p);
    parts.push(`<line x1="${tx}" x2="${tx}" y1="${m.top}" y2="${m.top + h}" stroke="#e9ecef"/>`);
    parts.push(
      `<text x="${tx}" y="${m.top + h + 14}" font-size="10" text-anchor="middle" fill="#495057">${esc(o.format(10 ** p))}</text>`,
    );
  }
  o.rows.forEach((r, i) => {
    const top = m.top + i * rowH + 3;
    parts.push(
      `<text x="${m.left - 8}" y="${top + rowH / 2}" font-size="11" text-anchor="end">${esc(r.name)}</text>`,
    );
    r.values.forEach((v, k) => {
      const y = top + k * barH;
      if (v === undefined || !(v > 0)) {
        parts.push(`<text x="${m.left + 4}" y="${y + barH - 1}" font-size="8" fill="#868e96">n/a</text>`);
        return;
      }
      parts.push(
        `<rect x="${m.left}" y="${y}" width="${Math.max(1, x(v) - m.left)}" height="${barH - 1}" fill="${colour(k)}"><title>${esc(`${o.series[k]}: ${o.format(v)}`)}</title></rect>`,
      );
    });
    const shown = r.values[o.labelled];
    if (shown !== undefined && shown > 0) {
      const end = Math.max(...r.values.map((v) => (v !== undefined && v > 0 ? x(v) : m.left)));
      parts.push(
        `<text x="${end + 4}" y="${top + (o.labelled + 1) * barH}" font-size="10">${esc(o.format(shown))}</text>`,
      );
    }
  });
  parts.push("</svg>");
  return parts.join("");
}

function row(cells: string[], tag = "td"): string {
  return `<tr>${cells.map((c) => `<${tag}>${c}</${tag}>`).join("")}</tr>`;
}

/** A self-contained HTML page (inline SVG, no scripts) of a run. */
export function resultsHtml(results: BenchResults): string {
  const meta = results.meta;
  const dims = results.inputs.dimensions;
  const series = dims.map((d) => `d = ${d}`);
  const labelled = Math.max(0, dims.indexOf(32));
  const sections: string[] = [];
  for (const space of results.inputs.spaces) {
    const cells = results.results.filter((c) => c.space === space.id);
    const ids = [...new Set(cells.map((c) => c.policy))];
    const at = (id: string, d: number): CellResult | undefined =>
      cells.find((c) => c.policy === id && c.d === d);
    const rows = (pick: (c: CellResult) => number | undefined) =>
      ids.map((id) => ({
        name: cells.find((c) => c.policy === id)!.label,
        values: dims.map((d) => {
          const c = at(id, d);
          return c?.status === "ok" ? pick(c) : undefined;
        }),
      }));
    const title = `${space.label}: ${space.product.toLocaleString("en-US")} actions`;
    sections.push(
      `<h2>${esc(title)}</h2>`,
      logBarChart({
        title: "decisions / s",
        rows: rows((c) => c.decisionsPerSec),
        series,
        format: rate,
        labelled,
      }),
      logBarChart({
        title: "updates / s (feedback items)",
        rows: rows((c) => c.updatesPerSec),
        series,
        format: rate,
        labelled,
      }),
      logBarChart({
        title: "heap per model (bytes)",
        rows: rows((c) => c.heapBytes),
        series,
        format: bytes,
        labelled,
      }),
    );
  }
  const memory = results.memoryScaling;
  const memoryRows = memory.map((m) =>
    row([
      esc(m.optionCounts.join("×")),
      String(m.sumOfOptions),
      m.productOfOptions.toLocaleString("en-US"),
      esc(m.policy),
      m.status === "ok" ? bytes(m.heapBytes) : esc(`n/a: ${m.reason ?? ""}`),
    ]),
  );
  const roundRows = (results.batchRounds ?? []).map((r) =>
    row([
      esc(r.label),
      micros(r.usPerRound),
      micros(r.decideUsPerRound),
      micros(r.updateUsPerRound),
      micros(r.cpuUsPerRound),
    ]),
  );
  const targetRows = results.targets.map((t) =>
    row([
      esc(t.description),
      esc(t.threshold),
      esc(measuredText(t)),
      t.met ? '<span class="met">met</span>' : '<span class="missed">missed</span>',
    ]),
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Kairos core benchmarks</title>
<style>
body { font-family: system-ui, sans-serif; margin: 24px; color: #212529; max-width: 1000px; }
table { border-collapse: collapse; margin: 12px 0 24px; font-size: 13px; }
td, th { border-bottom: 1px solid #dee2e6; padding: 4px 10px; text-align: left; }
.met { color: #0072B2; font-weight: 600; } .missed { color: #D55E00; font-weight: 600; }
svg { display: block; margin: 8px 0 16px; }
</style></head><body>
<h1>Kairos core benchmarks</h1>
<p>${esc(`${meta.cpuModel}, ${meta.cores} cores, Node ${meta.node} (V8 ${meta.v8}), ${meta.platform} ${meta.arch}; ${meta.date}; ${meta.mode} run of ${meta.durationSeconds.toFixed(0)} s; load average ${meta.loadAverage.start.toFixed(2)} at start, ${meta.loadAverage.end.toFixed(2)} at end. Heap measured ${meta.heapMethod} (gc ${meta.heapGc}).`)}</p>
<p>Single-threaded. Bars are on a log scale; the number after each row is its d = ${dims[labelled]} bar; hover any bar for its value.</p>
<p>Baselines: ${esc(results.baseline.replace(/\.+$/, ""))}.</p>
<h2>Targets</h2>
<table>${row(["target", "threshold", "measured", ""], "th")}${targetRows.join("")}</table>
${sections.join("\n")}
<h2>Rounds in batches: decideBatch + update, per decision</h2>
<table>${row(["workload", "µs / round", "decide", "update", "CPU µs / round"], "th")}${roundRows.join("")}</table>
<h2>Memory against the sum and the product of options (d = ${results.memoryScaling[0]?.d ?? ""})</h2>
<table>${row(["option counts", "sum", "product", "policy", "heap"], "th")}${memoryRows.join("")}</table>
</body></html>
`;
}
