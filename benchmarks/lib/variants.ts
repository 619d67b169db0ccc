// The benchmarked policy configurations and how each is built.

import type { Feedback } from "../../packages/core/src/index.js";
import {
  type BanditPolicy,
  createPolicy,
  JOINT_LIMIT,
  type PolicyConfig,
  type PolicyKind,
} from "../../packages/core/src/index.js";
import { productOf, type SpaceSpec } from "./spaces.js";

/** One benchmarked policy configuration. */
export interface Variant {
  id: string;
  kind: PolicyKind;
  label: string;
  settings: Record<string, unknown>;
}

/** createPolicy's default number of Monte-Carlo draws for Thompson-sampling propensities. */
export const DEFAULT_DRAWS = 100;

function thompson(kind: PolicyKind): Variant[] {
  return [
    { id: `${kind}@draws0`, kind, label: `${kind} [propensityDraws 0]`, settings: { propensityDraws: 0 } },
    {
      id: `${kind}@draws${DEFAULT_DRAWS}`,
      kind,
      label: `${kind} [propensityDraws ${DEFAULT_DRAWS}, default]`,
      settings: {},
    },
  ];
}

/** Every preset of the issue; Thompson-sampling presets twice: without and with propensity estimation. */
export const VARIANTS: Variant[] = [
  { id: "random", kind: "random", label: "random (baseline)", settings: {} },
  { id: "greedy", kind: "greedy", label: "greedy", settings: {} },
  { id: "epsilon-greedy", kind: "epsilon-greedy", label: "epsilon-greedy (ε 0.1)", settings: {} },
  { id: "squarecb", kind: "squarecb", label: "squarecb", settings: {} },
  ...thompson("beta-thompson"),
  ...thompson("gaussian-thompson"),
  { id: "ucb1", kind: "ucb1", label: "ucb1", settings: {} },
  { id: "linucb", kind: "linucb", label: "linucb", settings: {} },
  ...thompson("lints"),
  { id: "hybrid-linucb", kind: "hybrid-linucb", label: "hybrid-linucb", settings: {} },
  ...thompson("factorised-thompson"),
  { id: "factorised-ucb", kind: "factorised-ucb", label: "factorised-ucb", settings: {} },
];

/** Policies of the memory-scaling table (joint LinTS for contrast: it grows with the product). */
export const MEMORY_VARIANTS: Variant[] = [
  { id: "factorised-thompson", kind: "factorised-thompson", label: "factorised-thompson", settings: {} },
  { id: "factorised-ucb", kind: "factorised-ucb", label: "factorised-ucb", settings: {} },
  { id: "lints", kind: "lints", label: "lints (joint, for contrast)", settings: {} },
];

/** Presets whose default structure is one model per action (limited to JOINT_LIMIT actions). */
const JOINT_KINDS = new Set<PolicyKind>([
  "beta-thompson",
  "gaussian-thompson",
  "ucb1",
  "linucb",
  "lints",
  "hybrid-linucb",
]);

export type Structure = "joint" | "factorised" | "none";

/** Why a variant cannot run on a space, or undefined when it can. */
export function naReason(variant: Variant, space: SpaceSpec): string | undefined {
  if (JOINT_KINDS.has(variant.kind) && productOf(space) > JOINT_LIMIT) {
    return `joint (per-action) model limited to ${JOINT_LIMIT.toLocaleString("en-US")} actions`;
  }
  return undefined;
}

/** The structure createPolicy picks for a variant on a space (greedy, ε-greedy, SquareCB use "auto"). */
export function expectedStructure(variant: Variant, space: SpaceSpec): Structure {
  if (variant.kind === "random") return "none";
  if (variant.kind.startsWith("factorised")) return "factorised";
  if (JOINT_KINDS.has(variant.kind)) return "joint";
  return productOf(space) <= 1000 ? "joint" : "factorised";
}

/** Builds the policy exactly as an application would: raw-vector context of length d, no intercept. */
export function buildPolicy(variant: Variant, space: SpaceSpec, d: number, seed: number): BanditPolicy {
  return createPolicy({
    kind: variant.kind,
    actionSpace: { dimensions: space.dimensions },
    context: { vectorLength: d, intercept: false },
    rewardRange: [0, 1],
    seed,
    ...variant.settings,
  } as PolicyConfig);
}

/** A policy that has learned `training` (every unit of its model allocated). */
export function trainedPolicy(
  variant: Variant,
  space: SpaceSpec,
  d: number,
  seed: number,
  training: readonly Feedback[],
): BanditPolicy {
  const policy = buildPolicy(variant, space, d, seed);
  policy.update(training);
  return policy;
}

/** The structure and unit count of a built policy's model. */
export function structureOf(policy: BanditPolicy): { structure: Structure; blocks?: number; units?: number } {
  const model = policy.rewardModel;
  if (!model) return { structure: "none" };
  const blocks = model.blocks;
  return {
    structure: blocks.count === 1 && blocks.unitCount === policy.space.size ? "joint" : "factorised",
    blocks: blocks.count,
    units: blocks.unitCount,
  };
}
