import { PII_PROFILE_ATTRIBUTES } from "../pii.js";
import type { FakeStore, FakeUser } from "./store.js";

/** Standard profile attributes (exported at the top level; every other attribute is a custom one). */
const STANDARD = new Set([
  ...PII_PROFILE_ATTRIBUTES,
  "country",
  "language",
  "time_zone",
  "gender",
  "email_subscribe",
  "push_subscribe",
]);

/** Builds the export object of one user with exactly the requested fields (as /users/export/* do). */
export function exportUser(
  store: FakeStore,
  u: FakeUser,
  fields: readonly string[] | undefined,
): Record<string, unknown> {
  const want = (f: string) => !fields || fields.includes(f);
  const out: Record<string, unknown> = {};
  if (want("external_id") && !u.alias) out.external_id = u.externalId;
  if (want("braze_id")) out.braze_id = u.brazeId;
  if (want("random_bucket")) out.random_bucket = u.randomBucket;
  if (want("created_at")) out.created_at = new Date(u.createdAt).toISOString();
  for (const f of STANDARD) if (want(f) && u.attributes[f] !== undefined) out[f] = u.attributes[f];
  if (want("custom_attributes")) {
    const custom: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(u.attributes)) if (!STANDARD.has(k)) custom[k] = v;
    out.custom_attributes = custom;
  }
  const events = store.visibleEvents({ externalId: u.externalId });
  if (want("custom_events")) out.custom_events = aggregate(events.filter((e) => e.kind === "event"));
  if (want("purchases")) out.purchases = aggregate(events.filter((e) => e.kind === "purchase"));
  if (want("total_revenue")) {
    out.total_revenue = events
      .filter((e) => e.kind === "purchase")
      .reduce((s, e) => s + (e.price ?? 0) * (e.quantity ?? 1), 0);
  }
  if (want("campaigns_received")) {
    out.campaigns_received = [...u.campaignsReceived].map(([id, r]) => ({
      name: r.name,
      api_campaign_id: id,
      last_received: new Date(r.at).toISOString(),
      variation_api_id: r.variationId,
      in_control: false,
    }));
  }
  if (want("canvases_received")) {
    out.canvases_received = [...u.canvasesReceived].map(([id, r]) => ({
      name: r.name,
      api_canvas_id: id,
      last_entered: new Date(r.at).toISOString(),
      variation_name: r.variantName,
      in_control: false,
    }));
  }
  return out;
}

function aggregate(events: { name: string; time: string }[]) {
  const by = new Map<string, { name: string; first: string; last: string; count: number }>();
  for (const e of events) {
    const a = by.get(e.name);
    if (!a) by.set(e.name, { name: e.name, first: e.time, last: e.time, count: 1 });
    else {
      a.last = e.time;
      a.count++;
    }
  }
  return [...by.values()];
}
