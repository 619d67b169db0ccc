import { lints } from "./lints.js";
import { definePreset, structureSchema } from "./preset.js";

/** Thompson sampling on the shared model: one effect per option (or declared interaction), fitted jointly. */
export const factorisedThompson = definePreset({
  ...lints,
  kind: "factorised-thompson",
  summary: "shared linear over options (`interactions` join dimensions); Thompson",
  settings: lints.settings.extend({ structure: structureSchema.default("factorised") }),
});
