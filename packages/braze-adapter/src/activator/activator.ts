import { randomUUID } from "node:crypto";
import { type Decision, ValidationError } from "@kairos/core";
import { chunk, LIMITS } from "../batching.js";
import type { BrazeClient } from "../client/client.js";
import { type Clock, systemClock } from "../clock.js";
import { mapLimit } from "../concurrency.js";
import { recipientProblem, type SendResult } from "../endpoints/messaging.js";
import type { TriggerRecipient, UserAlias } from "../endpoints/types.js";
import { BrazeError } from "../errors.js";
import type { LedgerEntry, LedgerStatus, NewLedgerEntry, SendLedger } from "../ledger/types.js";
import { type Logger, silentLogger } from "../log.js";
import { type ActivationMapping, planFor } from "./mapping.js";
import { reconcile } from "./reconcile.js";
import { dueTime, isValidTimeZone } from "./schedule.js";

/** The decision facts the activator needs (a full core `Decision` fits). */
export type ActivatableDecision = Pick<Decision, "decisionId" | "action"> &
  Partial<Pick<Decision, "actionIndex" | "propensity" | "policyId" | "policyKind" | "policyVersion">>;

/**
 * Who receives a decision: a profile's external id, or the alias of an alias-only profile (leads and other
 * users Braze knows before they have an external id). Alias names are treated as PII: never logged.
 */
export type Recipient =
  | { externalId: string; timeZone?: string }
  | { alias: { name: string; label: string }; timeZone?: string };

/** One decision paired with its recipient (decisions do not carry user ids). */
export interface ActivationRequest {
  decision: ActivatableDecision;
  recipient: Recipient;
  /** Overrides the due time computed from the decision's hour and day dimensions (ms). */
  dueAt?: number;
}

/** What happened to a batch of decisions (for callers that want to follow along). */
export interface ActivationOutcome {
  decisionIds: string[];
  status: "sent" | "failed" | "requeued" | "unknown";
  dispatchId?: string;
  /** Braze's notice when a send was accepted but will not take effect (paused Canvas). */
  notice?: string;
  error?: string;
  confirmedBy?: "response" | "reconciliation" | "dry_run";
}

/** Configuration of an Activator. */
export interface ActivatorOptions {
  client: BrazeClient;
  ledger: SendLedger;
  mapping: ActivationMapping;
  /** Scheduling clock (due times, retries, reconciliation delay); inject a ManualClock in tests. */
  clock?: Clock;
  /** Send requests in parallel (default 4; the client's own concurrency limit still applies). */
  parallelBatches?: number;
  /** Attempts per decision before it is failed (default 8). */
  maxAttempts?: number;
  /** First requeue delay after a failure that proves nothing was sent (default 30 s; doubles per attempt, max 1 h). */
  retryDelayMs?: number;
  /** Wait before asking Braze about an outcome-unknown send, so its profile has caught up (default 10 min). */
  reconcileDelayMs?: number;
  /** Clock difference tolerated between Kairos and Braze when reading `last_received` (default 60 s). */
  clockSkewMs?: number;
  /** Longest sleep of `run` between checks for new work (default 1 s). */
  pollIntervalMs?: number;
  logger?: Logger;
  /** Called after every ledger transition of a batch. */
  onOutcome?: (outcome: ActivationOutcome) => void;
}

/** Counters of one Activator instance. */
export interface ActivatorStats {
  requests: number;
  sent: number;
  failed: number;
  requeued: number;
  unknown: number;
  reconciledSent: number;
  reconciledRequeued: number;
  notices: number;
}

/**
 * Sends decisions through Braze exactly once, durably: each decision is written to the ledger as queued, goes in
 * flight before its request leaves, and ends sent (with the dispatch_id) or failed. Outcome-unknown sends are never
 * repeated blindly; they are settled by asking Braze (see README, "Exactly-once guarantee").
 */
export class Activator {
  readonly stats: ActivatorStats = {
    requests: 0,
    sent: 0,
    failed: 0,
    requeued: 0,
    unknown: 0,
    reconciledSent: 0,
    reconciledRequeued: 0,
    notices: 0,
  };
  private readonly clock: Clock;
  private readonly log: Logger;
  /** Attempts of this process still waiting for a response; any other in-flight row is outcome-unknown. */
  private readonly active = new Set<string>();

