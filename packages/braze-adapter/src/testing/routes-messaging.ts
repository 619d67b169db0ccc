import { fnv1a } from "@kairos/core";
import { jsonBytes, LIMITS } from "../batching.js";
import { bad, type RouteContext, type RouteResult } from "./http-error.js";
import { renderLiquid } from "./liquid.js";
import type { FakeStore } from "./store.js";
import type { AudienceResponder, FakeMessage, RecordedSend } from "./types.js";

type Obj = Record<string, unknown>;
const PAUSED = "The Canvas is paused. Resume the Canvas to ensure trigger requests will take effect.";
const BLOCKLISTED = "provided external_id is blacklisted and disallowed";

/** The three send endpoints: validation, recipient dedupe, Liquid rendering, recording, audience responses. */
export class MessagingRoutes {
  constructor(
    private readonly store: FakeStore,
    private readonly audience: () => AudienceResponder | undefined,
  ) {}

  /** POST /messages/send (recipients must exist; unknown ones are skipped silently, like Braze). */
  messagesSend(ctx: RouteContext): RouteResult {
    const b = ctx.body ?? {};
    const ids: string[] = b.external_user_ids ?? [];
    const aliases: unknown[] = b.user_aliases ?? [];
    if (ids.length + aliases.length > 50)
      throw bad("The max number of external_ids and aliases per request was exceeded");
    if (ids.length + aliases.length === 0 && !b.segment_id && !b.audience) throw bad("No Recipients");
    if (ids.some((id) => this.store.blocklisted.has(id))) throw bad(BLOCKLISTED);
    const messages: Record<string, Obj> = b.messages ?? {};
    const channels = Object.keys(messages);
    if (channels.length === 0) throw bad("No message to send");
    let variationId: string | undefined;
    if (b.campaign_id) {
      const c = this.store.campaigns.get(b.campaign_id);
      if (!c) throw bad("Invalid Campaign ID");
      variationId = messages[channels[0]].message_variation_id as string | undefined;
      if (!variationId) throw bad("Message Variant Unspecified");
      const v = c.variations.find((x) => x.id === variationId);
      if (!v || v.control) throw bad("Invalid Message Variant");
      if ((v.channel ?? "email") !== channels[0]) throw bad("Mismatched Message Type");
    }
    const dispatchId = this.store.newId();
    const sent: RecordedSend[] = [];
    const users = [
      ...[...new Set(ids)].map((id) => this.store.users.get(id)),
      ...aliases.map((a) => this.store.aliasUser(a)),
    ];
    for (const user of new Set(users)) {
      if (!user) continue;
      const msg = messages[channels[0]];
      sent.push(
        this.store.recordSend({
          dispatchId,
          endpoint: "/messages/send",
          campaignId: b.campaign_id,
          variationId,
          channel: channels[0],
          externalId: user.externalId,
          ...(user.alias ? { alias: user.alias } : {}),
          properties: {},
          rendered: {
            subject: renderLiquid(msg.subject as string | undefined, {}, user.attributes),
            body: renderLiquid(msg.body as string | undefined, {}, user.attributes),
          },
          at: ctx.now,
        }),
      );
    }
    return {
      status: 201,
      body: { dispatch_id: dispatchId, message: "success" },
      after: () => this.respond(sent),
    };
  }

  /** POST /campaigns/trigger/send. */
  campaignTrigger(ctx: RouteContext): RouteResult {
    const b = ctx.body ?? {};
    if (!b.campaign_id) throw bad("campaign_id is required");
    const c = this.store.campaigns.get(b.campaign_id);
    if (!c || c.apiTriggered === false) throw bad("Invalid Campaign ID");
    const recipients = this.recipients(b);
    const dispatchId = this.store.newId();
    const live = c.variations.filter((v) => !v.control);
    const sent: RecordedSend[] = [];
    for (const r of recipients) {
      const id = this.admit(r);
      if (!id) continue;
      const props = { ...(b.trigger_properties ?? {}), ...((r.trigger_properties as Obj) ?? {}) };
      // Braze assigns trigger-campaign variations itself; the fake picks one deterministically per user.
      const v = live[fnv1a(`${c.id}:${id}`) % Math.max(1, live.length)];
      if (!v) continue;
      sent.push(
        this.record(dispatchId, "/campaigns/trigger/send", { campaignId: c.id }, v, id, props, ctx.now),
      );
    }
    return {
      status: 201,
      body: { dispatch_id: dispatchId, message: "success" },
      after: () => this.respond(sent),
    };
  }

