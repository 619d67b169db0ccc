import type { Interval } from "../stats.js";

/** A number with sensible precision for tables: 3 significant digits, thousands separated. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return "–";
  const abs = Math.abs(v);
  if (abs >= 1000) return Math.round(v).toLocaleString("en-US");
  if (abs >= 100) return v.toFixed(0);
  if (abs >= 10) return v.toFixed(1);
  if (abs >= 1) return v.toFixed(2);
  if (abs === 0) return "0";
  return v.toPrecision(2);
}

/** A share as a percentage. */
export function pct(v: number, digits = 1): string {
  return Number.isFinite(v) ? `${(v * 100).toFixed(digits)}%` : "–";
}

/** `12.3 ±0.4` (half-width of the interval), or just the estimate for a point interval. */
export function withInterval(i: Interval, f: (v: number) => string = fmt): string {
  const half = (i.high - i.low) / 2;
  return half > 0 && Number.isFinite(half) ? `${f(i.estimate)} ±${f(half)}` : f(i.estimate);
}

/** An uplift as `+12.3% [+8.1, +16.5]`. */
export function uplift(i: Interval | undefined): string {
  if (!i || !Number.isFinite(i.estimate)) return "–";
  const s = (v: number) => `${v >= 0 ? "+" : ""}${(v * 100).toFixed(1)}`;
  return `${s(i.estimate)}% [${s(i.low)}, ${s(i.high)}]`;
}

/** Lays out rows as a text table with right-aligned numeric columns. */
export function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ");
  return [line(header), widths.map((w) => "─".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}
