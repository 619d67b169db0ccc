import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseScenario } from "../src/scenario/load.js";
import type { Scenario } from "../src/scenario/schema.js";

/** Path of a test fixture. */
export const fixturePath = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** Path of a file in the repository's simulations/ folder. */
export const simulationPath = (name: string): string =>
  fileURLToPath(new URL(`../../../simulations/${name}`, import.meta.url));

/** A fixture scenario as raw JSON (to mutate in tests). */
export function fixtureJson(name = "personal.json"): Record<string, unknown> {
  return JSON.parse(readFileSync(fixturePath(name), "utf8"));
}

/** A validated fixture scenario, with optional overrides of top-level fields. */
export function fixture(overrides: Record<string, unknown> = {}, name = "personal.json"): Scenario {
  return parseScenario({ ...fixtureJson(name), ...overrides });
}
