import { readdirSync, readFileSync } from "node:fs";
import { ValidationError } from "@kairos/core";
import { describe, expect, it } from "vitest";
import {
  brazeCredentials,
  compileUseCase,
  loadUseCase,
  sendAction,
  useCaseJsonSchema,
} from "../src/index.js";

const dir = new URL("../examples/use-cases/", import.meta.url).pathname;
const examples = readdirSync(dir).filter((f) => f.endsWith(".json"));
const winBack = JSON.parse(readFileSync(`${dir}win-back.json`, "utf8"));

// biome-ignore lint/suspicious/noExplicitAny: the tests break arbitrary parts of a JSON document
type Json = any;

/** The field a bad variant of win-back.json is refused on. */
function refusedField(change: (file: Json) => void): string {
  const file = structuredClone(winBack);
  change(file);
  try {
    compileUseCase(file, dir);
  } catch (e) {
    if (e instanceof ValidationError) return e.field;
    throw e;
  }
  return "(accepted)";
}

describe("use-case files", () => {
  it("ships a valid example for each of the seven lifecycle use cases", async () => {
    expect(examples.sort()).toEqual(
      ["acquisition", "loyalty", "referral", "repeat-purchase", "retention", "upsell", "win-back"].map(
        (n) => `${n}.json`,
      ),
    );
    for (const f of examples) expect((await loadUseCase(`${dir}${f}`)).id).toBe(f.replace(/\.json$/, ""));
  });

  it("publishes a JSON Schema generated from the zod schema (pnpm -F @kairos/runner schema)", () => {
    const published = JSON.parse(
      readFileSync(new URL("../schema/use-case.schema.json", import.meta.url), "utf8"),
    );
    expect(published).toEqual(JSON.parse(JSON.stringify(useCaseJsonSchema())));
  });

  it("names the field of every kind of mistake", () => {
    expect(refusedField((f) => (f.frequncyCap = 1))).toBe("frequncyCap");
    expect(refusedField((f) => (f.liquid.incentive["50%"] = { headline: "x" }))).toBe("liquid.incentive.50%");
    expect(refusedField((f) => delete f.liquid.incentive.gift)).toBe("liquid.incentive");
    expect(refusedField((f) => (f.liquid.incentive.gift.channel = "x"))).toBe(
      "liquid.incentive.gift.channel",
    );
    expect(refusedField((f) => (f.metric.settings.evnts = ["x"]))).toBe("metric.settings.evnts");
    expect(refusedField((f) => (f.policy = { kind: "epsilon-greedy", epsilon: 3 }))).toBe("policy.epsilon");
    expect(refusedField((f) => (f.policy = { kind: "thompson" }))).toBe("policy.kind");
    expect(refusedField((f) => f.audience.segment.fieldsToExport.push("email"))).toBe(
      "audience.segment.fieldsToExport[3]",
    );
    expect(refusedField((f) => (f.sendTime.hour = 22))).toBe("sendTime.hour");
    expect(refusedField((f) => (f.sendTime.defaultTimeZone = "Mars/Olympus"))).toBe(
      "sendTime.defaultTimeZone",
    );
    expect(refusedField((f) => delete f.activation.targets.sms)).toBe("activation.targets");
    expect(refusedField((f) => (f.eligibility[0].deny.channel = ["fax"]))).toBe(
      "eligibility[0].deny.channel[0]",
    );
    expect(refusedField((f) => (f.groups.bauAction.incentive = "50%"))).toBe("groups.bauAction.incentive");
    expect(refusedField((f) => (f.groups.holdout = 0.95))).toBe("groups");
    expect(refusedField((f) => (f.features[0].type = "categoric"))).toBe("features[0].type");
    expect(refusedField((f) => (f.constraints = [{ forbid: { colour: "red" } }]))).toMatch(/^constraints/);
    expect(refusedField((f) => (f.renames = { incentive: { "five-percent": "5%" } }))).toBe(
      "renames.incentive.five-percent",
    );
    const discounts = { reminder: { discount: 0 }, "10%": { discount: 0.1 }, "25%": { discount: 0.25 } };
    expect(refusedField((f) => (f.attributes = { incentive: discounts }))).toBe("attributes.incentive.gift");
  });

  it("give the policy the options' attributes", () => {
    const file = structuredClone(winBack);
    const discount = { reminder: 0, "10%": 0.1, "25%": 0.25, gift: 0 } as Record<string, number>;
    file.attributes = {
      incentive: Object.fromEntries(Object.entries(discount).map(([o, d]) => [o, { discount: d }])),
    };
    const { space } = compileUseCase(file, dir);
    expect(space.attributes[space.dimensionIndex("incentive")]!.names).toEqual(["discount"]);
    expect(space.toConfig().attributes?.incentive?.["25%"]).toEqual({ discount: 0.25 });
  });

  it("sends each option's Liquid properties with the dimensions' options", async () => {
    const useCase = await loadUseCase(`${dir}win-back.json`);
    expect(sendAction(useCase, { incentive: "25%", content: "bestsellers", channel: "sms" })).toEqual({
      incentive: "25%",
      content: "bestsellers",
      channel: "sms",
      headline: "25% off, just for you",
      coupon: "BACK25",
    });
  });
});

describe("credentials", () => {
  const key = "s3cr3t-key-value";
  const refused = (env: NodeJS.ProcessEnv): ValidationError => {
    try {
      brazeCredentials(env);
    } catch (e) {
      return e as ValidationError;
    }
    throw new Error("accepted");
  };

  it("come from BRAZE_REST_ENDPOINT and BRAZE_API_KEY", () => {
    expect(
      brazeCredentials({ BRAZE_REST_ENDPOINT: "https://rest.fra-01.braze.eu/", BRAZE_API_KEY: key }),
    ).toEqual({
      baseUrl: "https://rest.fra-01.braze.eu",
      apiKey: key,
    });
    expect(
      brazeCredentials({ BRAZE_REST_ENDPOINT: "http://127.0.0.1:4000", BRAZE_API_KEY: key }).baseUrl,
    ).toBe("http://127.0.0.1:4000");
  });

  it("name the variable, never the key", () => {
    expect(refused({ BRAZE_API_KEY: key }).field).toBe("BRAZE_REST_ENDPOINT");
    expect(refused({ BRAZE_REST_ENDPOINT: "https://rest.iad-01.braze.com" }).field).toBe("BRAZE_API_KEY");
    expect(
      refused({ BRAZE_REST_ENDPOINT: "http://rest.iad-01.braze.com", BRAZE_API_KEY: key }).message,
    ).toMatch(/https/);
    const quoted = refused({
      BRAZE_REST_ENDPOINT: "https://rest.iad-01.braze.com",
      BRAZE_API_KEY: `"${key}"`,
    });
    expect(quoted.field).toBe("BRAZE_API_KEY");
    expect(quoted.message).not.toContain(key);
  });
});
