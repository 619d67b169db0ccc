import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ValidationError } from "@kairos/core";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../src/scenario/load.js";
import { simulate } from "../src/simulate.js";
import { fixtureJson } from "./helpers.js";

/** A scenario file in the temporary directory, with the given preset modules. */
function scenarioFile(presetModules: string[]): string {
  const file = join(tmpdir(), `kairos-sim-presets-${process.pid}-${presetModules.length}.json`);
  const json = { ...fixtureJson(), days: 3, population: { size: 200, segmentFeature: "segment" } };
  writeFileSync(file, JSON.stringify({ ...json, presetModules }));
  return file;
}

describe("presetModules", () => {
  const module = new URL("./fixtures/preset-module.ts", import.meta.url).pathname;

  it("registers another package's presets before policies are built, inline and on worker threads", async () => {
    const scenario = loadScenario(scenarioFile([module]));
    expect(scenario.presetModules).toEqual([new URL("./fixtures/preset-module.ts", import.meta.url).href]);
    const options = { policies: "uniform-fixture,random", replications: 2 } as const;
    const inline = await simulate(scenario, { ...options, workers: 1 });
    const threaded = await simulate(scenario, { ...options, workers: 2 });
    expect(inline.policies.map((p) => p.label)).toEqual(["uniform-fixture", "random"]);
    const strip = (r: typeof inline) => ({ ...r, seconds: 0 });
    expect(strip(threaded)).toEqual(strip(inline));
  });

  it("names the module it cannot find, from the scenario's directory", () => {
    expect(() => loadScenario(scenarioFile(["@kairos/no-such-package", "x"]))).toThrow(ValidationError);
    expect(() => loadScenario(scenarioFile(["@kairos/no-such-package", "x"]))).toThrow(
      /^presetModules\[0\]: cannot find "@kairos\/no-such-package"/,
    );
  });
});
