// A use-case file's presetModules imported before it is compiled: compiling checks that the policy kind is
// registered, and a package such as @kairos/neural registers its presets when it is imported.
import { importPresetModules, resolvePresetModules } from "@kairos/core";
import { validationErrorOf } from "./issues.js";
import { presetModulesSchema } from "./schema.js";

/** Imports the presetModules of a parsed use-case file, resolved from `baseDir` (the file's directory). */
export async function importUseCasePresets(input: unknown, baseDir: string): Promise<void> {
  const specifiers = presetModulesSchema.safeParse(
    (input as { presetModules?: unknown } | null)?.presetModules,
  );
  if (!specifiers.success) throw validationErrorOf("presetModules", specifiers.error);
  await importPresetModules(resolvePresetModules(specifiers.data, baseDir));
}
