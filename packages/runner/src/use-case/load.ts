// Reads a use-case file from disk: a missing file or a JSON syntax error is one line naming where.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ValidationError } from "@kairos/core";
import { compileUseCase, type UseCase } from "./compile.js";

/** Parses JSON text; a syntax error names the line and column. */
export function parseJson(text: string, name: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const at = /position (\d+)/.exec(message);
    if (!at) throw new ValidationError(name, `not valid JSON (${message})`);
    const before = text.slice(0, Number(at[1]));
    const line = before.split("\n").length;
    const column = before.length - before.lastIndexOf("\n");
    throw new ValidationError(
      `${name}:${line}:${column}`,
      `not valid JSON (${message.replace(/ in JSON at position \d+.*$/, "")})`,
    );
  }
}

/** Loads and validates a use-case file; relative paths inside it resolve against its directory. */
export function loadUseCase(path: string): UseCase {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ValidationError(path, code === "ENOENT" ? "no such file" : `cannot read (${code})`);
  }
  return compileUseCase(parseJson(text, path), dirname(resolve(path)));
}
