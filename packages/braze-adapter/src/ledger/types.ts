import type { UserAlias } from "../endpoints/types.js";

/** Life of one decision in the ledger: queued → in_flight → sent | failed (in_flight may return to queued). */
export type LedgerStatus = "queued" | "in_flight" | "sent" | "failed";

/** How a row came to be `sent`. */
export type Confirmation = "response" | "reconciliation" | "dry_run";

/** What to send for one decision (enough to rebuild the request after a restart). */
export type SendPlan =
  | {
      kind: "campaign";
      campaignId: string;
      properties: Record<string, unknown>;
      sendToExistingOnly?: boolean;
    }
  | {
      kind: "canvas";
      canvasId: string;
      properties: Record<string, unknown>;
      propertyField: "context" | "canvas_entry_properties";
      sendToExistingOnly?: boolean;
    }
  | {
      kind: "messages";
      campaignId: string;
      channel: string;
      variationId: string;
      message: Record<string, unknown>;
    };

/** The decision facts kept for audit and reward joins. */
export interface DecisionSummary {
  action: Record<string, string | number>;
  actionIndex?: number;
  propensity?: number;
  policyId?: string;
  policyKind?: string;
  policyVersion?: number;
}

/** A new row. */
export interface NewLedgerEntry {
  decisionId: string;
  /** The recipient's external id; or, for an alias-only profile (e.g. a lead), `alias`. Exactly one is set. */
  externalId?: string;
  alias?: UserAlias;
  /** Requests are batched per target (`campaign:<id>`, `canvas:<id>`, `messages:<campaign>:<variation>`). */
  targetKey: string;
  plan: SendPlan;
  decision: DecisionSummary;
  /** When the send is due (ms). */
  dueAt: number;
  createdAt: number;
}

/** A stored row. */
export interface LedgerEntry extends NewLedgerEntry {
  status: LedgerStatus;
  /** Requests attempted for this decision. */
  attempts: number;
  /** Id of the current or last attempt (one per request). */
  attemptId?: string;
  /** When the current or last attempt started (ms, activator clock). */
  attemptAt?: number;
  /** In flight with an unknown outcome: waiting for reconciliation. */
  outcomeUnknown: boolean;
  dispatchId?: string;
  sentAt?: number;
  confirmedBy?: Confirmation;
  /** Last error (redacted). */
  error?: string;
  /** Braze's notice (e.g. paused Canvas) when the send was accepted but will not take effect. */
  notice?: string;
  updatedAt: number;
}

/**
 * Durable storage of the send ledger. Every write must be durable when its promise resolves, and each call must be
 * atomic (all listed rows change, or none do): the exactly-once guarantee rests on both.
 */
export interface SendLedger {
  /** Inserts new rows as `queued`; a decision id already present is left untouched and reported as a duplicate. */
  enqueue(entries: readonly NewLedgerEntry[]): Promise<{ inserted: string[]; duplicates: string[] }>;
  /**
   * Queued rows due at `now`, oldest first, skipping any whose (recipient, target) has another row in flight, or
   * another row attempted at or after `now - pairGapMs`: Braze keeps one receipt time per recipient and campaign
   * (or Canvas), so a send must wait until an earlier one's receipt can no longer be mistaken for its own.
   */
  due(now: number, limit: number, pairGapMs: number): Promise<LedgerEntry[]>;
  /** Rows in flight (current attempts and unknown outcomes). */
  inFlight(): Promise<LedgerEntry[]>;
  /** queued → in_flight, recording the attempt (written before the request leaves). */
  markInFlight(ids: readonly string[], attemptId: string, attemptAt: number): Promise<void>;
  /** in_flight → sent. */
  markSent(
    ids: readonly string[],
    info: { dispatchId?: string; at: number; confirmedBy: Confirmation },
  ): Promise<void>;
  /** in_flight → queued (nothing was sent), due again no earlier than `retryAt`. */
  markQueued(ids: readonly string[], error: string, retryAt: number, countAttempt: boolean): Promise<void>;
  /** Keeps rows in flight but flags their outcome as unknown (reconciliation will settle them). */
  markUnknown(ids: readonly string[], error: string, at: number): Promise<void>;
  /** → failed (terminal). */
  markFailed(ids: readonly string[], error: string, at: number, notice?: string): Promise<void>;
  /** One row. */
  get(decisionId: string): Promise<LedgerEntry | undefined>;
  /** Rows in a status (all when omitted), in insertion order. */
  list(status?: LedgerStatus): Promise<LedgerEntry[]>;
  /** The rows a send request covered (join rewards to decisions for /messages/send, which cannot carry the id). */
  byDispatch(dispatchId: string): Promise<LedgerEntry[]>;
  /** Row counts per status. */
  counts(): Promise<Record<LedgerStatus, number>>;
  /** Earliest time a queued row may go: its due time, or later while `due` would hold it back for `pairGapMs`. */
  nextDueAt(pairGapMs: number): Promise<number | undefined>;
  close(): Promise<void>;
}
