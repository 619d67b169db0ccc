// The one event type every input is normalised into, and the keys that deduplicate it.

/** What happened: a custom event, a purchase, a Braze engagement, or an unsubscribe. */
export type EventKind = "custom" | "purchase" | "open" | "click" | "conversion" | "unsubscribe";

/** All event kinds, in a fixed order (their index is used as a compact code). */
export const EVENT_KINDS: readonly EventKind[] = [
  "custom",
  "purchase",
  "open",
  "click",
  "conversion",
  "unsubscribe",
];

/** The purchase fields of a purchase event (Braze PurchaseObject). */
export interface PurchaseInfo {
  productId: string;
  currency: string;
  price: number;
  quantity: number;
}

/** A normalised event: who, when, what, with which properties and which value. */
export interface RewardEvent {
  /** Source event id, when the source has one (used for deduplication). */
  id?: string;
  userId: string;
  /** Epoch milliseconds, UTC. */
  time: number;
  kind: EventKind;
  /** Custom event name; the product id for a purchase; the kind for engagements and unsubscribes. */
  name: string;
  properties: Record<string, unknown>;
  /** Revenue (price × quantity) for a purchase, the explicit `value` or 1 otherwise. */
  value: number;
  /** The Kairos decision this event reports on, when it came back on the event. */
  decisionId?: string;
  purchase?: PurchaseInfo;
}

/** JSON with object keys sorted, so equal content gives equal text whatever the key order. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== "object") {
    const text = JSON.stringify(value);
    return text === undefined ? "null" : text;
  }
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  const keys = Object.keys(value).sort();
  let out = "{";
  for (let i = 0; i < keys.length; i++) {
    const v = (value as Record<string, unknown>)[keys[i]];
    if (v === undefined) continue;
    if (out.length > 1) out += ",";
    out += `${JSON.stringify(keys[i])}:${stableStringify(v)}`;
  }
  return `${out}}`;
}

/**
 * The deduplication key of an event: its id when it has one, otherwise its whole content (so the same
 * event delivered twice without an id is still counted once).
 */
export function eventKey(event: RewardEvent): string {
  if (event.id !== undefined) return `i:${event.id}`;
  const p = event.purchase;
  return `c:${event.userId}\u0000${event.time}\u0000${event.kind}\u0000${event.name}\u0000${event.value}\u0000${
    event.decisionId ?? ""
  }\u0000${p ? `${p.productId}|${p.currency}|${p.price}|${p.quantity}` : ""}\u0000${stableStringify(event.properties)}`;
}
