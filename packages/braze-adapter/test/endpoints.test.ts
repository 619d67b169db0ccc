import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BrazeAuthError,
  BrazeClient,
  BrazePermissionError,
  BrazeValidationError,
  ExportInProgressError,
  PiiFieldError,
} from "../src/index.js";
import type { FakeBraze } from "../src/testing/index.js";
import { startWorld, workspace } from "./fixtures/world.js";

let fake: FakeBraze;
let client: BrazeClient;
let close: () => Promise<void>;

beforeAll(async () => {
  const base = workspace(120);
  const many = Array.from({ length: 230 }, (_, i) => ({
    id: `bulk-${String(i).padStart(3, "0")}`,
    name: `Bulk ${i}`,
    variations: [{ id: `bv-${i}`, channel: "email" }],
  }));
  const canvases = Array.from({ length: 101 }, (_, i) => ({
    id: `cv-bulk-${i}`,
    name: `Canvas ${i}`,
    variants: [{ id: `cvb-${i}`, name: "V", messages: [] }],
  }));
  const segments = Array.from({ length: 150 }, (_, i) => ({
    id: `seg-${i}`,
    name: `S${i}`,
    externalIds: [],
  }));
  ({ fake, client, close } = await startWorld({
    ...base,
    campaigns: [...(base.campaigns ?? []), ...many],
    canvases: [...(base.canvases ?? []), ...canvases],
    segments: [...(base.segments ?? []), ...segments],
    restrictedKeys: { "read-only": ["campaigns.list"] },
  }));
});
afterAll(() => close());

const pathsSeen = () => new Set(fake.requests.map((r) => r.path));

describe("users", () => {
  it("tracks attributes, events and purchases, chunked to the combined limit, with partial success per item", async () => {
    const before = fake.requests.filter((r) => r.path === "/users/track").length;
    const attributes = Array.from({ length: 100 }, (_, i) => ({ external_id: `u${i}`, tier: i % 3 }));
    const events = [
      { external_id: "u1", name: "viewed", time: "2024-05-01T10:00:00Z" },
      { name: "orphan", time: "2024-05-01T10:00:00Z" },
    ];
    const purchases = [
      { external_id: "u2", product_id: "sku", currency: "USD", price: 9.5, time: "2024-05-01T10:00:00Z" },
    ];
    const res = await client.users.track({ attributes, events, purchases });
    expect(res.requests).toBe(2);
    expect(fake.requests.filter((r) => r.path === "/users/track").length - before).toBe(2);
    expect(res.attributesProcessed).toBe(100);
    expect(res.eventsProcessed).toBe(1);
    expect(res.purchasesProcessed).toBe(1);
    expect(res.itemErrors).toEqual([
      { inputArray: "events", index: 1, type: expect.stringContaining("external_id") },
    ]);
    expect(fake.store.users.get("u4")?.attributes.tier).toBe(1);
  });

  it("honours a smaller configured track limit", async () => {
    const small = new BrazeClient({ baseUrl: fake.url, apiKey: fake.key, trackObjectLimit: 50 });
    const res = await small.users.track({
      attributes: Array.from({ length: 120 }, (_, i) => ({ external_id: `u${i}`, x: 1 })),
    });
    expect(res.requests).toBe(3);
    await small.close();
  });

  it("exports ids in chunks of 50 with the allow-listed fields", async () => {
    const ids = [...Array.from({ length: 110 }, (_, i) => `u${i}`), "ghost"];
    const before = fake.requests.filter((r) => r.path === "/users/export/ids").length;
    const res = await client.users.exportIds({
      external_ids: ids,
      fields_to_export: ["external_id", "custom_attributes", "random_bucket"],
    });
    expect(fake.requests.filter((r) => r.path === "/users/export/ids").length - before).toBe(3);
    expect(res.users).toHaveLength(110);
    expect(res.invalidUserIds).toEqual(["ghost"]);
    expect(res.users[4].custom_attributes).toMatchObject({ tier: 1 });
    expect(Object.keys(res.users[0]).sort()).toEqual(["custom_attributes", "external_id", "random_bucket"]);
  });

  it("sends no request for an empty id list, and one for a single-value identifier alone", async () => {
    const count = () => fake.requests.filter((r) => r.path === "/users/export/ids").length;
    const before = count();
    const none = await client.users.exportIds({ external_ids: [], fields_to_export: ["external_id"] });
    expect(none).toEqual({ users: [], invalidUserIds: [] });
    expect(count()).toBe(before);
    const brazeId = fake.store.users.get("u5")?.brazeId;
    const one = await client.users.exportIds({ braze_id: brazeId, fields_to_export: ["external_id"] });
    expect(count()).toBe(before + 1);
    expect(one.users.map((u) => u.external_id)).toEqual(["u5"]);
  });

  it("refuses PII and missing allow-lists before any request", async () => {
    const before = fake.requests.length;
    await expect(
      client.users.exportIds({ external_ids: ["u1"], fields_to_export: ["external_id", "email"] }),
    ).rejects.toThrow(PiiFieldError);
    await expect(
      client.users.exportSegment({ segment_id: "seg-all", fields_to_export: ["phone"] }),
    ).rejects.toThrow(/phone/);
    await expect(client.users.exportSegment({ segment_id: "seg-all", fields_to_export: [] })).rejects.toThrow(
      PiiFieldError,
    );
    expect(fake.requests.length).toBe(before);
  });

  it("exports a segment asynchronously and reads every NDJSON file", async () => {
    const users = [];
    for await (const u of client.users.exportSegmentUsers(
      { segment_id: "seg-all", fields_to_export: ["external_id", "random_bucket"] },
      { pollIntervalMs: 20 },
    )) {
      users.push(u);
    }
    expect(users).toHaveLength(120);
    expect(new Set(users.map((u) => u.external_id)).size).toBe(120);
    const empty = [];
    for await (const u of client.users.exportSegmentUsers(
      { segment_id: "seg-none", fields_to_export: ["external_id"] },
      { pollIntervalMs: 20 },
    )) {
      empty.push(u);
    }
    expect(empty).toHaveLength(0);
  });

  it("does not hot-retry a concurrent export of the same segment", async () => {
    await client.users.exportSegment({ segment_id: "seg-1", fields_to_export: ["external_id"] });
    await expect(
      client.users.exportSegment({ segment_id: "seg-1", fields_to_export: ["external_id"] }),
    ).rejects.toThrow(ExportInProgressError);
  });
});

