import type { SeriesStyle } from "./style.js";

/** A named series of y values, one per day; without a style it takes the i-th default colour. */
export interface Series {
  name: string;
  values: readonly number[];
  style?: SeriesStyle;
  /** A 95% band around the values, drawn as a light area in the series' colour. */
  band?: { low: readonly number[]; high: readonly number[] };
}

/** Okabe–Ito (yellow left out) then Paul Tol's muted colours: colour-blind-safe and distinct. */
const PALETTE = [
  "#0072B2",
  "#D55E00",
  "#009E73",
  "#CC79A7",
  "#E69F00",
  "#56B4E9",
  "#000000",
  "#332288",
  "#44AA99",
  "#999933",
  "#CC6677",
  "#AA4499",
];

/** Colour of the i-th series when none is given. */
export function colour(i: number): string {
  return PALETTE[i % PALETTE.length]!;
}

function styleOf(style: SeriesStyle | undefined, i: number): SeriesStyle {
  return style ?? { colour: colour(i), width: 1.8 };
}

/** SVG stroke attributes of a style. */
function stroke(s: SeriesStyle, width = s.width): string {
  return `stroke="${s.colour}" stroke-width="${width}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}`;
}

/** A short line in a policy's style, for tables (links the summary table to the charts). */
export function swatch(style: SeriesStyle): string {
  return `<svg width="24" height="8" viewBox="0 0 24 8" aria-hidden="true"><line x1="0" x2="24" y1="4" y2="4" ${stroke(style, Math.max(2, style.width))}/></svg>`;
}

/** Escapes text for HTML and SVG. */
export function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** A chart's opening parts: the svg element, its accessible title and the visible heading (at x = `titleX`). */
function chartStart(width: number, height: number, title: string, titleX: number): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img">`,
    `<title>${esc(title)}</title>`,
    `<text x="${titleX}" y="16" font-size="13" font-weight="600">${esc(title)}</text>`,
  ];
}

function label(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e3) return `${(v / 1e3).toPrecision(3)}k`;
  return Number(v.toPrecision(3)).toString();
}

/** A line chart of daily series with axes, a legend and an optional vertical marker (e.g. a drift day). */
export function lineChart(o: {
  title: string;
  series: readonly Series[];
  yLabel?: string;
  width?: number;
  height?: number;
  marker?: { x: number; text: string };
  yMin?: number;
  yMax?: number;
}): string {
  const width = o.width ?? 640;
  const height = o.height ?? 300;
  // The legend on the right is as wide as the longest name needs (about 6.2 px a character at 11 px).
  const longest = Math.max(0, ...o.series.map((s) => s.name.length));
  const m = {
    left: 56,
    right: Math.max(160, Math.min(300, 40 + Math.ceil(longest * 6.2))),
    top: 28,
    bottom: 36,
  };
  const w = width - m.left - m.right;
  const h = height - m.top - m.bottom;
  const n = Math.max(1, ...o.series.map((s) => s.values.length));
  const all = o.series.flatMap((s) =>
    [...s.values, ...(s.band ? [...s.band.low, ...s.band.high] : [])].filter(Number.isFinite),
  );
  let lo = o.yMin ?? Math.min(0, ...all);
  let hi = o.yMax ?? Math.max(...all, lo + 1e-9);
  if (hi === lo) hi = lo + 1;
  const pad = (hi - lo) * 0.04;
  if (o.yMax === undefined) hi += pad;
  if (o.yMin === undefined && lo < 0) lo -= pad;
  const x = (d: number) => m.left + (n <= 1 ? w / 2 : (d / (n - 1)) * w);
  const y = (v: number) => m.top + h - ((v - lo) / (hi - lo)) * h;
  const parts = chartStart(width, height, o.title, m.left);
  for (const t of niceTicks(lo, hi)) {
    parts.push(`<line x1="${m.left}" x2="${m.left + w}" y1="${y(t)}" y2="${y(t)}" stroke="#e9ecef"/>`);
    parts.push(
      `<text x="${m.left - 6}" y="${y(t) + 4}" font-size="10" text-anchor="end" fill="#495057">${label(t)}</text>`,
    );
  }
  for (const t of niceTicks(0, n - 1, Math.min(7, n - 1))) {
    parts.push(
      `<text x="${x(t)}" y="${m.top + h + 14}" font-size="10" text-anchor="middle" fill="#495057">${t + 1}</text>`,
    );
  }
  parts.push(
    `<text x="${m.left + w / 2}" y="${height - 4}" font-size="10" text-anchor="middle" fill="#495057">day</text>`,
  );
  if (o.yLabel) {
    parts.push(
      `<text transform="translate(12 ${m.top + h / 2}) rotate(-90)" font-size="10" text-anchor="middle" fill="#495057">${esc(o.yLabel)}</text>`,
    );
  }
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${w}" height="${h}" fill="none" stroke="#ced4da"/>`);
  if (o.marker && o.marker.x >= 0 && o.marker.x < n) {
    const mx = x(o.marker.x);
    parts.push(
      `<line x1="${mx}" x2="${mx}" y1="${m.top}" y2="${m.top + h}" stroke="#adb5bd" stroke-dasharray="4 3"/>`,
    );
    parts.push(
      `<text x="${mx + 3}" y="${m.top + 11}" font-size="10" fill="#868e96">${esc(o.marker.text)}</text>`,
    );
  }
  const styles = o.series.map((s, i) => styleOf(s.style, i));
  // Dashed series (baselines) first, so solid ones (Kairos policies) are drawn on top.
  const order = o.series.map((_, i) => i).sort((a, b) => Number(!styles[b]!.dash) - Number(!styles[a]!.dash));
  // Bands under every line.
  for (const i of order) {
    const b = o.series[i]!.band;
    if (!b) continue;
    const days = b.low
      .map((_, d) => d)
      .filter((d) => Number.isFinite(b.low[d]!) && Number.isFinite(b.high[d]!));
    if (days.length < 2 || days.every((d) => b.high[d]! - b.low[d]! <= 0)) continue;
    const pts = [
      ...days.map((d) => `${x(d).toFixed(1)},${y(b.high[d]!).toFixed(1)}`),
      ...days.reverse().map((d) => `${x(d).toFixed(1)},${y(b.low[d]!).toFixed(1)}`),
    ].join(" ");
    parts.push(
      `<polygon points="${pts}" fill="${styles[i]!.colour}" fill-opacity="0.13" stroke="none"><title>${esc(o.series[i]!.name)}: 95% interval</title></polygon>`,
    );
  }
  for (const i of order) {
    const s = o.series[i]!;
    const pts = s.values
      .map((v, d) => (Number.isFinite(v) ? `${x(d).toFixed(1)},${y(v).toFixed(1)}` : ""))
      .filter(Boolean)
      .join(" ");
    parts.push(
      `<polyline fill="none" ${stroke(styles[i]!)} stroke-linejoin="round" points="${pts}"><title>${esc(s.name)}</title></polyline>`,
    );
  }
  o.series.forEach((s, i) => {
    const ly = m.top + 8 + i * 15;
    parts.push(
      `<line x1="${m.left + w + 8}" x2="${m.left + w + 30}" y1="${ly}" y2="${ly}" ${stroke(styles[i]!, styles[i]!.width + 0.7)}/>`,
    );
    parts.push(`<text x="${m.left + w + 34}" y="${ly + 4}" font-size="11">${esc(s.name)}</text>`);
  });
  parts.push("</svg>");
  return parts.join("");
}

