// Normalises POST /users/track bodies (attributes, events, purchases) into RewardEvents. Each object is
// validated on its own, so one bad object quarantines only itself, as Braze does with partial success.
import { z } from "zod";
import type { RewardEvent } from "./event.js";
import {
  checkPurchase,
  DEFAULT_DECISION_PROPERTY,
  decisionIdOf,
  type NormaliseOptions,
  type NormaliseResult,
} from "./normalise.js";
import type { Rejection } from "./quarantine.js";
import { parseTime } from "./time.js";
import { describeIssue } from "./zod-util.js";

const alias = z.object({ alias_name: z.string().min(1), alias_label: z.string().min(1) });
const identified = {
  external_id: z.string().min(1).optional(),
  braze_id: z.string().min(1).optional(),
  user_alias: alias.optional(),
  email: z.string().min(1).optional(),
  phone: z.string().min(1).optional(),
};
const time = z.union([z.string(), z.number()]);
const properties = z.record(z.string(), z.unknown());

const eventObject = z.looseObject({
  ...identified,
  name: z.string().min(1),
  time,
  properties: properties.optional(),
});
const purchaseObject = z.looseObject({
  ...identified,
  product_id: z.string().min(1).max(255),
  currency: z.string().regex(/^[A-Za-z]{3}$/, "must be an ISO 4217 code"),
  price: z.number().finite(),
  quantity: z.number().finite().optional(),
  time,
  properties: properties.optional(),
});
const attributesObject = z.looseObject({
  ...identified,
  email_subscribe: z.string().nullable().optional(),
  push_subscribe: z.string().nullable().optional(),
  subscription_groups: z
    .array(z.object({ subscription_group_id: z.string(), subscription_state: z.string() }))
    .optional(),
});
const trackBody = z.looseObject({
  attributes: z.array(z.unknown()).optional(),
  events: z.array(z.unknown()).optional(),
  purchases: z.array(z.unknown()).optional(),
});

type Identified = { [K in keyof typeof identified]?: z.infer<(typeof identified)[K]> };

/** The user id of a Braze object: external_id, else braze_id, alias, email, phone (prefixed by kind). */
function userIdOf(o: Identified): string | undefined {
  if (o.external_id) return o.external_id;
  if (o.braze_id) return `braze:${o.braze_id}`;
  if (o.user_alias) return `alias:${o.user_alias.alias_label}:${o.user_alias.alias_name}`;
  if (o.email) return `email:${o.email}`;
  if (o.phone) return `phone:${o.phone}`;
  return undefined;
}

/** Normalises one `users/track` request body; never throws. */
export function normaliseTrack(body: unknown, options: NormaliseOptions = {}): NormaliseResult {
  const currency = (options.currency ?? "USD").toUpperCase();
  const decisionKey = options.decisionIdProperty ?? DEFAULT_DECISION_PROPERTY;
  const result: NormaliseResult = { events: [], sources: [], rejected: [], ignored: 0 };
  const parsed = trackBody.safeParse(body);
  if (!parsed.success) {
    const { field, message } = describeIssue("", parsed.error);
    result.rejected.push({ reason: "malformed", detail: `${field}: ${message}`, payload: body });
    return result;
  }
  const reject = (r: Rejection): void => {
    result.rejected.push(r);
  };
  const noUser = (field: string, payload: unknown) =>
    reject({
      reason: "malformed",
      detail: `${field}: one of external_id, braze_id, user_alias, email, phone is required`,
      payload,
    });

  const onEvent = (raw: unknown, i: number): void => {
    const field = `events[${i}]`;
    const e = eventObject.safeParse(raw);
    if (!e.success) {
      const { field: f, message } = describeIssue(field, e.error);
      return void reject({ reason: "malformed", detail: `${f}: ${message}`, payload: raw });
    }
    const userId = userIdOf(e.data);
    if (userId === undefined) return void noUser(field, raw);
    const t = parseTime(e.data.time);
    if (Number.isNaN(t))
      return void reject({ reason: "bad_time", detail: `${field}.time: does not parse`, payload: raw });
    const props = e.data.properties ?? {};
    const event: RewardEvent = {
      userId,
      time: t,
      kind: "custom",
      name: e.data.name,
      properties: props,
      value: 1,
    };
    const d = decisionIdOf(props, decisionKey);
    if (d !== undefined) event.decisionId = d;
    result.events.push(event);
    result.sources.push(raw);
  };
  for (const [i, raw] of (parsed.data.events ?? []).entries()) onEvent(raw, i);

  const onPurchase = (raw: unknown, i: number): void => {
    const field = `purchases[${i}]`;
    const p = purchaseObject.safeParse(raw);
    if (!p.success) {
      const { field: f, message } = describeIssue(field, p.error);
      return void reject({ reason: "malformed", detail: `${f}: ${message}`, payload: raw });
    }
    const userId = userIdOf(p.data);
    if (userId === undefined) return void noUser(field, raw);
    const t = parseTime(p.data.time);
    if (Number.isNaN(t))
      return void reject({ reason: "bad_time", detail: `${field}.time: does not parse`, payload: raw });
    const info = checkPurchase(p.data, currency, raw, field);
    if ("reason" in info) return void reject(info);
    const props = p.data.properties ?? {};
    const event: RewardEvent = {
      userId,
      time: t,
      kind: "purchase",
      name: info.productId,
      properties: props,
      value: info.price * info.quantity,
      purchase: info,
    };
    const d = decisionIdOf(props, decisionKey);
    if (d !== undefined) event.decisionId = d;
    result.events.push(event);
    result.sources.push(raw);
  };
  for (const [i, raw] of (parsed.data.purchases ?? []).entries()) onPurchase(raw, i);

  // Attributes have no time; only an unsubscribe carries a reward signal, dated when it was received.
  const receivedAt = options.receivedAt ?? Date.now();
  const onAttributes = (raw: unknown, i: number): void => {
    const field = `attributes[${i}]`;
    const a = attributesObject.safeParse(raw);
    if (!a.success) {
      const { field: f, message } = describeIssue(field, a.error);
      return void reject({ reason: "malformed", detail: `${f}: ${message}`, payload: raw });
    }
    const userId = userIdOf(a.data);
    if (userId === undefined) return void noUser(field, raw);
    const channels: string[] = [];
    if (a.data.email_subscribe === "unsubscribed") channels.push("email");
    if (a.data.push_subscribe === "unsubscribed") channels.push("push");
    for (const g of a.data.subscription_groups ?? [])
      if (g.subscription_state === "unsubscribed") channels.push(g.subscription_group_id);
    if (channels.length === 0) {
      result.ignored++;
      return;
    }
    for (const channel of channels) {
      result.sources.push(raw);
      result.events.push({
        userId,
        time: receivedAt,
        kind: "unsubscribe",
        name: "unsubscribe",
        properties: { channel },
        value: 1,
      });
    }
  };
  for (const [i, raw] of (parsed.data.attributes ?? []).entries()) onAttributes(raw, i);
  return result;
}
