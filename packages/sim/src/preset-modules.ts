import { createRequire } from "node:module";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ValidationError } from "@kairos/core";

/**
 * A scenario's `presetModules` (packages or files that register presets with core's registry, such as
 * `@kairos/neural`) resolved as Node resolves them from the scenario file's directory: file URLs that
 * {@link importPresetModules} loads, on the main thread and in every worker.
 */
export function resolvePresetModules(specifiers: readonly string[], scenarioFile: string): string[] {
  const require = createRequire(resolve(scenarioFile));
  return specifiers.map((specifier, i) => {
    try {
      return pathToFileURL(require.resolve(specifier)).href;
    } catch {
      throw new ValidationError(
        `presetModules[${i}]`,
        `cannot find "${specifier}" from ${resolve(scenarioFile, "..")} (is the package installed there?)`,
      );
    }
  });
}

/** Imports resolved preset modules (once each: importing registers their presets with core). */
export async function importPresetModules(urls: readonly string[]): Promise<void> {
  await Promise.all(urls.map((url) => import(url)));
}
