import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseClosedLoopArgs, USAGE } from "./closed-loop.js";

describe("closed-loop command line", () => {
  it("reads --days and --customers, with defaults", () => {
    expect(parseClosedLoopArgs([])).toEqual({ help: false, days: 14, customers: 1200 });
    expect(parseClosedLoopArgs(["--days", "3", "--customers=50"])).toEqual({
      help: false,
      days: 3,
      customers: 50,
    });
    expect(parseClosedLoopArgs(["--days", "3", "--help"])).toEqual({ help: true });
    expect(USAGE).toMatch(/--days N +simulated days \(default: 14\)/);
    expect(USAGE).toMatch(/--customers N +customers \(default: 1200\)/);
    expect(USAGE).toMatch(/example:\n {2}pnpm closed-loop /);
  });

  it("rejects unknown options, missing values and stray arguments in one line", () => {
    expect(parseClosedLoopArgs(["--day", "3"])).toEqual({
      error: "unknown option --day (options: --days N, --customers N; --help)",
    });
    expect(parseClosedLoopArgs(["--days"])).toEqual({ error: "--days needs a value" });
    expect(parseClosedLoopArgs(["--days", "0"])).toEqual({
      error: '--days needs a positive whole number, got "0"',
    });
    expect(parseClosedLoopArgs(["14"])).toEqual({ error: "unexpected argument 14 (--help)" });
  });

  it("the script exits with code 2 and one line on an unknown option", () => {
    // One spawn only: the script loads every package before it reads its arguments (seconds on a busy machine).
    const entry = fileURLToPath(new URL("./closed-loop.ts", import.meta.url));
    const bad = spawnSync(
      process.execPath,
      ["--conditions=kairos-source", "--import", "tsx", entry, "--colour"],
      { encoding: "utf8", cwd: fileURLToPath(new URL("../..", import.meta.url)) },
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe(
      "closed-loop: unknown option --colour (options: --days N, --customers N; --help)",
    );
    expect(bad.stdout).toBe("");
  });
});
