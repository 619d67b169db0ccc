// Shared rules of the input boundary: purchase checks, decision-id extraction, result shape.
import type { PurchaseInfo, RewardEvent } from "./event.js";
import type { Rejection } from "./quarantine.js";

/** Options of the normalisers. */
export interface NormaliseOptions {
  /** ISO 4217 code purchases must use; others are quarantined as `currency_mismatch`. Default "USD". */
  currency?: string;
  /** Event property that carries the Kairos decision id. Default "kairos_decision_id". */
  decisionIdProperty?: string;
  /** When an attributes object was received (it has no time of its own). Default: now. */
  receivedAt?: number;
}

/** Normalised events, rejected inputs (for the quarantine), and inputs that carry no reward signal. */
export interface NormaliseResult {
  events: RewardEvent[];
  /** The original payload of each event (same index), kept for the quarantine. */
  sources: unknown[];
  rejected: Rejection[];
  /** Inputs that were valid but irrelevant (e.g. an attributes object that is not an unsubscribe). */
  ignored: number;
}

/** Default property carrying the decision id on events that come back from Braze. */
export const DEFAULT_DECISION_PROPERTY = "kairos_decision_id";

/** Checks a purchase's quantity, price and currency; returns a rejection or the purchase info. */
export function checkPurchase(
  raw: { product_id: string; currency: string; price: number; quantity?: number | undefined },
  expectedCurrency: string,
  payload: unknown,
  field: string,
): PurchaseInfo | Rejection {
  const quantity = raw.quantity ?? 1;
  if (quantity < 0)
    return { reason: "negative_quantity", detail: `${field}.quantity: ${quantity} is negative`, payload };
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > 100)
    return { reason: "malformed", detail: `${field}.quantity: must be an integer from 1 to 100`, payload };
  if (raw.price < 0)
    return { reason: "negative_price", detail: `${field}.price: ${raw.price} is negative`, payload };
  const currency = raw.currency.toUpperCase();
  if (currency !== expectedCurrency)
    return {
      reason: "currency_mismatch",
      detail: `${field}.currency: ${raw.currency} is not ${expectedCurrency}`,
      payload,
    };
  return { productId: raw.product_id, currency, price: raw.price, quantity };
}

/** Reads the decision id off an event's properties, if present and a non-empty string. */
export function decisionIdOf(properties: Record<string, unknown>, key: string): string | undefined {
  const v = properties[key];
  return typeof v === "string" && v.length > 0 ? v : undefined;
}
