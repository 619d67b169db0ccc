import { KairosError } from "@kairos/core";
import { readText } from "../files.js";
import { emptyOpeData, type OpeData } from "./estimators.js";

/** Header of a `bandit-ope/v1` file. */
export interface BanditOpeHeader {
  format: "bandit-ope/v1";
  name: string;
  contextDim: number;
  numActions: number;
}

/** An error in a JSON Lines file, naming the 1-based line. */
export class LineError extends KairosError {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super("bad_line", `line ${line}: ${message}`);
  }
}

const isNumberArray = (v: unknown, length: number): v is number[] =>
  Array.isArray(v) && v.length === length && v.every((x) => typeof x === "number" && Number.isFinite(x));

/** Splits JSON Lines text, parsing each non-empty line; errors name the line. */
export function parseJsonLines(text: string): { line: number; value: unknown }[] {
  const out: { line: number; value: unknown }[] = [];
  text.split("\n").forEach((raw, i) => {
    const t = raw.trim();
    if (t === "") return;
    try {
      out.push({ line: i + 1, value: JSON.parse(t) });
    } catch (e) {
      throw new LineError(i + 1, `not valid JSON (${(e as Error).message})`);
    }
  });
  return out;
}

/**
 * Parses a `bandit-ope/v1` file: line 1 the header, then one round per line
 * `{"x":[d numbers],"a":index,"r":reward,"pscore":μ(a|x),"pi":[K probabilities]}`.
 */
export function parseBanditOpe(text: string): { header: BanditOpeHeader; data: OpeData } {
  const lines = parseJsonLines(text);
  if (lines.length === 0) throw new LineError(1, "empty file: expected a bandit-ope/v1 header");
  const h = lines[0]!.value as Partial<BanditOpeHeader>;
  const hl = lines[0]!.line;
  if (!h || typeof h !== "object" || h.format !== "bandit-ope/v1")
    throw new LineError(hl, 'header must have "format":"bandit-ope/v1"');
  if (!Number.isInteger(h.contextDim) || h.contextDim! < 0)
    throw new LineError(hl, "header contextDim must be a non-negative integer");
  if (!Number.isInteger(h.numActions) || h.numActions! < 1)
    throw new LineError(hl, "header numActions must be a positive integer");
  const d = h.contextDim!;
  const k = h.numActions!;
  const data = emptyOpeData();
  for (const { line, value } of lines.slice(1)) {
    const row = value as Record<string, unknown>;
    if (!row || typeof row !== "object" || Array.isArray(row))
      throw new LineError(line, "expected an object");
    if (!isNumberArray(row.x, d)) throw new LineError(line, `x must be an array of ${d} finite numbers`);
    const a = row.a;
    if (typeof a !== "number" || !Number.isInteger(a) || a < 0 || a >= k)
      throw new LineError(line, `a must be an integer in [0, ${k})`);
    if (typeof row.r !== "number" || !Number.isFinite(row.r))
      throw new LineError(line, "r must be a finite number");
    const p = row.pscore;
    if (typeof p !== "number" || !(p > 0) || p > 1)
      throw new LineError(line, "pscore must be a number in (0, 1]");
    if (!isNumberArray(row.pi, k)) throw new LineError(line, `pi must be an array of ${k} finite numbers`);
    const pi = row.pi;
    if (pi.some((v) => v < 0)) throw new LineError(line, "pi must not be negative");
    const total = pi.reduce((s, v) => s + v, 0);
    if (Math.abs(total - 1) > 1e-3) throw new LineError(line, `pi must sum to 1 (sums to ${total})`);
    data.x.push(Float64Array.from(row.x));
    data.a.push(a);
    data.r.push(row.r);
    data.pscore.push(p);
    data.pi.push(Float64Array.from(pi));
  }
  if (data.a.length === 0) throw new LineError(hl + 1, "no rounds after the header");
  return {
    header: { format: "bandit-ope/v1", name: String(h.name ?? ""), contextDim: d, numActions: k },
    data,
  };
}

/** Reads a `bandit-ope/v1` file. */
export function readBanditOpe(file: string): { header: BanditOpeHeader; data: OpeData } {
  return parseBanditOpe(readText(file));
}

/** Writes OPE data as `bandit-ope/v1` text. */
export function formatBanditOpe(name: string, data: OpeData, numActions: number): string {
  const d = data.x[0]?.length ?? 0;
  const lines = [JSON.stringify({ format: "bandit-ope/v1", name, contextDim: d, numActions })];
  for (let i = 0; i < data.a.length; i++) {
    lines.push(
      JSON.stringify({
        x: Array.from(data.x[i]!),
        a: data.a[i],
        r: data.r[i],
        pscore: data.pscore[i],
        pi: Array.from(data.pi[i]!),
      }),
    );
  }
  return `${lines.join("\n")}\n`;
}
