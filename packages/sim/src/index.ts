// @kairos/sim: synthetic customer populations, policy comparison, off-policy evaluation and reports.
export * from "./baselines/ab-test.js";
export * from "./experiment.js";
export * from "./groups.js";
export * from "./loop.js";
export * from "./parallel.js";
export * from "./policies.js";
export * from "./population.js";
export * from "./response.js";
export * from "./results.js";
export * from "./scenario/condition.js";
export * from "./scenario/load.js";
export * from "./scenario/schema.js";
export * from "./simulate.js";
export * from "./stats.js";
export * from "./streams.js";
