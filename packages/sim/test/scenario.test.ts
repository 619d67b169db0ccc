import { readdirSync, readFileSync, writeFileSync } from "node:fs";
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
    const attributes = { offer: { none: { discount: 0 }, small: { discount: 0.1 } } };
    expect(fieldOf({ ...base, actions: { ...(base.actions as object), attributes } })).toBe(
      "actions.attributes.offer.big",
    );
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

describe("scenario conditions match exactly (core's matchesCondition)", () => {
  const base = JSON.parse(readFileSync(simulationPath("default.json"), "utf8")) as Record<string, unknown>;
  /** The error a `when` condition gets, or undefined when the scenario loads. */
  const errorOf = (when: Record<string, unknown>): string | undefined => {
    const json = structuredClone(base);
    (json.response as { terms: unknown[] }).terms.push({ effect: 1, when });
    try {
      parseScenario(json);
      return undefined;
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      return (e as Error).message;
    }
  };

  it("accepts values of the right type", () => {
    expect(
      errorOf({ hour: 12, mobileFirst: true, dayOfWeek: { in: [0, 6] }, segment: "vip" }),
    ).toBeUndefined();
    expect(errorOf({ hour: { gte: 12 } })).toBeUndefined();
  });

  it("rejects a value that equals a known one only as text, saying how to write it", () => {
    expect(errorOf({ hour: "12" })).toMatch(/when\.hour: "12" is text, the value is a number: write 12$/);
    expect(errorOf({ hour: { in: [8, "19"] } })).toMatch(/"19" is text, the value is a number: write 19$/);
    expect(errorOf({ mobileFirst: "true" })).toMatch(/"true" is text, the value is a boolean: write true$/);
    expect(errorOf({ dayOfWeek: "6" })).toMatch(/"6" is text, the value is a number: write 6$/);
  });

  it("still rejects ranges on values that are not numbers", () => {
    expect(errorOf({ channel: { lt: 2 } })).toMatch(/when\.channel: a range applies to numeric values only/);
    expect(errorOf({ mobileFirst: { gte: 1 } })).toMatch(/a range applies to numeric values only/);
  });
});
