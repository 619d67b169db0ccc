// A hand-written validator for the common, well-formed JSON Lines record. It accepts only what
// `jsonlEventSchema` accepts and returns what the schema returns; anything it is not sure about (a bad
// value, an unknown key, a missing field, an exotic object) gives undefined, and the zod schema then
// decides and words the error. Tested against the schema with fast-check (test/jsonl-fast.test.ts).
import { EVENT_KINDS, type EventKind } from "./event.js";
import type { JsonlEvent } from "./jsonl.js";

/** The keys of the schema, to check that the record has none the loop did not see (non-enumerable, inherited). */
const KEYS = [
  "id",
  "user_id",
  "time",
  "type",
  "name",
  "properties",
  "value",
  "decision_id",
  "product_id",
  "currency",
  "price",
  "quantity",
] as const;
const ALL = (1 << KEYS.length) - 1;

const KINDS: ReadonlySet<string> = new Set<string>(EVENT_KINDS);

const nonEmpty = (v: unknown): v is string => typeof v === "string" && v.length > 0;
const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const plain = (v: object): boolean => {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/** Three ASCII letters (the schema's /^[A-Za-z]{3}$/). */
function isCurrencyCode(v: unknown): v is string {
  if (typeof v !== "string" || v.length !== 3) return false;
  for (let i = 0; i < 3; i++) {
    const c = v.charCodeAt(i) | 0x20; // lower-cases letters; other characters stay outside a-z
    if (c < 97 || c > 122) return false;
  }
  return true;
}

/** A copy of a plain properties object as `z.record(z.string(), z.unknown())` makes it, or undefined. */
function copyProperties(v: unknown): Record<string, unknown> | undefined {
  if (typeof v !== "object" || v === null || !plain(v)) return undefined;
  const ctor = (v as { constructor?: unknown }).constructor;
  if (typeof ctor === "function" && ctor !== Object) return undefined;
  if (Object.getOwnPropertySymbols(v).length > 0) return undefined;
  const src = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(src)) if (key !== "__proto__") out[key] = src[key];
  return out;
}

/** The validated record when `raw` is a well-formed record of the common kind; undefined otherwise. */
export function fastJsonlEvent(raw: unknown): JsonlEvent | undefined {
  if (typeof raw !== "object" || raw === null || !plain(raw)) return undefined;
  const r = raw as Record<string, unknown>;
  let id: string | undefined;
  let userId: string | undefined;
  let time: string | number | undefined;
  let type: EventKind = "custom";
  let name: string | undefined;
  let properties: Record<string, unknown> | undefined;
  let value: number | undefined;
  let decisionId: string | undefined;
  let productId: string | undefined;
  let currency: string | undefined;
  let price: number | undefined;
  let quantity: number | undefined;
  let seen = 0; // bit i: KEYS[i] was enumerated
  for (const key in r) {
    const v = r[key];
    switch (key) {
      case "id":
        seen |= 1;
        if (!nonEmpty(v)) return undefined;
        id = v;
        break;
      case "user_id":
        seen |= 2;
        if (!nonEmpty(v)) return undefined;
        userId = v;
        break;
      case "time":
        seen |= 4;
        if (typeof v !== "string" && !finite(v)) return undefined;
        time = v;
        break;
      case "type":
        seen |= 8;
        if (typeof v !== "string" || !KINDS.has(v)) return undefined;
        type = v as EventKind;
        break;
      case "name":
        seen |= 16;
        if (!nonEmpty(v)) return undefined;
        name = v;
        break;
      case "properties":
        seen |= 32;
        properties = copyProperties(v);
        if (properties === undefined) return undefined;
        break;
      case "value":
        seen |= 64;
        if (!finite(v)) return undefined;
        value = v;
        break;
      case "decision_id":
        seen |= 128;
        if (!nonEmpty(v)) return undefined;
        decisionId = v;
        break;
      case "product_id":
        seen |= 256;
        if (!nonEmpty(v)) return undefined;
        productId = v;
        break;
      case "currency":
        seen |= 512;
        if (!isCurrencyCode(v)) return undefined;
        currency = v;
        break;
      case "price":
        seen |= 1024;
        if (!finite(v)) return undefined;
        price = v;
        break;
      case "quantity":
        seen |= 2048;
        if (!finite(v)) return undefined;
        quantity = v;
        break;
      default:
        return undefined;
    }
  }
  if (userId === undefined || time === undefined) return undefined;
  if (type === "custom" && name === undefined) return undefined;
  if (type === "purchase" && (productId === undefined || currency === undefined || price === undefined))
    return undefined;
  // A schema key the loop did not enumerate but zod would read (non-enumerable or inherited): let zod decide.
  if (seen !== ALL)
    for (let i = 0; i < KEYS.length; i++) if ((seen & (1 << i)) === 0 && KEYS[i] in r) return undefined;
  const out: JsonlEvent = { user_id: userId, time, type };
  if (id !== undefined) out.id = id;
  if (name !== undefined) out.name = name;
  if (properties !== undefined) out.properties = properties;
  if (value !== undefined) out.value = value;
  if (decisionId !== undefined) out.decision_id = decisionId;
  if (productId !== undefined) out.product_id = productId;
  if (currency !== undefined) out.currency = currency;
  if (price !== undefined) out.price = price;
  if (quantity !== undefined) out.quantity = quantity;
  return out;
}
