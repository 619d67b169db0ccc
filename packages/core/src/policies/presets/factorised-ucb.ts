import { linucb } from "./linucb.js";
import { definePreset, structureSchema } from "./preset.js";

/** UCB on the shared model, with pending decisions counted in the widths within a batch. */
export const factorisedUcb = definePreset({
  ...linucb,
  kind: "factorised-ucb",
  summary: "shared linear over options (`interactions`); UCB, mean + `alpha`·σ·width",
  settings: linucb.settings.extend({ structure: structureSchema.default("factorised") }),
});
