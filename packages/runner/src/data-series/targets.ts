// The Braze campaigns and Canvases a use case sends through, and which of them a logged action went to:
// the unit Braze's data_series and Kairos' own counts are compared by.
import type { ActionRecord } from "@kairos/core";
import type { UseCase } from "../use-case/compile.js";

/** One campaign or Canvas of the use case, with the options of the target dimension that go to it. */
export interface SeriesTarget {
  source: "campaign" | "canvas";
  id: string;
  /** Options of the activation dimension sent through it (`default` without a dimension). */
  options: string[];
  /** `campaign promo-email (email)`. */
  label: string;
}

/** The distinct campaigns and Canvases of the use case's activation targets. */
export function seriesTargets(useCase: UseCase): SeriesTarget[] {
  const byKey = new Map<string, SeriesTarget>();
  for (const [option, t] of Object.entries(useCase.mapping.targets)) {
    const source = t.kind === "canvas" ? "canvas" : "campaign";
    const id = t.kind === "canvas" ? t.canvasId : t.campaignId;
    const key = targetKey(source, id);
    const target = byKey.get(key) ?? { source, id, options: [], label: "" };
    target.options.push(option);
    byKey.set(key, target);
  }
  return [...byKey.values()].map((t) => ({ ...t, label: `${t.source} ${t.id} (${t.options.join(", ")})` }));
}

/** Identity of a campaign or Canvas. */
export function targetKey(source: "campaign" | "canvas", id: string): string {
  return `${source}:${id}`;
}

/** The campaign or Canvas a logged action was sent through (undefined for an option without a target). */
export function targetOfAction(useCase: UseCase, action: ActionRecord): string | undefined {
  const dim = useCase.mapping.targetDimension;
  const t = useCase.mapping.targets[dim === undefined ? "default" : String(action[dim])];
  if (!t) return undefined;
  return t.kind === "canvas" ? targetKey("canvas", t.canvasId) : targetKey("campaign", t.campaignId);
}
