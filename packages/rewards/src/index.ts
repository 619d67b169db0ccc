// @kairos/rewards: success metrics, event normalisation, Braze aggregates and the delayed-reward joiner.
// The SQLite store is the subpath @kairos/rewards/sqlite (so this entry does not load the native addon).
export * from "./aggregate-ledger.js";
export * from "./braze-track.js";
export * from "./data-series.js";
export * from "./decision.js";
export * from "./event.js";
export * from "./joiner.js";
export { type JsonlEvent, jsonlEventSchema, normaliseRecord, parseJsonLines } from "./jsonl.js";
export * from "./metric.js";
export * from "./normalise.js";
export * from "./objective.js";
export * from "./presets.js";
export * from "./quarantine.js";
export * from "./snapshot.js";
export * from "./store.js";
export * from "./time.js";
