// The send ledger as the Activator sees it during a day, remembering how each send ended: the register step
// then needs no ledger lookup per decision (a million of them cost half a minute). Every call goes to the
// ledger first; only what the ledger committed is remembered, and only sends whose attempt this run saw
// (the register step reads anything else from the ledger itself, as after a crash).
import type {
  Confirmation,
  LedgerEntry,
  LedgerStatus,
  NewLedgerEntry,
  SendLedger,
} from "@kairos/braze-adapter";

/** How a send ended, as the register step needs it. */
export interface SendEnd {
  status: "sent" | "failed";
  /** The attempt's start (for a sent one). */
  attemptAt?: number;
}

/** A SendLedger that forwards everything to `inner` and remembers the sends settled through it. */
export class RecordingLedger implements SendLedger {
  private readonly attempts = new Map<string, number>();
  /** Sends settled through this ledger (sent with their attempt's start, or failed). */
  readonly ends = new Map<string, SendEnd>();

  constructor(private readonly inner: SendLedger) {}

  enqueue(entries: readonly NewLedgerEntry[]): Promise<{ inserted: string[]; duplicates: string[] }> {
    return this.inner.enqueue(entries);
  }
  due(now: number, limit: number, pairGapMs: number): Promise<LedgerEntry[]> {
    return this.inner.due(now, limit, pairGapMs);
  }
  inFlight(): Promise<LedgerEntry[]> {
    return this.inner.inFlight();
  }
  async markInFlight(ids: readonly string[], attemptId: string, attemptAt: number): Promise<void> {
    await this.inner.markInFlight(ids, attemptId, attemptAt);
    for (const id of ids) this.attempts.set(id, attemptAt);
  }
  async markSent(
    ids: readonly string[],
    info: { dispatchId?: string; at: number; confirmedBy: Confirmation },
  ): Promise<void> {
    await this.inner.markSent(ids, info);
    for (const id of ids) {
      const attemptAt = this.attempts.get(id);
      // A send whose attempt an earlier run made (confirmed now by reconciliation): its start is in the ledger.
      if (attemptAt !== undefined) this.ends.set(id, { status: "sent", attemptAt });
    }
  }
  async markQueued(
    ids: readonly string[],
    error: string,
    retryAt: number,
    countAttempt: boolean,
  ): Promise<void> {
    await this.inner.markQueued(ids, error, retryAt, countAttempt);
    for (const id of ids) this.ends.delete(id);
  }
  markUnknown(ids: readonly string[], error: string, at: number): Promise<void> {
    return this.inner.markUnknown(ids, error, at);
  }
  async markFailed(ids: readonly string[], error: string, at: number, notice?: string): Promise<void> {
    await this.inner.markFailed(ids, error, at, notice);
    for (const id of ids) this.ends.set(id, { status: "failed" });
  }
  get(decisionId: string): Promise<LedgerEntry | undefined> {
    return this.inner.get(decisionId);
  }
  list(status?: LedgerStatus): Promise<LedgerEntry[]> {
    return this.inner.list(status);
  }
  byDispatch(dispatchId: string): Promise<LedgerEntry[]> {
    return this.inner.byDispatch(dispatchId);
  }
  counts(): Promise<Record<LedgerStatus, number>> {
    return this.inner.counts();
  }
  nextDueAt(pairGapMs: number): Promise<number | undefined> {
    return this.inner.nextDueAt(pairGapMs);
  }
  /** The day's ledger stays open: the state directory closes it. */
  async close(): Promise<void> {}
}
