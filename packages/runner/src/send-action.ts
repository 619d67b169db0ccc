// The trigger properties of an action. On its own (not in use-case/compile.ts) so that the send plan's
// worker thread loads it without the use-case compiler and the metric library behind it (a second of CPU).
import type { ActionRecord } from "@kairos/core";
import type { UseCase } from "./use-case/compile.js";

/**
 * What travels to Braze for an action: each dimension's option under its own name, plus the Liquid
 * properties mapped to that option (the target and hour dimensions are routing, not properties).
 */
export function sendAction(useCase: Pick<UseCase, "file">, action: ActionRecord): ActionRecord {
  const out: ActionRecord = { ...action };
  for (const [dim, byOption] of Object.entries(useCase.file.liquid)) {
    const props = byOption[String(action[dim])];
    if (props) for (const [k, v] of Object.entries(props)) out[k] = v;
  }
  return out;
}
