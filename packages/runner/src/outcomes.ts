// Outcome files dropped in a folder: *.json holds a /users/track body (events, purchases, attributes),
// *.jsonl / *.ndjson holds Currents-style JSON Lines events. The cursor (saved with the joiner's state, in
// the same transaction) records how many lines of each file were read, so files may grow and a rerun never
// reads a line twice.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { extname, join } from "node:path";
import { ValidationError } from "@kairos/core";
import type { RewardJoiner } from "@kairos/rewards";
import { parseJson } from "./use-case/load.js";

/** Lines read per file (a .json file counts as one line, read whole). */
export type OutcomeCursor = Record<string, number>;

/** The cursor saved in the joiner's state. */
export function parseCursor(saved: string | null): OutcomeCursor {
  return saved ? (JSON.parse(saved) as { files: OutcomeCursor }).files : {};
}

/** The cursor as the joiner stores it. */
export function formatCursor(cursor: OutcomeCursor): string {
  return JSON.stringify({ files: cursor });
}

/** New outcome records of one file: a /users/track body (a .json file, read whole) or JSON Lines. */
export type OutcomeRecords = { kind: "track"; body: unknown } | { kind: "lines"; lines: string[] };

/**
 * The outcome records not read yet, file by file in name order, and the cursor after them (how many lines of
 * each file are now read).
 */
export function newOutcomes(
  folder: string,
  cursor: OutcomeCursor,
): { cursor: OutcomeCursor; found: OutcomeRecords[] } {
  if (!existsSync(folder)) throw new ValidationError("outcomes.folder", `${folder}: no such folder`);
  const next = { ...cursor };
  const found: OutcomeRecords[] = [];
  const names = readdirSync(folder)
    .filter((n) => [".json", ".jsonl", ".ndjson"].includes(extname(n).toLowerCase()))
    .sort();
  for (const name of names) {
    const text = readFileSync(join(folder, name), "utf8");
    const done = next[name] ?? 0;
    if (extname(name).toLowerCase() === ".json") {
      if (done > 0) continue;
      found.push({ kind: "track", body: parseJson(text, join(folder, name)) });
      next[name] = 1;
      continue;
    }
    const lines = text.split("\n");
    // A last line without its newline may still be being written: leave it for the next run unless it is
    // complete JSON.
    const last = lines.pop() ?? "";
    if (last.trim() && isJson(last)) lines.push(last);
    if (lines.length <= done) continue;
    found.push({ kind: "lines", lines: lines.slice(done) });
    next[name] = lines.length;
  }
  return { cursor: next, found };
}

/** Feeds the joiner every outcome line not read yet; returns the new cursor and how many records were fed. */
export function ingestOutcomes(
  joiner: RewardJoiner,
  folder: string,
  cursor: OutcomeCursor,
  receivedAt: number,
): { cursor: OutcomeCursor; records: number; files: number } {
  const read = newOutcomes(folder, cursor);
  let records = 0;
  for (const r of read.found) {
    if (r.kind === "track") {
      joiner.ingestTrack(r.body, receivedAt);
      records++;
    } else {
      joiner.ingestJsonLines(r.lines);
      records += r.lines.filter((l) => l.trim()).length;
    }
  }
  return { cursor: read.cursor, records, files: read.found.length };
}

function isJson(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}
