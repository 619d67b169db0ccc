import { z } from "zod";
import { UniformRule } from "../../exploration/uniform.js";
import { definePreset } from "./preset.js";

/** Uniform over the feasible actions: the random control group. */
export const random = definePreset({
  kind: "random",
  summary: "no model; uniform over the feasible actions (a control group)",
  propensity: "exact: 1 / number of feasible actions",
  rewards: "any",
  settings: z.strictObject({}),
  build: () => ({ rule: new UniformRule() }),
});
