// @kairos/rewards/sqlite: the joiner store on SQLite. A subpath of its own, so that importing
// @kairos/rewards does not load the native better-sqlite3 addon.
export * from "./sqlite-store.js";
