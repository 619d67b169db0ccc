import { readFileSync } from "node:fs";
import { KairosError } from "@kairos/core";
import { jsonSyntaxError } from "./json-error.js";

/** What a file-system error code means, in words. */
const REASONS: Record<string, string> = {
  ENOENT: "no such file",
  EISDIR: "it is a directory",
  EACCES: "permission denied",
  EPERM: "permission denied",
  ENOTDIR: "a parent of it is not a directory",
  ELOOP: "too many symbolic links",
  ENAMETOOLONG: "the name is too long",
};

/** Reads a UTF-8 file, or throws `file_not_found` naming it (`what`, e.g. "scenario", goes before the name). */
export function readText(file: string, what?: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const reason = (err.code && REASONS[err.code]) ?? err.code ?? String(e);
    throw new KairosError("file_not_found", `cannot read ${what ? `${what} ` : ""}${file}: ${reason}`);
  }
}

/** 1-based line and column of a character offset in `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  const end = Math.max(0, Math.min(offset, text.length));
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: end - start + 1 };
}

/**
 * Parses the JSON text of `file`, or throws `bad_json` naming the line and column of the first syntax error:
 * `file.json:3:8 is not valid JSON: unexpected "2", expected : after the key`.
 */
export function parseJsonFile(text: string, file: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (e) {
    const found = jsonSyntaxError(body);
    const offset =
      found?.offset ?? Number(/at position (\d+)/.exec((e as Error).message)?.[1] ?? body.length);
    const reason = found?.reason ?? (e as Error).message.split("\n")[0]!;
    const { line, column } = lineColumn(body, offset);
    throw new KairosError("bad_json", `${file}:${line}:${column} is not valid JSON: ${reason}`);
  }
}