  constructor(private readonly options: ActivatorOptions) {
    this.clock = options.clock ?? systemClock;
    this.log = options.logger ?? silentLogger;
  }

  /** The ledger behind this activator. */
  get ledger(): SendLedger {
    return this.options.ledger;
  }

  /**
   * Validates every request (all or nothing), computes due times in each recipient's zone and queues them durably.
   * A decision id already in the ledger is not queued again.
   */
  async enqueue(requests: readonly ActivationRequest[]): Promise<{ queued: number; duplicates: string[] }> {
    const entries = ledgerEntries(this.options.mapping, requests, this.clock.now(), this.log);
    const { inserted, duplicates } = await this.ledger.enqueue(entries);
    this.log.info("decisions queued", { queued: inserted.length, duplicates: duplicates.length });
    return { queued: inserted.length, duplicates };
  }

  /** One pass: settle outcome-unknown sends that are old enough, then send what is due. Returns rows acted on. */
  async tick(signal?: AbortSignal): Promise<number> {
    const acted = await this.reconcileUnknown(signal);
    const now = this.clock.now();
    const parallel = this.options.parallelBatches ?? 4;
    const due = await this.ledger.due(now, parallel * LIMITS.sendRecipients * 2, this.pairGap());
    // One row per (recipient, target) per pass: a second one waits out the first one's receipt window (pairGap).
    const seen = new Set<string>();
    const rows = due.filter((r) => {
      const k = `${recipientKey(r)}\u0000${r.targetKey}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    const sendable: LedgerEntry[] = [];
    for (const r of rows) {
      const problem = rowProblem(r);
      if (problem === undefined) sendable.push(r);
      else await this.refuse(r, problem, now);
    }
    const groups = new Map<string, LedgerEntry[]>();
    for (const r of sendable) {
      const key = r.plan.kind === "messages" ? `${r.targetKey}:${r.plan.variationId}` : r.targetKey;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    const batches = [...groups.values()].flatMap((g) => chunk(g, LIMITS.sendRecipients));
    await mapLimit(batches, parallel, (b) => this.sendBatch(b, signal));
    return acted + rows.length;
  }

  /**
   * Runs until nothing is queued or in flight (`untilIdle`, default) or until the signal aborts, sleeping on the
   * clock until the next due time (at most `pollIntervalMs` at a time when not idle-bound).
   */
  async run(opts: { signal?: AbortSignal; untilIdle?: boolean } = {}): Promise<Record<LedgerStatus, number>> {
    const untilIdle = opts.untilIdle ?? true;
    for (;;) {
      opts.signal?.throwIfAborted();
      const acted = await this.tick(opts.signal);
      const counts = await this.ledger.counts();
      if (untilIdle && counts.queued === 0 && counts.in_flight === 0) return counts;
      if (acted > 0) continue;
      const now = this.clock.now();
      const wake: number[] = [];
      const nextDue = await this.ledger.nextDueAt(this.pairGap());
      if (nextDue !== undefined && nextDue > now) wake.push(nextDue);
      for (const r of await this.ledger.inFlight()) {
        if (!this.active.has(r.attemptId ?? "")) wake.push((r.attemptAt ?? now) + this.reconcileDelay());
      }
      const poll = this.options.pollIntervalMs ?? 1_000;
      const next = wake.length ? Math.min(...wake) : now + poll;
      const wait = untilIdle ? Math.max(1, next - now) : Math.max(1, Math.min(poll, next - now));
      await this.clock.sleep(wait, opts.signal);
    }
  }

  private reconcileDelay(): number {
    return this.options.reconcileDelayMs ?? 600_000;
  }

  /**
   * Least time between two attempts of different decisions for the same recipient and target. Braze keeps one
   * `last_received` (or `last_entered`) per campaign (or Canvas), shown within `reconcileDelayMs` of the attempt, and
   * its clock is within `clockSkewMs` of ours: an earlier attempt's receipt is then stamped before this attempt's
   * start minus the skew, so reconciliation can never credit it to this one.
   */
  private pairGap(): number {
    return this.reconcileDelay() + 2 * this.clockSkew();
  }

  private clockSkew(): number {
    return this.options.clockSkewMs ?? 60_000;
  }

  private async reconcileUnknown(signal?: AbortSignal): Promise<number> {
    const now = this.clock.now();
    const pending = (await this.ledger.inFlight()).filter(
      (r) => !this.active.has(r.attemptId ?? "") && (r.attemptAt ?? 0) + this.reconcileDelay() <= now,
    );
    if (pending.length === 0) return 0;
    if (this.options.client.dryRun) {
      // Nothing was sent in dry-run mode, so nothing can be unknown: put the rows back.
      await this.ledger.markQueued(
        pending.map((r) => r.decisionId),
        "dry run restarted",
        now,
        false,
      );
      return pending.length;
    }
    let verdicts: Map<string, string>;
    try {
      verdicts = await reconcile(this.options.client, pending, this.clockSkew(), signal);
    } catch (e) {
      if (!(e instanceof BrazeError) || e.kind === "aborted") throw e;
      this.log.warn("reconciliation failed; will retry", { error: e.message });
      return 0;
    }
    const received = pending
      .filter((r) => verdicts.get(r.decisionId) === "received")
      .map((r) => r.decisionId);
    if (received.length) {
      await this.ledger.markSent(received, { at: now, confirmedBy: "reconciliation" });
      this.stats.reconciledSent += received.length;
      this.stats.sent += received.length;
      this.options.onOutcome?.({ decisionIds: received, status: "sent", confirmedBy: "reconciliation" });
    }
    const notReceived = pending.filter((r) => verdicts.get(r.decisionId) !== "received");
    await this.retryOrFail(notReceived, "outcome unknown and Braze shows no receipt; requeued", now);
    this.stats.reconciledRequeued += notReceived.length;
    return pending.length;
  }

  /** Fails one decision that Braze's documented limits would refuse, before any request: it fails alone. */
  private async refuse(r: LedgerEntry, problem: string, now: number): Promise<void> {
    const error = `refused before sending: ${problem}`;
    await this.ledger.markFailed([r.decisionId], error, now);
    this.stats.failed++;
    this.log.warn("decision refused before sending", { target: r.targetKey, problem });
    this.options.onOutcome?.({ decisionIds: [r.decisionId], status: "failed", error });
  }

  private async retryOrFail(rows: readonly LedgerEntry[], why: string, now: number): Promise<void> {
    const maxAttempts = this.options.maxAttempts ?? 8;
    const exhausted = rows.filter((r) => r.attempts >= maxAttempts).map((r) => r.decisionId);
    if (exhausted.length) {
      await this.ledger.markFailed(exhausted, `${why}; gave up after ${maxAttempts} attempts`, now);
      this.stats.failed += exhausted.length;
      this.options.onOutcome?.({ decisionIds: exhausted, status: "failed", error: why });
    }
    const again = rows.filter((r) => r.attempts < maxAttempts);
    const base = this.options.retryDelayMs ?? 30_000;
    // Rows of one batch share their attempt count, so group by it for the delay.
    const byAttempts = new Map<number, string[]>();
    for (const r of again) byAttempts.set(r.attempts, [...(byAttempts.get(r.attempts) ?? []), r.decisionId]);
    for (const [attempts, ids] of byAttempts) {
      const delay = Math.min(3_600_000, base * 2 ** Math.max(0, attempts - 1));
      await this.ledger.markQueued(ids, why, now + delay, true);
      this.stats.requeued += ids.length;
      this.options.onOutcome?.({ decisionIds: ids, status: "requeued", error: why });
    }
  }

  private async sendBatch(rows: LedgerEntry[], signal?: AbortSignal): Promise<void> {
    const attemptId = randomUUID();
    // Durable before the request leaves: a crash from here on leaves the rows in flight, to be reconciled.
    await this.ledger.markInFlight(
      rows.map((r) => r.decisionId),
      attemptId,
      this.clock.now(),
    );
    this.active.add(attemptId);
    try {
      await this.attempt(
        rows.map((r) => ({ ...r, attempts: r.attempts + 1 })),
        signal,
      );
    } finally {
      this.active.delete(attemptId);
    }
  }

  /**
   * Sends rows already in flight and settles them. When Braze refuses the request with a 400 that may be about one
   * recipient, the batch is halved and each half sent on its own (a fatal 400 processed nothing), down to the
   * refused recipient alone: one bad decision never fails the others.
   */
  private async attempt(rows: LedgerEntry[], signal?: AbortSignal): Promise<void> {
    const ids = rows.map((r) => r.decisionId);
    this.stats.requests++;
    let res: SendResult;
    try {
      res = await this.dispatch(rows, signal);
    } catch (e) {
      if (rows.length > 1 && mayBeOneRecipient(e)) {
        const half = Math.ceil(rows.length / 2);
        await this.attempt(rows.slice(0, half), signal);
        await this.attempt(rows.slice(half), signal);
        return;
      }
      return this.settleFailure(rows, e);
    }
    const now = this.clock.now();
    if (res.notice) {
      await this.ledger.markFailed(ids, "accepted with a notice; nothing will be sent", now, res.notice);
      this.stats.notices++;
      this.stats.failed += ids.length;
      this.log.warn("braze notice: batch not sent", { target: rows[0].targetKey, decisions: ids.length });
      this.options.onOutcome?.({
        decisionIds: ids,
        status: "failed",
        notice: res.notice,
        dispatchId: res.dispatchId,
      });
      return;
    }
    const confirmedBy = this.options.client.dryRun ? "dry_run" : "response";
    await this.ledger.markSent(ids, { dispatchId: res.dispatchId, at: now, confirmedBy });
    this.stats.sent += ids.length;
    this.options.onOutcome?.({ decisionIds: ids, status: "sent", dispatchId: res.dispatchId, confirmedBy });
  }

  private async settleFailure(rows: LedgerEntry[], e: unknown): Promise<void> {
    const ids = rows.map((r) => r.decisionId);
    const now = this.clock.now();
    if (!(e instanceof BrazeError)) {
      // Unexpected: we cannot tell whether the request left, so treat it as unknown and let reconciliation decide.
      await this.ledger.markUnknown(ids, String(e), now);
      throw e;
    }
    if (e.kind === "aborted") {
      // Stopped mid-request: the rows stay in flight and are reconciled by the next run.
      throw e;
    }
    if (e.outcomeUnknown || e.kind === "response_shape") {
      await this.ledger.markUnknown(ids, e.message, now);
      this.stats.unknown += ids.length;
      this.options.onOutcome?.({ decisionIds: ids, status: "unknown", error: e.message });
      return;
    }
    if (e.kind === "auth" || e.kind === "permission") {
      // Configuration problem: keep the decisions queued and stop.
      await this.ledger.markQueued(ids, e.message, now, false);
      throw e;
    }
    if (e.kind === "validation" || e.kind === "not_found") {
      await this.ledger.markFailed(ids, e.message, now);
      this.stats.failed += ids.length;
      this.options.onOutcome?.({ decisionIds: ids, status: "failed", error: e.message });
      return;
    }
    // Rate limit, 502/503, refused connection: Braze processed nothing, so the decisions can be sent again.
    await this.retryOrFail(rows, e.message, now);
  }

  private dispatch(rows: LedgerEntry[], signal?: AbortSignal): Promise<SendResult> {
    const plan = rows[0].plan;
    const m = this.options.client.messaging;
    switch (plan.kind) {
      case "campaign":
        return m.triggerCampaign(
          { campaign_id: plan.campaignId, recipients: rows.map(triggerRecipient) },
          { signal },
        );
      case "canvas":
        return m.triggerCanvas(
          { canvas_id: plan.canvasId, recipients: rows.map(triggerRecipient) },
          { signal },
        );
      case "messages":
        return m.send(
          {
            ...wireRecipientLists(rows),
            campaign_id: plan.campaignId,
            messages: { [plan.channel]: { ...plan.message, message_variation_id: plan.variationId } },
          },
          { signal },
        );
    }
  }
}

/** Validates a request's recipient into the ledger's fields (exactly one of externalId and alias). */
function recipientOf(r: Recipient | undefined, field: string): Pick<NewLedgerEntry, "externalId" | "alias"> {
  if (r && "alias" in r && r.alias !== undefined) {
    const { name, label } = r.alias;
    if (typeof name !== "string" || !name || typeof label !== "string" || !label) {
      throw new ValidationError(`${field}.alias`, "an alias needs a non-empty name and label");
    }
    if ("externalId" in r) throw new ValidationError(field, "give an externalId or an alias, not both");
    return { alias: { alias_name: name, alias_label: label } };
  }
  const externalId = (r as { externalId?: unknown } | undefined)?.externalId;
  if (typeof externalId !== "string" || !externalId) {
    throw new ValidationError(`${field}.externalId`, "an external_id (or an alias) is required");
  }
  return { externalId };
}

/**
 * The ledger rows of activation requests made at `now` (what `Activator.enqueue` writes): validated all or
 * nothing (a ValidationError names the request and field), each with its send plan and due time in the
 * recipient's zone. For callers that write the ledger themselves (the runner queues on another thread).
 */
export function ledgerEntries(
  mapping: ActivationMapping,
  requests: readonly ActivationRequest[],
  now: number,
  log: Logger = silentLogger,
): NewLedgerEntry[] {
  const timing = mapping.timing ?? {};
  return requests.map((r, i) => {
    const d = r.decision;
    if (!d || typeof d.decisionId !== "string" || !d.decisionId) {
      throw new ValidationError(`requests[${i}].decision.decisionId`, "a decision id is required");
    }
    const who = recipientOf(r.recipient, `requests[${i}].recipient`);
    let tz = r.recipient.timeZone;
    if (tz !== undefined && !isValidTimeZone(tz)) {
      log.warn("unknown time zone; using the default", { index: i });
      tz = undefined;
    }
    const { plan, targetKey } = planFor(mapping, d.decisionId, d.action);
    if (who.alias && "sendToExistingOnly" in plan && plan.sendToExistingOnly === false) {
      throw new ValidationError(
        `requests[${i}].recipient.alias`,
        "Braze cannot create alias-only profiles on send: sendToExistingOnly false needs an external_id",
      );
    }
    // No object spread: this runs once per send queued.
    const entry: NewLedgerEntry = {
      decisionId: d.decisionId,
      targetKey,
      plan,
      decision: {
        action: d.action,
        actionIndex: d.actionIndex,
        propensity: d.propensity,
        policyId: d.policyId,
        policyKind: d.policyKind,
        policyVersion: d.policyVersion,
      },
      dueAt: r.dueAt ?? dueTime(d.action, timing, tz, now),
      createdAt: now,
    };
    if (who.alias) entry.alias = who.alias;
    else entry.externalId = who.externalId;
    return entry;
  });
}

/** One key per recipient, for "one send per recipient and target at a time". */
function recipientKey(r: LedgerEntry): string {
  return r.alias ? `alias\u0000${r.alias.alias_label}\u0000${r.alias.alias_name}` : `id\u0000${r.externalId}`;
}

/** A row as a trigger-send recipient: its identifier, properties and send_to_existing_only. */
function triggerRecipient(r: LedgerEntry): TriggerRecipient {
  const plan = r.plan;
  if (plan.kind === "messages") throw new Error("/messages/send has no per-recipient objects");
  return {
    ...(r.alias ? { user_alias: r.alias } : { external_user_id: r.externalId! }),
    [plan.kind === "canvas" ? plan.propertyField : "trigger_properties"]: plan.properties,
    ...(plan.sendToExistingOnly === undefined ? {} : { send_to_existing_only: plan.sendToExistingOnly }),
  };
}

/** Why Braze's documented limits refuse this row's recipient (e.g. more than 50 KB of properties), if they do. */
function rowProblem(r: LedgerEntry): string | undefined {
  return r.plan.kind === "messages" ? undefined : recipientProblem(triggerRecipient(r));
}

/**
 * Braze's documented 400s about the request itself (its campaign, Canvas, variation or message): every half of
 * the batch would get the same answer, so halving it is pointless.
 */
const REQUEST_REFUSALS = new Set([
  "Invalid Campaign ID",
  "Invalid Canvas ID",
  "Message Variant Unspecified",
  "Invalid Message Variant",
  "Mismatched Message Type",
  "No message to send",
]);

/** A 400 from Braze (not a local check) that may be about one recipient of the batch. */
function mayBeOneRecipient(e: unknown): boolean {
  return (
    e instanceof BrazeError &&
    e.kind === "validation" &&
    e.status === 400 &&
    !REQUEST_REFUSALS.has(e.brazeMessage ?? "")
  );
}

/** /messages/send names its users in two lists. */
function wireRecipientLists(rows: readonly LedgerEntry[]): {
  external_user_ids?: string[];
  user_aliases?: UserAlias[];
} {
  const ids = rows.filter((r) => !r.alias).map((r) => r.externalId!);
  const aliases = rows.flatMap((r) => (r.alias ? [r.alias] : []));
  return {
    ...(ids.length ? { external_user_ids: ids } : {}),
    ...(aliases.length ? { user_aliases: aliases } : {}),
  };
}
