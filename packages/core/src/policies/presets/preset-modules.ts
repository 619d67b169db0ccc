import { createRequire } from "node:module";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ValidationError } from "../../errors.js";

/**
 * A configuration file's `presetModules` (packages or files that register presets with the registry, such as
 * `@kairos/neural`) resolved as Node resolves them from the directory `fromDir` (the file's): file URLs that
 * {@link importPresetModules} loads, on the main thread and in every worker. Core imports no such package
 * itself; the specifiers come from the user's file.
 */
export function resolvePresetModules(specifiers: readonly string[], fromDir: string): string[] {
  const require = createRequire(resolve(fromDir, "noop.js"));
  return specifiers.map((specifier, i) => {
    try {
      return pathToFileURL(require.resolve(specifier)).href;
    } catch {
      throw new ValidationError(
        `presetModules[${i}]`,
        `cannot find "${specifier}" from ${resolve(fromDir)} (is the package installed there?)`,
      );
    }
  });
}

/** Imports resolved preset modules (once each: importing registers their presets with the registry). */
export async function importPresetModules(urls: readonly string[]): Promise<void> {
  await Promise.all(urls.map((url) => import(url)));
}
