import { auto } from "./auto.js";
import { betaThompson } from "./beta-thompson.js";
import { epsilonGreedy } from "./epsilon-greedy.js";
import { factorisedThompson } from "./factorised-thompson.js";
import { factorisedUcb } from "./factorised-ucb.js";
import { fixed } from "./fixed.js";
import { gaussianThompson } from "./gaussian-thompson.js";
import { greedy } from "./greedy.js";
import { hybridLinucb } from "./hybrid-linucb.js";
import { lints } from "./lints.js";
import { linucb } from "./linucb.js";
import type { Preset } from "./preset.js";
import { random } from "./random.js";
import { squarecb } from "./squarecb.js";
import { ucb1 } from "./ucb1.js";

/** Every preset createPolicy knows, by kind. A new preset is one file plus one line here. */
export const presets = {
  auto,
  random,
  fixed,
  greedy,
  "epsilon-greedy": epsilonGreedy,
  squarecb,
  "beta-thompson": betaThompson,
  "gaussian-thompson": gaussianThompson,
  ucb1,
  linucb,
  lints,
  "hybrid-linucb": hybridLinucb,
  "factorised-thompson": factorisedThompson,
  "factorised-ucb": factorisedUcb,
} as const;

/** A preset name. */
export type PolicyKind = keyof typeof presets;
/** Names of every preset, for CLIs and docs. */
export const policyKinds = Object.keys(presets) as PolicyKind[];

/** Core's presets and those other packages registered: what createPolicy builds (a new object per change). */
let registry: Readonly<Record<string, Preset>> = presets;

/**
 * Adds another package's presets (declared with `definePreset`) to the registry `createPolicy` builds from,
 * so `createPolicy({ kind: "neural-linear", ... })` works once the package that registers it is imported.
 * Registering the same preset again is a no-op; a kind core or another package already uses is an error.
 */
export function registerPresets(more: Readonly<Record<string, Preset>>): void {
  for (const [kind, preset] of Object.entries(more)) {
    if (preset.kind !== kind) throw new Error(`preset registered as "${kind}" is of kind "${preset.kind}"`);
    const known = registry[kind];
    if (known !== undefined && known !== preset) throw new Error(`a preset of kind "${kind}" is registered`);
  }
  registry = { ...registry, ...more };
}

/** Whether the registered preset of this kind has a setting of this name (false for an unknown kind). */
export function presetHasSetting(kind: string, setting: string): boolean {
  const preset = registry[kind];
  return preset !== undefined && setting in preset.settings.shape;
}

/** Every preset createPolicy can build now, by kind: core's and the registered ones. */
export function registeredPresets(): Readonly<Record<string, Preset>> {
  return registry;
}

/** The README's preset table, generated from the registry (a test keeps the README current). */
export function presetTable(): string {
  const rows = Object.values(presets as Record<string, Preset>).map((p) => [
    `\`${p.kind}\``,
    p.summary,
    p.propensity,
    p.rewards === "unit" ? "[0, 1]" : "any",
    Object.keys(p.settings.shape)
      .map((k) => `\`${k}\``)
      .join(", ") || "none",
  ]);
  const header = ["kind", "model and exploration", "propensity", "rewards", "settings"];
  // Columns padded as the formatter lays out Markdown tables, so formatting leaves the README unchanged.
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, c) => cell.padEnd(widths[c]!)).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
