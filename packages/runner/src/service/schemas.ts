// The request bodies of the decision service, validated with zod: a bad body is a 400 whose one line names
// the field (`attributes.segment: expected a category, got number`, `price: required for a purchase`).
import { z } from "zod";

const attributeValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** POST /decide: a customer and their attributes now. */
export const decideRequestSchema = z.strictObject({
  /** The customer's Braze external id (their control group is stored under it). */
  externalId: z.string().min(1),
  /** The attributes the use case reads (features, eligibility), as the caller knows them now. */
  attributes: z.record(z.string(), attributeValue).default({}),
  /**
   * An idempotency key: the same id again returns the decision already made (a retried request), and core
   * keys its draws by it. Default: a fresh `<use case>:<day>:<external id>:rt-<uuid>`.
   */
  decisionId: z.string().min(1).max(200).optional(),
  /** Also return the option scores and the runners-up. */
  explain: z.boolean().default(false),
});
export type DecideRequest = z.output<typeof decideRequestSchema>;

const KINDS = ["conversion", "purchase", "custom", "click", "open", "unsubscribe"] as const;

/** POST /feedback: one outcome of a decision, in the JSON Lines event vocabulary of @kairos/rewards. */
export const feedbackRequestSchema = z
  .strictObject({
    /** The decision this outcome follows (from /decide, or a decision of the daily cycle). */
    decisionId: z.string().min(1),
    /** What happened, as the use case's metric counts it (a `purchase` for the conversion-rate preset). */
    type: z.enum(KINDS),
    /** The custom event's name (required for `custom`). */
    name: z.string().min(1).optional(),
    /** When it happened: ISO 8601 or epoch ms (default: now). */
    time: z.union([z.string().min(1), z.number().finite()]).optional(),
    value: z.number().finite().optional(),
    productId: z.string().min(1).optional(),
    currency: z
      .string()
      .regex(/^[A-Za-z]{3}$/, "must be an ISO 4217 code")
      .optional(),
    price: z.number().finite().optional(),
    quantity: z.number().finite().optional(),
    properties: z.record(z.string(), z.unknown()).optional(),
    /**
     * The event's id: an outcome sent again with the same id is counted once. Default
     * `<decision id>/<type>/<name>`, so by default each kind of outcome counts once per decision (give ids
     * to count several purchases).
     */
    id: z.string().min(1).max(300).optional(),
  })
  .superRefine((e, ctx) => {
    if (e.type === "custom" && e.name === undefined)
      ctx.addIssue({ code: "custom", path: ["name"], message: "a custom event needs a name" });
    if (e.type === "purchase")
      for (const k of ["productId", "currency", "price"] as const)
        if (e[k] === undefined)
          ctx.addIssue({ code: "custom", path: [k], message: "required for a purchase" });
  });
export type FeedbackRequest = z.output<typeof feedbackRequestSchema>;
