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

/** How a results file's reward is named and written: the metric, and its currency for money metrics. */
export interface Units {
  /** What the reward is, in words: "net revenue", "conversions"… */
  metric: string;
  money: boolean;
  currency?: string;
}

const METRIC_NAMES: Readonly<Record<string, string>> = {
  conversion: "conversions",
  revenue: "revenue",
  arpu: "revenue",
  "net-revenue": "net revenue",
};

/** The units of a results file. */
export function unitsOf(results: { metric: string; currency?: string }): Units {
  const money = results.metric !== "conversion";
  return {
    metric: METRIC_NAMES[results.metric] ?? results.metric,
    money,
    ...(money && results.currency ? { currency: results.currency } : {}),
  };
}

/** `(EUR)` after a money column's name, or nothing. */
export function unitSuffix(u: Units): string {
  return u.currency ? ` (${u.currency})` : "";
}

/**
 * An amount of reward: money with two decimals and its currency (`€41.20`, `41.20 CHF` for a code Intl does
 * not know as a symbol, or a symbol such as `$41.20`), conversions with two decimals.
 */
export function amount(v: number, u: Units, digits = 2): string {
  if (!Number.isFinite(v)) return "–";
  const plain = Math.abs(v) >= 1000 ? Math.round(v).toLocaleString("en-US") : v.toFixed(digits);
  if (!u.money || !u.currency) return plain;
  if (/^[A-Z]{3}$/.test(u.currency)) {
    try {
      return new Intl.NumberFormat("en-US", {
        style: "currency",
        currency: u.currency,
        minimumFractionDigits: Math.abs(v) >= 1000 ? 0 : digits,
        maximumFractionDigits: Math.abs(v) >= 1000 ? 0 : digits,
      }).format(v);
    } catch {
      return `${plain} ${u.currency}`;
    }
  }
  return v < 0 ? `-${u.currency}${plain.slice(1)}` : `${u.currency}${plain}`;
}

/** A whole count with thousands separators (`1,234`). */
export function count(v: number): string {
  return Number.isFinite(v) ? Math.round(v).toLocaleString("en-US") : "–";
}

/** `41.20 ±2.56` (half-width of the 95% interval) with fixed decimals, or the estimate alone without an interval. */
export function fixedWithInterval(i: Interval, digits = 2): string {
  const half = (i.high - i.low) / 2;
  const f = (v: number) => (Math.abs(v) >= 1000 ? Math.round(v).toLocaleString("en-US") : v.toFixed(digits));
  if (!Number.isFinite(i.estimate)) return "–";
  return half > 0 && Number.isFinite(half) ? `${f(i.estimate)} ±${f(half)}` : f(i.estimate);
}

/** A combination as `sms · 19 · 20% · personal`. */
export function combination(action: Readonly<Record<string, unknown>>): string {
  return Object.values(action).map(String).join(" · ");
}

/** `1st`, `2nd`, `3rd`, `11th`… */
export function ordinal(n: number): string {
  const mod100 = n % 100;
  const suffix =
    mod100 >= 11 && mod100 <= 13
      ? "th"
      : n % 10 === 1
        ? "st"
        : n % 10 === 2
          ? "nd"
          : n % 10 === 3
            ? "rd"
            : "th";
  return `${n}${suffix}`;
}
