import { readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ValidationError } from "@kairos/core";
import { describe, expect, it } from "vitest";
import { generatePopulation } from "../src/population.js";
import { loadScenario, parseScenario } from "../src/scenario/load.js";
import { fixtureJson, simulationPath } from "./helpers.js";

/** The field path a scenario error names. */
function fieldOf(json: unknown): string {
  try {
    parseScenario(json);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).field;
  }
  throw new Error("scenario was accepted");
}

describe("scenario validation", () => {
  it("accepts every scenario in simulations/", () => {
    const dir = simulationPath("");
    const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const f of files) expect(() => loadScenario(join(dir, f)), f).not.toThrow();
  });

  it("names the path of a bad field", () => {
    const base = fixtureJson();
    const response = base.response as { terms: Record<string, unknown>[] };
    const typo = structuredClone(base);
    (typo.response as typeof response).terms[2] = { effect: 1, when: { chanel: "email" } };
    expect(fieldOf(typo)).toBe("response.terms[2].when.chanel");

    const badOption = structuredClone(base);
    (badOption.response as typeof response).terms[1] = { effect: 1, when: { channel: "fax" } };
    expect(fieldOf(badOption)).toBe("response.terms[1].when.channel");

    const badSd = structuredClone(base);
    (badSd.features as Record<string, unknown>).engagement = {
      type: "numeric",
      dist: { kind: "normal", mean: 0, sd: -1 },
    };
    expect(fieldOf(badSd)).toBe("features.engagement.dist.sd");

    expect(fieldOf({ ...base, days: 0 })).toBe("days");
    expect(fieldOf({ ...base, bau: { channel: "fax", offer: "none" } })).toBe("bau.channel");
    expect(fieldOf({ ...base, groups: { kairos: 0.5, random: 0.1, bau: 0.1 } })).toBe("groups");
    expect(fieldOf({ ...base, metric: { kind: "revenue" } })).toBe("revenue");
    expect(fieldOf({ ...base, delays: [0.5, 0.2] })).toBe("delays");
    expect(fieldOf({ ...base, unknownField: 1 })).toBe("unknownField");
  });

  it("prefixes the message with the field", () => {
    expect(() => parseScenario({ ...fixtureJson(), population: { size: -3 } })).toThrow(
      /^population\.size: /,
    );
  });

  it("reports unreadable and non-JSON files in one line", () => {
    const file = join(tmpdir(), `kairos-sim-bad-${process.pid}.json`);
    writeFileSync(file, "{ not json");
    expect(() => loadScenario(file)).toThrow(/is not valid JSON/);
    expect(() => loadScenario(join(tmpdir(), "does-not-exist.json"))).toThrow(/cannot read scenario/);
  });
});

describe("population", () => {
  it("is reproducible from the seed and follows conditional distributions", () => {
    const s = loadScenario(simulationPath("default.json"));
    const a = generatePopulation(s, "x", 3000);
    const b = generatePopulation(s, "x", 3000);
    expect(a.values).toEqual(b.values);
    expect(generatePopulation(s, "y", 3000).values.age).not.toEqual(a.values.age);
    // VIP spend is drawn from a lognormal with a higher log-mean than new customers'.
    const spend = (seg: string) => {
      const idx = a.values.segment!.flatMap((v, i) => (v === seg ? [i] : []));
      return idx.reduce((t, i) => t + (a.values.monthlySpend![i] as number), 0) / idx.length;
    };
    expect(spend("vip")).toBeGreaterThan(2 * spend("new"));
    // Latent features are not part of the context the policy sees.
    expect(a.contexts[0]).not.toHaveProperty("priceSensitivity");
    expect(a.contexts[0]).toHaveProperty("segment");
  });
});
