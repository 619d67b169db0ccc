// @kairos/rewards: success metrics, event normalisation, Braze aggregates and the delayed-reward joiner.
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
export * from "./sqlite-store.js";
export * from "./store.js";
export * from "./time.js";
