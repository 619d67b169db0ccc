// A decision as the joiner needs it: what core decided, for whom, when it was sent, and the context it was
// decided on (so the emitted Feedback can carry it back to Policy.update).
import { type ActionRecord, type Context, type Decision, ValidationError } from "@kairos/core";
import { z } from "zod";
import { parseTime } from "./time.js";
import { describeIssue } from "./zod-util.js";

/** A sent decision, as given to the joiner. */
export interface SentDecision {
  decisionId: string;
  userId: string;
  /** When the message was sent: epoch ms, ISO 8601 string or Date. */
  sentAt: number | string | Date;
  action: ActionRecord;
  actionIndex?: number;
  propensity: number;
  policyId?: string;
  policyVersion: number;
  /** The context the policy decided on; it is returned in Feedback.context. */
  context: Context;
}

/** The validated, compact form kept by the joiner (sentAt in epoch ms). */
export interface PendingDecisionInfo {
  decisionId: string;
  userId: string;
  sentAt: number;
  action: ActionRecord;
  actionIndex: number;
  propensity: number;
  policyId: string;
  policyVersion: number;
  context: Context;
}

const contextSchema = z.union([
  z.record(z.string(), z.unknown()),
  z.array(z.number()),
  z.custom<ArrayLike<number>>((v) => ArrayBuffer.isView(v), "must be a record or an array of numbers"),
]);

/** The zod schema of a sent decision. */
export const sentDecisionSchema = z.strictObject({
  decisionId: z.string().min(1),
  userId: z.string().min(1),
  sentAt: z.union([z.number(), z.string(), z.date()]),
  action: z.record(z.string(), z.union([z.string(), z.number()])),
  actionIndex: z.number().int().min(0).optional(),
  propensity: z.number().gt(0).lte(1),
  policyId: z.string().optional(),
  policyVersion: z.number().int().min(0),
  context: contextSchema,
});

/** Validates a sent decision; throws a ValidationError naming the bad field. */
export function validateDecision(input: unknown, field = "decision"): PendingDecisionInfo {
  const parsed = sentDecisionSchema.safeParse(input);
  if (!parsed.success) {
    const issue = describeIssue(field, parsed.error);
    throw new ValidationError(issue.field, issue.message);
  }
  const d = parsed.data;
  const sentAt = parseTime(d.sentAt);
  if (Number.isNaN(sentAt)) throw new ValidationError(`${field}.sentAt`, "does not parse as a time");
  return {
    decisionId: d.decisionId,
    userId: d.userId,
    sentAt,
    action: d.action,
    actionIndex: d.actionIndex ?? -1,
    propensity: d.propensity,
    policyId: d.policyId ?? "",
    policyVersion: d.policyVersion,
    context: d.context as Context,
  };
}

/** Builds a SentDecision from a core Decision plus who got it, when, and the context it was made on. */
export function sentDecision(
  decision: Decision,
  send: { userId: string; sentAt: number | string | Date; context: Context },
): SentDecision {
  return {
    decisionId: decision.decisionId,
    userId: send.userId,
    sentAt: send.sentAt,
    action: decision.action,
    actionIndex: decision.actionIndex,
    propensity: decision.propensity,
    policyId: decision.policyId,
    policyVersion: decision.policyVersion,
    context: send.context,
  };
}
