// Reads a use-case file from disk: a missing file or a JSON syntax error is one line naming where.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ValidationError } from "@kairos/core";
import { compileUseCase, type UseCase } from "./compile.js";
import { importUseCasePresets } from "./preset-modules.js";

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

/**
 * Loads and validates a use-case file, importing its presetModules first; relative paths inside it resolve
 * against its directory.
 */
export async function loadUseCase(path: string): Promise<UseCase> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ValidationError(path, code === "ENOENT" ? "no such file" : `cannot read (${code})`);
  }
  const input = parseJson(text, path);
  const baseDir = dirname(resolve(path));
  await importUseCasePresets(input, baseDir);
  return compileUseCase(input, baseDir);
}
