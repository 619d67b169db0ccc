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
