import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { withPresetTable } from "../scripts/readme-table.js";
import { presetTable } from "../src/index.js";

describe("README", () => {
  it("lists every preset as the registry describes it (regenerate: pnpm -F @kairos/core readme)", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    expect(withPresetTable(readme, presetTable())).toBe(readme);
  });
});
