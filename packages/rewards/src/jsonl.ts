// The plain event-stream format: one JSON object per line (JSON Lines). See README "JSON Lines events".
import { z } from "zod";
import type { EventKind, RewardEvent } from "./event.js";
import { fastJsonlEvent } from "./jsonl-fast.js";
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

/** One JSON Lines record as validated by `jsonlEventSchema`. */
export type JsonlEvent = z.output<typeof jsonlEventSchema>;

/** Normalises one parsed JSON Lines record (already JSON-decoded); returns the event or a rejection. */
export function normaliseRecord(
  raw: unknown,
  options: NormaliseOptions = {},
  field = "",
): RewardEvent | Rejection {
  return normaliseJsonlRecord(raw, recordOptions(options), field, true);
}

/** The options of `normaliseJsonlRecord`, resolved once per batch. */
export interface RecordOptions {
  /** Expected currency, upper case. */
  currency: string;
  decisionIdProperty: string;
}

/** Resolves the normaliser options for `normaliseJsonlRecord`. */
export function recordOptions(options: NormaliseOptions): RecordOptions {
  return {
    currency: (options.currency ?? "USD").toUpperCase(),
    decisionIdProperty: options.decisionIdProperty ?? DEFAULT_DECISION_PROPERTY,
  };
}

/**
 * `normaliseRecord`, with the hand-written validator for well-formed records (`fast`) or with the zod
 * schema alone. Both give the same result; the schema words the errors. A numeric `field` is a line
 * number (its text is only built for a rejection). Not part of the package API.
 */
export function normaliseJsonlRecord(
  raw: unknown,
  options: RecordOptions,
  field: string | number,
  fast: boolean,
): RewardEvent | Rejection {
  let e = fast ? fastJsonlEvent(raw) : undefined;
  if (e === undefined) {
    const parsed = jsonlEventSchema.safeParse(raw);
    if (!parsed.success) {
      const { field: f, message } = describeIssue(fieldText(field), parsed.error);
      return { reason: "malformed", detail: `${f}: ${message}`, payload: raw };
    }
    e = parsed.data;
  }
  const t = parseTime(e.time);
  if (Number.isNaN(t)) {
    const f = fieldText(field);
    return { reason: "bad_time", detail: `${f ? `${f}.` : ""}time: does not parse`, payload: raw };
  }
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
  const decisionId = e.decision_id ?? decisionIdOf(properties, options.decisionIdProperty);
  if (decisionId !== undefined) event.decisionId = decisionId;
  if (kind === "purchase") {
    const productId = e.product_id!;
    const currency = e.currency!;
    const price = e.price!;
    const quantity = e.quantity ?? 1;
    // The usual purchase passes every check of checkPurchase; the field text is only built for one that fails.
    const info =
      Number.isInteger(quantity) &&
      quantity >= 1 &&
      quantity <= 100 &&
      price >= 0 &&
      currency === options.currency
        ? { productId, currency, price, quantity }
        : checkPurchase(
            { product_id: productId, currency, price, quantity: e.quantity },
            options.currency,
            raw,
            fieldText(field) || "(line)",
          );
    if ("reason" in info) return info;
    event.purchase = info;
    event.name = e.name ?? info.productId;
    event.value = info.price * info.quantity;
  }
  return event;
}

function fieldText(field: string | number): string {
  return typeof field === "number" ? `line ${field}` : field;
}

/** Parses JSON Lines text (or an array of lines); blank lines are skipped, bad lines are rejected. */
export function parseJsonLines(
  input: string | readonly string[],
  options: NormaliseOptions = {},
): NormaliseResult {
  const lines = typeof input === "string" ? input.split("\n") : input;
  const result: NormaliseResult = { events: [], sources: [], rejected: [], ignored: 0 };
  const recordOpts = recordOptions(options);
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
    const out = normaliseJsonlRecord(raw, recordOpts, i + 1, true);
    if ("reason" in out) result.rejected.push(out);
    else {
      result.events.push(out);
      result.sources.push(lines[i]);
    }
  }
  return result;
}
