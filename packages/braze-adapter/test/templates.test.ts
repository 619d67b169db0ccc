import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrazeClient, copyTemplateWithPlaceholders, refreshTemplateCopy } from "../src/index.js";
import type { FakeBraze } from "../src/testing/index.js";
import { startWorld, tag } from "./fixtures/world.js";

let fake: FakeBraze;
let client: BrazeClient;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ fake, client, close } = await startWorld());
});
afterAll(() => close());

describe("template copies", () => {
  it("copies a base template with Liquid placeholders for the dimensions, leaving the base untouched", async () => {
    const baseId = await client.templates.create({
      template_name: "Spring base",
      subject: "Spring sale: 10% off",
      body: "<h1>Spring sale</h1><p>Enjoy 10% off with code SPRING.</p>",
      preheader: "Only this week",
    });
    const copyId = await copyTemplateWithPlaceholders(client, {
      baseTemplateId: baseId,
      rules: [
        { find: "10% off", dimension: "offer" },
        { find: "Spring sale", dimension: "headline", keepAsDefault: false },
      ],
    });
    const copy = await client.templates.info(copyId);
    expect(copy.template_name).toBe("Spring base (Kairos)");
    expect(copy.subject).toBe(
      `${tag("api_trigger_properties", "headline")}: ${tag("api_trigger_properties", "offer", "10% off")}`,
    );
    expect(copy.body).toContain(tag("api_trigger_properties", "offer", "10% off"));
    expect(copy.preheader).toBe("Only this week");
    const base = await client.templates.info(baseId);
    expect(base.subject).toBe("Spring sale: 10% off");
    expect(fake.requests.filter((r) => r.path === "/templates/email/update")).toHaveLength(0);

    await client.templates.update({ email_template_id: baseId, subject: "Spring sale: 10% off today" });
    await refreshTemplateCopy(client, copyId, {
      baseTemplateId: baseId,
      rules: [{ find: "10% off", dimension: "offer" }],
      scope: "context",
    });
    expect((await client.templates.info(copyId)).subject).toBe(
      `Spring sale: ${tag("context", "offer", "10% off")} today`,
    );
  });

  it("refuses a rule that matches nothing, before creating anything", async () => {
    const baseId = await client.templates.create({ template_name: "b2", subject: "s", body: "b" });
    const before = fake.store.templates.size;
    await expect(
      copyTemplateWithPlaceholders(client, {
        baseTemplateId: baseId,
        rules: [{ find: "absent", dimension: "offer" }],
      }),
    ).rejects.toThrow(/does not contain "absent"/);
    expect(fake.store.templates.size).toBe(before);
  });
});