describe("messaging", () => {
  it("sends through /messages/send with a variation, 50 ids per request", async () => {
    const ids = Array.from({ length: 120 }, (_, i) => `u${i}`);
    const out = await client.messaging.sendChunked({
      external_user_ids: ids,
      campaign_id: "camp-api",
      messages: {
        email: {
          app_id: "app",
          from: "B <b@brand.test>",
          subject: "S",
          body: "B",
          message_variation_id: "api-v2",
        },
      },
    });
    expect(out.map((o) => o.recipients.length)).toEqual([50, 50, 20]);
    expect(out.every((o) => o.result?.dispatchId)).toBe(true);
    const recorded = fake.sends.filter((s) => s.campaignId === "camp-api");
    expect(recorded).toHaveLength(120);
    expect(new Set(recorded.map((s) => s.variationId))).toEqual(new Set(["api-v2"]));
  });

  it("surfaces Braze's 400 envelope as a typed error", async () => {
    const err = await client.messaging
      .send({
        external_user_ids: ["u1"],
        campaign_id: "camp-api",
        messages: { email: { app_id: "a", from: "f", body: "b" } },
      })
      .catch((e) => e);
    expect(err).toBeInstanceOf(BrazeValidationError);
    expect(err.status).toBe(400);
    expect(err.brazeMessage).toBe("Message Variant Unspecified");
    expect(err.endpoint).toBe("/messages/send");
  });

  it("triggers a campaign with per-recipient properties rendered into Liquid", async () => {
    const res = await client.messaging.triggerCampaign({
      campaign_id: "camp-offer",
      trigger_properties: { offer: "free shipping", kairos_decision_id: "top" },
      recipients: [
        { external_user_id: "u1", trigger_properties: { offer: "20% off", kairos_decision_id: "d-1" } },
        { external_user_id: "u2" },
      ],
    });
    expect(res.dispatchId).toBeTruthy();
    const [a, b] = fake.sends.filter((s) => s.dispatchId === res.dispatchId);
    expect(a.rendered.subject).toBe("Your 20% off");
    expect(a.rendered.body).toBe("<p>20% off for you (d-1)</p>");
    expect(b.rendered.subject).toBe("Your free shipping");
    await expect(
      client.messaging.triggerCampaign({
        campaign_id: "camp-offer",
        recipients: Array.from({ length: 51 }, (_, i) => ({ external_user_id: `u${i}` })),
      }),
    ).rejects.toThrow(/at most 50/);
    const chunked = await client.messaging.triggerCampaignChunked({
      campaign_id: "camp-offer",
      recipients: Array.from({ length: 51 }, (_, i) => ({ external_user_id: `u${i}` })),
    });
    expect(chunked.map((c) => c.recipients.length)).toEqual([50, 1]);
  });

  it("triggers a Canvas (context and canvas_entry_properties) and surfaces a paused Canvas' notice", async () => {
    const res = await client.messaging.triggerCanvas({
      canvas_id: "canvas-live",
      recipients: [{ external_user_id: "u3", context: { offer: "BOGO" } }],
    });
    const sent = fake.sends.find((s) => s.dispatchId === res.dispatchId);
    expect(sent?.rendered).toEqual({ subject: "Hi BOGO", body: "BOGO" });
    const paused = await client.messaging.triggerCanvas({
      canvas_id: "canvas-paused",
      recipients: [{ external_user_id: "u3" }],
    });
    expect(paused.notice).toMatch(/paused/);
    expect(fake.sends.some((s) => s.dispatchId === paused.dispatchId)).toBe(false);
  });
});

