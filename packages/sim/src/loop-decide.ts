import { type Context, type DecideOptions, NoEligibleActionError, type Policy } from "@kairos/core";
import type { Audience } from "./loop-audience.js";
import type { Evaluation, ResponseModel } from "./response.js";

/** A policy's choice for one customer, or null when no action can reach them. */
export type Choice = { actionIndex: number; propensity: number } | null;

/** The decision id of customer `i` on a day (what the policy's feedback refers back to). */
export function decisionIdOf(day: number, i: number): string {
  return `${day}-${i}`;
}

/** The policy's choices for today's audience, in audience order. */
export function decideAudience(policy: Policy, audience: Audience, day: number): Choice[] {
  const options: DecideOptions[] = audience.customers.map((i, j) => ({
    decisionId: decisionIdOf(day, i),
    ...(audience.eligibilities[j] ? { eligibility: audience.eligibilities[j] } : {}),
  }));
  return decideAll(policy, audience.contexts, options);
}

/** Decides for the whole audience; when some customer has no eligible action, decides one by one and skips them. */
function decideAll(policy: Policy, contexts: Record<string, unknown>[], options: DecideOptions[]): Choice[] {
  try {
    return policy.decideBatch(contexts as Context[], options);
  } catch (e) {
    if (!(e instanceof NoEligibleActionError)) throw e;
    return contexts.map((c, j) => {
      try {
        return policy.decide(c as Context, options[j]);
      } catch (inner) {
        if (inner instanceof NoEligibleActionError) return null;
        throw inner;
      }
    });
  }
}

/**
 * The truly best eligible action today (the myopic oracle): the feasible position with the highest
 * expected reward in `ev`, skipping options of `unsubDim` the customer unsubscribed from.
 */
export function bestEligible(
  model: ResponseModel,
  ev: Evaluation,
  blocked: Set<number> | undefined,
  unsubDim: number,
): number {
  let best = -1;
  for (let f = 0; f < model.feasibleCount; f++) {
    if (blocked?.has(model.codes[unsubDim]![f]!)) continue;
    if (best < 0 || ev.expected[f]! > ev.expected[best]!) best = f;
  }
  return best;
}
