// Bad input is never thrown at the caller and never silently dropped: it is kept here with its reason and
// the original payload, counted, and can be listed (and replayed once the cause is fixed).

import type { RewardEvent } from "./event.js";

/** Why an input was quarantined. */
export type QuarantineReason =
  | "malformed"
  | "bad_time"
  | "unknown_user"
  | "unknown_decision"
  | "negative_quantity"
  | "negative_price"
  | "currency_mismatch"
  | "invalid_decision";

/** One quarantined input. */
export interface QuarantineRecord {
  /** Sequence number, unique within a joiner's life (survives snapshot/restore). */
  id: number;
  reason: QuarantineReason;
  /** Human-readable detail, e.g. the zod path and message of the bad field. */
  detail: string;
  /** The original payload, as received. */
  payload: unknown;
  /** Joiner watermark (epoch ms) when it was quarantined. */
  at: number;
  /**
   * The normalised event, for an event held only because its decision or user is not known yet
   * (`unknown_decision`, `unknown_user`): the joiner joins it when that decision arrives.
   */
  event?: RewardEvent;
}

/** A rejected input, before it gets an id (what the normalisers return). */
export interface Rejection {
  reason: QuarantineReason;
  detail: string;
  payload: unknown;
  event?: RewardEvent;
}

/** Holds quarantined inputs with exact per-reason counts; keeps at most `limit` payloads (newest). */
export class Quarantine {
  /** Kept records by id, oldest first (a Map keeps insertion order and removes one in O(1)). */
  private records = new Map<number, QuarantineRecord>();
  private readonly counts = new Map<QuarantineReason, number>();
  private nextId = 1;
  /** Records added since the last `takeNew` (for incremental persistence). */
  private fresh: QuarantineRecord[] = [];
  /** Ids of records taken out since the last `takeRemoved` (the store deletes them). */
  private removed: number[] = [];

  constructor(private readonly limit = Number.POSITIVE_INFINITY) {}

  /** Quarantines one input and returns its record. */
  add(rejection: Rejection, at: number): QuarantineRecord {
    const record: QuarantineRecord = { id: this.nextId++, ...rejection, at };
    this.records.set(record.id, record);
    this.fresh.push(record);
    this.counts.set(rejection.reason, (this.counts.get(rejection.reason) ?? 0) + 1);
    if (this.records.size > this.limit) this.records.delete(this.records.keys().next().value!);
    return record;
  }

  /** Total quarantined inputs (exact, even when payloads were trimmed by the limit). */
  get total(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }

  /** Counts per reason. */
  byReason(): Partial<Record<QuarantineReason, number>> {
    return Object.fromEntries(this.counts);
  }

  /** Lists kept records, oldest first, optionally only one reason. */
  list(reason?: QuarantineReason): QuarantineRecord[] {
    const kept = [...this.records.values()];
    return reason === undefined ? kept : kept.filter((r) => r.reason === reason);
  }

  /**
   * Removes and returns kept records matching a reason, to feed them again after fixing the cause. The
   * counts keep them (a re-fed input is counted again as received); a store forgets them at the next
   * checkpoint.
   */
  release(reason: QuarantineReason): QuarantineRecord[] {
    const out = this.list(reason);
    for (const r of out) {
      this.records.delete(r.id);
      this.removed.push(r.id);
    }
    return out;
  }

  /** Takes kept records out by id and uncounts them: they are no longer quarantined (the joiner rejoins them). */
  withdraw(ids: Iterable<number>): QuarantineRecord[] {
    const out: QuarantineRecord[] = [];
    for (const id of ids) {
      const r = this.records.get(id);
      if (!r) continue; // trimmed by the limit, or already taken out
      this.records.delete(id);
      out.push(r);
      this.removed.push(id);
      const left = (this.counts.get(r.reason) ?? 1) - 1;
      if (left > 0) this.counts.set(r.reason, left);
      else this.counts.delete(r.reason);
    }
    return out;
  }

  /** Returns the ids of records taken out since the previous call (the store deletes them). */
  takeRemoved(): number[] {
    const out = this.removed;
    this.removed = [];
    return out;
  }

  /** Returns the records added since the previous call (the store persists them). */
  takeNew(): QuarantineRecord[] {
    const out = this.fresh;
    this.fresh = [];
    return out;
  }

  /** Serialisable state. */
  toJSON(): {
    nextId: number;
    counts: Partial<Record<QuarantineReason, number>>;
    records: QuarantineRecord[];
  } {
    return { nextId: this.nextId, counts: this.byReason(), records: this.list() };
  }

  /** Rebuilds a quarantine from `toJSON` output. */
  static fromJSON(
    state: { nextId: number; counts: Partial<Record<string, number>>; records: QuarantineRecord[] },
    limit?: number,
  ): Quarantine {
    const q = new Quarantine(limit);
    q.nextId = state.nextId;
    for (const [k, v] of Object.entries(state.counts)) q.counts.set(k as QuarantineReason, v ?? 0);
    const kept =
      limit === undefined ? state.records : state.records.slice(Math.max(0, state.records.length - limit));
    q.records = new Map(kept.map((r) => [r.id, r]));
    return q;
  }
}