describe("catalog", () => {
  it("pages campaign, Canvas and segment lists to the end", async () => {
    const campaigns = [];
    for await (const c of client.campaigns.list()) campaigns.push(c.id);
    expect(campaigns).toHaveLength(233);
    expect(new Set(campaigns).size).toBe(233);
    const canvases = [];
    for await (const c of client.canvas.list()) canvases.push(c.id);
    expect(canvases).toHaveLength(103);
    const segments = [];
    for await (const s of client.segments.list()) segments.push(s.id);
    expect(segments).toHaveLength(152);
  });

  it("reads details: campaign messages keyed by variation, Canvas variants and steps, segment text", async () => {
    const c = await client.campaigns.details("camp-offer");
    expect(Object.keys(c.messages)).toEqual(["var-a", "var-ctl"]);
    expect(c.messages["var-ctl"].type).toBe("control");
    const cv = await client.canvas.details("canvas-live");
    expect(cv.variants[0].id).toBe("cv-1");
    expect(cv.steps[0].messages?.["cm-1"].subject).toContain("context");
    const s = await client.segments.details("seg-all");
    expect(s.name).toBe("Everyone");
  });

  it("splits data_series ranges into the allowed lengths", async () => {
    const end = new Date();
    const count = (p: string) => fake.requests.filter((r) => r.path === p).length;
    const [c0, v0, s0] = [
      count("/campaigns/data_series"),
      count("/canvas/data_series"),
      count("/segments/data_series"),
    ];
    const camp = await client.campaigns.dataSeries("camp-offer", { endingAt: end, days: 250 });
    const canv = await client.canvas.dataSeries("canvas-live", {
      endingAt: end,
      days: 30,
      variantBreakdown: true,
    });
    const seg = await client.segments.dataSeries("seg-all", { endingAt: end, days: 101 });
    expect(count("/campaigns/data_series") - c0).toBe(3);
    expect(count("/canvas/data_series") - v0).toBe(3);
    expect(count("/segments/data_series") - s0).toBe(2);
    expect(camp).toHaveLength(250);
    expect(canv).toHaveLength(30);
    expect(seg).toHaveLength(101);
    expect(seg.at(-1)?.size).toBe(120);
    const today = camp.at(-1);
    const email = today?.messages?.email ?? [];
    expect(email.find((v) => v.variation_api_id === "var-a")?.sent).toBeGreaterThan(0);
    expect(canv.at(-1)?.variant_stats?.["cv-1"].entries).toBe(1);
  });

  it("rejects out-of-range data_series lengths at the fake with a Braze-style 400", async () => {
    const res = await fetch(`${fake.url}/canvas/data_series?canvas_id=canvas-live&length=15`, {
      headers: { authorization: `Bearer ${fake.key}` },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ message: "length must be an integer between 1 and 14", errors: [] });
    expect(res.headers.get("x-ratelimit-remaining")).not.toBeNull();
  });
});

describe("templates", () => {
  it("creates, updates, reads and lists templates (paged by offset)", async () => {
    const id = await client.templates.create({
      template_name: "base",
      subject: "Hello",
      body: "<p>Hi</p>",
      tags: ["a"],
    });
    await client.templates.update({ email_template_id: id, subject: "Hello again" });
    const info = await client.templates.info(id);
    expect(info.subject).toBe("Hello again");
    expect(info.tags).toEqual(["a"]);
    for (let i = 0; i < 4; i++)
      await client.templates.create({ template_name: `t${i}`, subject: "s", body: "b" });
    const names = [];
    for await (const t of client.templates.list({ limit: 2 })) names.push(t.template_name);
    expect(names).toHaveLength(5);
    await expect(
      client.templates.create({
        template_name: "x",
        subject: "s",
        body: "b",
        should_inline_css: "yes" as never,
      }),
    ).rejects.toThrow(/should_inline_css/);
  });
});

describe("auth", () => {
  it("maps 401 and 403 to typed errors without leaking the key", async () => {
    const wrong = new BrazeClient({ baseUrl: fake.url, apiKey: "not-the-key" });
    const e401 = await wrong.segments.details("seg-all").catch((e) => e);
    expect(e401).toBeInstanceOf(BrazeAuthError);
    expect(e401.status).toBe(401);
    expect(JSON.stringify({ ...e401, m: e401.message })).not.toContain("not-the-key");
    const ro = new BrazeClient({ baseUrl: fake.url, apiKey: "read-only" });
    const e403 = await ro.segments.details("seg-all").catch((e) => e);
    expect(e403).toBeInstanceOf(BrazePermissionError);
    for await (const _ of ro.campaigns.list()) break;
    await wrong.close();
    await ro.close();
  });

  it("has exercised all 19 endpoints", () => {
    const seen = pathsSeen();
    for (const p of [
      "/users/track",
      "/users/export/ids",
      "/users/export/segment",
      "/messages/send",
      "/campaigns/trigger/send",
      "/canvas/trigger/send",
      "/campaigns/list",
      "/campaigns/details",
      "/campaigns/data_series",
      "/canvas/list",
      "/canvas/details",
      "/canvas/data_series",
      "/segments/list",
      "/segments/details",
      "/segments/data_series",
      "/templates/email/create",
      "/templates/email/update",
      "/templates/email/info",
      "/templates/email/list",
    ]) {
      expect(seen.has(p), p).toBe(true);
    }
  });
});
