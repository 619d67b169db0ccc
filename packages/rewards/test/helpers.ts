import type { SentDecision } from "../src/decision.js";
import type { RewardEvent } from "../src/event.js";

export const T0 = Date.parse("2024-05-01T00:00:00Z");
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** A sent decision with defaults. */
export function decision(
  id: string,
  userId: string,
  sentAt = T0,
  extra: Partial<SentDecision> = {},
): SentDecision {
  return {
    decisionId: id,
    userId,
    sentAt,
    action: { offer: "A" },
    propensity: 0.5,
    policyVersion: 1,
    context: { tenure: 3 },
    ...extra,
  };
}

/** A one-item USD purchase of product "p" (with a source id when given). */
export function purchase(userId: string, time: number, price: number, id?: string): RewardEvent {
  return {
    ...(id ? { id } : {}),
    userId,
    time,
    kind: "purchase",
    name: "p",
    properties: {},
    value: price,
    purchase: { productId: "p", currency: "USD", price, quantity: 1 },
  };
}
