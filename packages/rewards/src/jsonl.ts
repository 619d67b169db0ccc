// The plain event-stream format: one JSON object per line (JSON Lines). See README "JSON Lines events".
import { z } from "zod";
import type { EventKind, RewardEvent } from "./event.js";
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

/** One line of the JSON Lines event format, as validated. */
export const jsonlEventSchema = z
  .strictObject({
    id: z.string().min(1).optional(),
    user_id: z.string().min(1),
    time: z.union([z.string(), z.number()]),
    type: z.enum(["custom", "purchase", "open", "click", "conversion", "unsubscribe"]).default("custom"),
    name: z.string().min(1).optional(),
    properties: z.record(z.string(), z.unknown()).optional(),
    value: z.number().finite().optional(),
    decision_id: z.string().min(1).optional(),
    product_id: z.string().min(1).optional(),
    currency: z
      .string()
      .regex(/^[A-Za-z]{3}$/, "must be an ISO 4217 code")
      .optional(),
    price: z.number().finite().optional(),
    quantity: z.number().finite().optional(),
  })
  .superRefine((e, ctx) => {
    if (e.type === "custom" && e.name === undefined)
      ctx.addIssue({ code: "custom", path: ["name"], message: "a custom event needs a name" });
    if (e.type === "purchase")
      for (const k of ["product_id", "currency", "price"] as const)
        if (e[k] === undefined)
          ctx.addIssue({ code: "custom", path: [k], message: "required for a purchase" });
  });

/** Normalises one parsed JSON Lines record (already JSON-decoded); returns the event or a rejection. */
export function normaliseRecord(
  raw: unknown,
  options: NormaliseOptions = {},
  field = "",
): RewardEvent | Rejection {
  const parsed = jsonlEventSchema.safeParse(raw);
  if (!parsed.success) {
    const { field: f, message } = describeIssue(field, parsed.error);
    return { reason: "malformed", detail: `${f}: ${message}`, payload: raw };
  }
  const e = parsed.data;
  const t = parseTime(e.time);
  if (Number.isNaN(t))
    return { reason: "bad_time", detail: `${field ? `${field}.` : ""}time: does not parse`, payload: raw };
  const properties = e.properties ?? {};
  const kind: EventKind = e.type;
  const event: RewardEvent = {
    userId: e.user_id,
    time: t,
    kind,
    name: e.name ?? kind,
    properties,
    value: e.value ?? 1,
  };
  if (e.id !== undefined) event.id = e.id;
  const decisionId =
    e.decision_id ?? decisionIdOf(properties, options.decisionIdProperty ?? DEFAULT_DECISION_PROPERTY);
  if (decisionId !== undefined) event.decisionId = decisionId;
  if (kind === "purchase") {
    const info = checkPurchase(
      { product_id: e.product_id!, currency: e.currency!, price: e.price!, quantity: e.quantity },
      (options.currency ?? "USD").toUpperCase(),
      raw,
      field || "(line)",
    );
    if ("reason" in info) return info;
    event.purchase = info;
    event.name = e.name ?? info.productId;
    event.value = info.price * info.quantity;
  }
  return event;
}

/** Parses JSON Lines text (or an array of lines); blank lines are skipped, bad lines are rejected. */
export function parseJsonLines(
  input: string | readonly string[],
  options: NormaliseOptions = {},
): NormaliseResult {
  const lines = typeof input === "string" ? input.split("\n") : input;
  const result: NormaliseResult = { events: [], sources: [], rejected: [], ignored: 0 };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "") continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      result.rejected.push({
        reason: "malformed",
        detail: `line ${i + 1}: not valid JSON`,
        payload: lines[i],
      });
      continue;
    }
    const out = normaliseRecord(raw, options, `line ${i + 1}`);
    if ("reason" in out) result.rejected.push(out);
    else {
      result.events.push(out);
      result.sources.push(lines[i]);
    }
  }
  return result;
}
