// Validation of a joiner snapshot read back from JSON (a boundary like any other input).
import { ValidationError } from "@kairos/core";
import { z } from "zod";
import { EVENT_KINDS } from "./event.js";
import type { JoinerSnapshot } from "./store.js";
import { describeIssue } from "./zod-util.js";

const num = z.number();
const emitted = z.looseObject({
  seq: z.number().int().positive(),
  decisionId: z.string(),
  userId: z.string(),
  reward: num,
  components: z.record(z.string(), num),
  sentAt: num,
  countedAt: num,
  emittedAt: num,
  early: z.boolean(),
  nonFinite: z.boolean(),
  feedback: z.looseObject({ context: z.unknown(), action: z.unknown(), reward: num }),
});

/** A normalised event held in the quarantine until its decision arrives (see `RewardEvent`). */
const heldEvent = z.strictObject({
  id: z.string().optional(),
  userId: z.string().min(1),
  time: num,
  kind: z.enum(EVENT_KINDS),
  name: z.string(),
  properties: z.record(z.string(), z.unknown()),
  value: num,
  decisionId: z.string().optional(),
  purchase: z
    .strictObject({ productId: z.string(), currency: z.string(), price: num, quantity: num })
    .optional(),
});

/** The zod schema of a joiner snapshot. */
export const snapshotSchema = z.strictObject({
  format: z.literal("kairos-reward-joiner/v1"),
  metric: z.strictObject({ name: z.string(), windowMs: num, components: z.array(z.string()) }),
  watermark: num,
  nextSeq: z.number().int().positive(),
  ackedThrough: z.number().int().min(0),
  cursor: z.string().nullable(),
  tallies: z.record(z.string(), z.number().int().min(0)),
  pending: z.array(
    z.strictObject({
      decisionId: z.string().min(1),
      userId: z.string().min(1),
      sentAt: num,
      windowEnd: num,
      action: z.record(z.string(), z.union([z.string(), z.number()])),
      actionIndex: z.number().int(),
      propensity: num,
      policyId: z.string(),
      policyVersion: num,
      context: z.unknown(),
      acc: z.array(num),
      firstAt: num.nullable(),
      emitted: z.boolean(),
    }),
  ),
  dedup: z.array(z.tuple([z.string(), num])),
  closedDecisions: z.array(z.tuple([z.string(), num])),
  closedUsers: z.array(z.tuple([z.string(), num])),
  quarantine: z.strictObject({
    nextId: z.number().int().positive(),
    counts: z.record(z.string(), z.number().int().min(0)),
    records: z.array(
      z.strictObject({
        id: z.number().int(),
        reason: z.string(),
        detail: z.string(),
        payload: z.unknown(),
        at: num,
        event: heldEvent.optional(),
      }),
    ),
  }),
  late: z.array(
    z.strictObject({ userId: z.string(), decisionId: z.string().nullable(), time: num, arrivedAt: num }),
  ),
  outbox: z.array(emitted),
});

/** Validates a snapshot; throws a ValidationError naming the bad field. */
export function parseSnapshot(input: unknown): JoinerSnapshot {
  const parsed = snapshotSchema.safeParse(input);
  if (!parsed.success) {
    const { field, message } = describeIssue("snapshot", parsed.error);
    throw new ValidationError(field, message);
  }
  return parsed.data as unknown as JoinerSnapshot;
}