/** Horizontal interval chart: one row per item with a point estimate and its 95% interval, around zero. */
export function intervalChart(o: {
  title: string;
  rows: readonly { name: string; estimate: number; low: number; high: number; style?: SeriesStyle }[];
  format?: (v: number) => string;
  width?: number;
}): string {
  const width = o.width ?? 640;
  const rowH = 22;
  const m = { left: 180, right: 90, top: 30, bottom: 26 };
  const h = Math.max(1, o.rows.length) * rowH;
  const height = m.top + h + m.bottom;
  const w = width - m.left - m.right;
  const vals = o.rows.flatMap((r) => [r.low, r.high, r.estimate]).filter(Number.isFinite);
  let lo = Math.min(0, ...vals);
  let hi = Math.max(0, ...vals);
  if (hi === lo) hi = lo + 1;
  const pad = (hi - lo) * 0.05;
  lo -= pad;
  hi += pad;
  const x = (v: number) => m.left + ((v - lo) / (hi - lo)) * w;
  const f = o.format ?? label;
  const parts = chartStart(width, height, o.title, 8);
  for (const t of niceTicks(lo, hi)) {
    parts.push(`<line x1="${x(t)}" x2="${x(t)}" y1="${m.top}" y2="${m.top + h}" stroke="#e9ecef"/>`);
    parts.push(
      `<text x="${x(t)}" y="${m.top + h + 14}" font-size="10" text-anchor="middle" fill="#495057">${esc(f(t))}</text>`,
    );
  }
  parts.push(`<line x1="${x(0)}" x2="${x(0)}" y1="${m.top}" y2="${m.top + h}" stroke="#495057"/>`);
  o.rows.forEach((r, i) => {
    const cy = m.top + i * rowH + rowH / 2;
    parts.push(
      `<text x="${m.left - 8}" y="${cy + 4}" font-size="11" text-anchor="end">${esc(r.name)}</text>`,
    );
    if (!Number.isFinite(r.estimate)) return;
    const st = styleOf(r.style, i);
    if (Number.isFinite(r.low) && Number.isFinite(r.high)) {
      parts.push(`<line x1="${x(r.low)}" x2="${x(r.high)}" y1="${cy}" y2="${cy}" ${stroke(st, 2)}/>`);
      for (const v of [r.low, r.high])
        parts.push(
          `<line x1="${x(v)}" x2="${x(v)}" y1="${cy - 5}" y2="${cy + 5}" stroke="${st.colour}" stroke-width="2"/>`,
        );
    }
    // Baselines (dashed) get a hollow dot, Kairos policies a filled one.
    parts.push(
      st.dash
        ? `<circle cx="${x(r.estimate)}" cy="${cy}" r="4" fill="#fff" stroke="${st.colour}" stroke-width="2"/>`
        : `<circle cx="${x(r.estimate)}" cy="${cy}" r="4.5" fill="${st.colour}"/>`,
    );
    parts.push(`<text x="${m.left + w + 8}" y="${cy + 4}" font-size="11">${esc(f(r.estimate))}</text>`);
  });
  parts.push("</svg>");
  return parts.join("");
}
