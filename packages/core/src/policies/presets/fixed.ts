import { z } from "zod";
import { optionValueSchema } from "../../action-space.js";
import { FixedRule } from "../../exploration/fixed.js";
import { definePreset } from "./preset.js";

const actionSchema = z.record(z.string(), optionValueSchema);

/** Always the configured action, then its fallbacks when it is not eligible: business as usual. */
export const fixed = definePreset({
  kind: "fixed",
  summary: "no model; the configured `action`, then `fallbacks` (business as usual)",
  propensity: "1",
  rewards: "any",
  settings: z.strictObject({ action: actionSchema, fallbacks: z.array(actionSchema).default([]) }),
  build: (settings, { space }) => {
    const actions = [settings.action, ...settings.fallbacks].map((a, i) =>
      space.indexOfCodes(space.codesOfRecord(a, i === 0 ? "policy.action" : `policy.fallbacks[${i - 1}]`)),
    );
    return { rule: new FixedRule(actions) };
  },
});
