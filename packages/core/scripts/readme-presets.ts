// Rewrites the preset table of packages/core/README.md from the registry (`pnpm -F @kairos/core readme`).
import { readFileSync, writeFileSync } from "node:fs";
import { presetTable } from "../src/policies/presets/registry.js";
import { withPresetTable } from "./readme-table.js";

const path = new URL("../README.md", import.meta.url);
writeFileSync(path, withPresetTable(readFileSync(path, "utf8"), presetTable()));