  /** POST /canvas/trigger/send (`context` and `canvas_entry_properties` are aliases); a paused Canvas gets a notice. */
  canvasTrigger(ctx: RouteContext): RouteResult {
    const b = ctx.body ?? {};
    if (!b.canvas_id) throw bad("canvas_id is required");
    const c = this.store.canvases.get(b.canvas_id);
    if (!c) throw bad("Invalid Canvas ID");
    const recipients = this.recipients(b);
    const dispatchId = this.store.newId();
    if (c.paused || c.archived) {
      return { status: 201, body: { notice: PAUSED, dispatch_id: dispatchId, message: "success" } };
    }
    const top = { ...(b.canvas_entry_properties ?? {}), ...(b.context ?? {}) };
    const sent: RecordedSend[] = [];
    for (const r of recipients) {
      const id = this.admit(r);
      if (!id) continue;
      const props = { ...top, ...((r.canvas_entry_properties as Obj) ?? {}), ...((r.context as Obj) ?? {}) };
      const variant = c.variants[fnv1a(`${c.id}:${id}`) % Math.max(1, c.variants.length)];
      if (!variant) continue;
      const msg = variant.messages[0] ?? { id: `${variant.id}-msg` };
      sent.push(
        this.record(
          dispatchId,
          "/canvas/trigger/send",
          { canvasId: c.id },
          { ...msg, id: variant.id },
          id,
          props,
          ctx.now,
        ),
      );
    }
    return {
      status: 201,
      body: { dispatch_id: dispatchId, message: "success" },
      after: () => this.respond(sent),
    };
  }

  private recipients(b: Obj): Obj[] {
    if (b.broadcast && Array.isArray(b.recipients) && b.recipients.length)
      throw bad("broadcast cannot be combined with recipients");
    const rs = (b.recipients as Obj[] | undefined) ?? [];
    if (!Array.isArray(rs)) throw bad("recipients must be an array");
    if (rs.length > 50) throw bad("The max number of external_ids and aliases per request was exceeded");
    if (rs.length === 0 && !b.broadcast && !b.audience) throw bad("No Recipients");
    // Request-level properties under each recipient's own: what Braze merges and measures.
    const top = {
      ...(b.trigger_properties as Obj),
      ...(b.canvas_entry_properties as Obj),
      ...(b.context as Obj),
    };
    rs.forEach((r, i) => {
      const n = ["external_user_id", "user_alias", "email", "braze_id"].filter(
        (k) => r[k] !== undefined,
      ).length;
      if (n !== 1) throw bad(`recipients[${i}] must have exactly one identifier`);
      if (r.email !== undefined && !Array.isArray(r.prioritization))
        throw bad(`recipients[${i}]: prioritization is required`);
      const props = {
        ...top,
        ...(r.trigger_properties as Obj),
        ...(r.canvas_entry_properties as Obj),
        ...(r.context as Obj),
      };
      if (jsonBytes(props) > LIMITS.propertiesBytes)
        throw bad(`recipients[${i}]: properties exceed the 50KB limit`);
      if (this.store.blocklisted.has(r.external_user_id as string)) throw bad(BLOCKLISTED);
    });
    // Duplicate recipients in one request get one message.
    const seen = new Set<string>();
    return rs.filter((r) => {
      const key = JSON.stringify([r.external_user_id, r.user_alias, r.email, r.braze_id]);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  /** The external id the send goes to, or undefined when Braze would skip the recipient. */
  private admit(r: Obj): string | undefined {
    // Alias-only profiles must already exist (Braze does not create them on send).
    if (r.user_alias !== undefined) return this.store.aliasUser(r.user_alias)?.externalId;
    const id = r.external_user_id as string | undefined;
    if (!id) return undefined;
    const exists = this.store.users.has(id);
    const existingOnly = r.send_to_existing_only !== false;
    if (!exists && (existingOnly || !r.attributes)) return undefined;
    const u = this.store.ensureUser(id);
    // Attributes are written before the send.
    for (const [k, v] of Object.entries((r.attributes as Obj) ?? {}))
      if (k !== "external_id") u.attributes[k] = v;
    return id;
  }

  private record(
    dispatchId: string,
    endpoint: RecordedSend["endpoint"],
    target: { campaignId?: string; canvasId?: string },
    v: FakeMessage,
    externalId: string,
    properties: Obj,
    at: number,
  ): RecordedSend {
    const user = this.store.users.get(externalId);
    const attrs = user?.attributes ?? {};
    return this.store.recordSend({
      dispatchId,
      endpoint,
      ...target,
      variationId: v.id,
      channel: v.channel ?? "email",
      externalId,
      ...(user?.alias ? { alias: user.alias } : {}),
      properties,
      rendered: {
        subject: renderLiquid(v.subject, properties, attrs),
        body: renderLiquid(v.body, properties, attrs),
      },
      at,
    });
  }

  private async respond(sends: RecordedSend[]): Promise<void> {
    const audience = this.audience();
    if (!audience) return;
    for (const s of sends) this.store.recordAudience(s, await audience.respond(s));
  }
}
