// The storage interface behind the joiner, and an in-memory implementation. A store only has to apply a
// delta atomically (all of it or none) and load the last committed state; the joiner's exactly-once
// guarantee rests on that single property (see README "Storage and exactly-once").
import type { Feedback } from "@kairos/core";
import type { PendingDecisionInfo } from "./decision.js";
import type { QuarantineReason, QuarantineRecord } from "./quarantine.js";

/** A pending decision in serialisable form: the validated decision and its join state. */
export interface PendingRecord extends PendingDecisionInfo {
  windowEnd: number;
  /** Raw component accumulators. */
  acc: number[];
  /** Time of the first counted event, null when none. */
  firstAt: number | null;
  /** Whether the reward was already emitted (final before the window closed). */
  emitted: boolean;
}

/** A reward the joiner emitted for one decision. */
export interface EmittedReward {
  /** Position in the joiner's output, increasing by one per reward. */
  seq: number;
  decisionId: string;
  userId: string;
  reward: number;
  /** Component values (caps applied) the reward was computed from. */
  components: Record<string, number>;
  sentAt: number;
  /** The time this reward is dated at in daily reports: the send (send_time) or the first counted event (event_time), else the window end. */
  countedAt: number;
  /** Joiner watermark when it was emitted. */
  emittedAt: number;
  /** True when emitted before the window closed because it was already final. */
  early: boolean;
  /** The objective was not a finite number (e.g. a division by zero); the reward was set to 0. */
  nonFinite: boolean;
  /** Exactly what Policy.update takes. */
  feedback: Feedback;
}

/** An event that arrived after the window it belongs to had closed. */
export interface LateRecord {
  userId: string;
  decisionId: string | null;
  time: number;
  /** Joiner watermark when it arrived. */
  arrivedAt: number;
}

/** Counters of everything the joiner saw; every ingested input lands in exactly one of the input buckets. */
export interface JoinerTallies {
  /** Inputs offered (events, plus records rejected by the normalisers). */
  received: number;
  /** Events attributed to a pending decision (including those after it was already final). */
  attributed: number;
  /** Events that match no component of the metric. */
  irrelevant: number;
  duplicates: number;
  /** Events inside a window that had already closed. */
  late: number;
  /** Events of known users outside every window (before the send, after the window). */
  unattributed: number;
  /** Events of users the joiner has no decision for (when unknownUsers is "ignore"). */
  unknownUsers: number;
  /** Events older than the retention horizon (too old for any window or late check). */
  expired: number;
  quarantined: number;
  /** Valid inputs that carry no reward signal (e.g. attributes that are not an unsubscribe). */
  ignored: number;
  decisions: number;
  duplicateDecisions: number;
  emitted: number;
  emittedEarly: number;
  nonFinite: number;
}

/** A full joiner state, JSON-serialisable (snapshot/restore, and what a store loads). */
export interface JoinerSnapshot {
  format: "kairos-reward-joiner/v1";
  metric: { name: string; windowMs: number; components: string[] };
  watermark: number;
  nextSeq: number;
  /** Rewards up to this seq were acknowledged by the consumer. */
  ackedThrough: number;
  /** The caller's position in its input (e.g. a file offset), saved with the state it produced. */
  cursor: string | null;
  tallies: JoinerTallies;
  pending: PendingRecord[];
  dedup: [string, number][];
  /** Closed decisions: [decisionId, windowEnd] (the send is windowEnd minus the metric window). */
  closedDecisions: [string, number][];
  /** Window end of the latest closed decision per user: [userId, windowEnd]. */
  closedUsers: [string, number][];
  quarantine: {
    nextId: number;
    counts: Partial<Record<QuarantineReason, number>>;
    records: QuarantineRecord[];
  };
  late: LateRecord[];
  /** Emitted, unacknowledged rewards. */
  outbox: EmittedReward[];
}

/** What changed since the last commit. */
export interface JoinerDelta {
  metric: JoinerSnapshot["metric"];
  watermark: number;
  nextSeq: number;
  cursor: string | null;
  tallies: JoinerTallies;
  quarantineNextId: number;
  quarantineCounts: Partial<Record<QuarantineReason, number>>;
  upsertPending: PendingRecord[];
  deletePending: string[];
  addDedup: [string, number][];
  /** Dedup keys with an event time before this are dropped. */
  pruneDedupBefore: number;
  addClosedDecisions: [string, number][];
  addClosedUsers: [string, number][];
  /** Closed-decision and closed-user entries with a window end before this are dropped. */
  pruneClosedBefore: number;
  addQuarantine: QuarantineRecord[];
  /** Quarantine records released or rejoined since the last commit. */
  removeQuarantine: number[];
  addLate: LateRecord[];
  /** Rewards emitted since the last commit; they become visible to the consumer only once committed. */
  addOutbox: EmittedReward[];
}

/** Where a joiner keeps its state. */
export interface JoinerStore {
  /** The last committed state, or undefined when the store is empty. */
  load(): JoinerSnapshot | undefined;
  /** Applies a delta atomically: after a crash, either all of it or none of it is there. */
  commit(delta: JoinerDelta): void;
  /** Records that the consumer has taken rewards up to `seq` (they are removed from the outbox). */
  ack(seq: number): void;
  close(): void;
}

/** The earliest time a Date can hold: the watermark of a joiner that has not been advanced. */
export const MIN_TIME = -8.64e15;

function emptyTallies(): JoinerTallies {
  return {
    received: 0,
    attributed: 0,
    irrelevant: 0,
    duplicates: 0,
    late: 0,
    unattributed: 0,
    unknownUsers: 0,
    expired: 0,
    quarantined: 0,
    ignored: 0,
    decisions: 0,
    duplicateDecisions: 0,
    emitted: 0,
    emittedEarly: 0,
    nonFinite: 0,
  };
}

/** Fresh zeroed tallies. */
export { emptyTallies };

/** Applies a delta to a snapshot (in place). Shared by the memory store and tests. */
export function applyDelta(
  snap: JoinerSnapshot,
  delta: JoinerDelta,
  lateLimit = Number.POSITIVE_INFINITY,
): void {
  snap.metric = delta.metric;
  snap.watermark = delta.watermark;
  snap.nextSeq = delta.nextSeq;
  snap.cursor = delta.cursor;
  snap.tallies = { ...delta.tallies };
  const pending = new Map(snap.pending.map((p) => [p.decisionId, p]));
  for (const id of delta.deletePending) pending.delete(id);
  for (const p of delta.upsertPending) pending.set(p.decisionId, p);
  snap.pending = [...pending.values()];
  snap.dedup = [...snap.dedup, ...delta.addDedup].filter(([, t]) => t >= delta.pruneDedupBefore);
  const closedD = new Map(snap.closedDecisions.map((c) => [c[0], c]));
  for (const c of delta.addClosedDecisions) closedD.set(c[0], c);
  snap.closedDecisions = [...closedD.values()].filter((c) => c[1] >= delta.pruneClosedBefore);
  const closedU = new Map(snap.closedUsers.map((c) => [c[0], c]));
  for (const c of delta.addClosedUsers) closedU.set(c[0], c);
  snap.closedUsers = [...closedU.values()].filter((c) => c[1] >= delta.pruneClosedBefore);
  const removed = new Set(delta.removeQuarantine);
  snap.quarantine = {
    nextId: delta.quarantineNextId,
    counts: { ...delta.quarantineCounts },
    records: [...snap.quarantine.records, ...delta.addQuarantine].filter((r) => !removed.has(r.id)),
  };
  snap.late = [...snap.late, ...delta.addLate].slice(-lateLimit);
  snap.outbox = [...snap.outbox, ...delta.addOutbox];
}

/** An empty snapshot for a metric. */
export function emptySnapshot(metric: JoinerSnapshot["metric"]): JoinerSnapshot {
  return {
    format: "kairos-reward-joiner/v1",
    metric,
    watermark: MIN_TIME,
    nextSeq: 1,
    ackedThrough: 0,
    cursor: null,
    tallies: emptyTallies(),
    pending: [],
    dedup: [],
    closedDecisions: [],
    closedUsers: [],
    quarantine: { nextId: 1, counts: {}, records: [] },
    late: [],
    outbox: [],
  };
}

/**
 * A store in memory: a committed snapshot that survives the joiner object (not the process). Useful for
 * tests and for simulating a crash (drop the joiner, reopen from the same store).
 */
export class MemoryStore implements JoinerStore {
  private state: string | undefined;

  /** Loads a deep copy of the committed state. */
  load(): JoinerSnapshot | undefined {
    return this.state === undefined ? undefined : (JSON.parse(this.state) as JoinerSnapshot);
  }

  /** Applies the delta to a copy, then swaps it in (so a failure leaves the old state). */
  commit(delta: JoinerDelta): void {
    const snap = this.load() ?? emptySnapshot({ name: "", windowMs: 0, components: [] });
    applyDelta(snap, JSON.parse(JSON.stringify(delta)) as JoinerDelta);
    this.state = JSON.stringify(snap);
  }

  /** Drops acknowledged rewards. */
  ack(seq: number): void {
    const snap = this.load();
    if (!snap) return;
    snap.ackedThrough = Math.max(snap.ackedThrough, seq);
    snap.outbox = snap.outbox.filter((r) => r.seq > seq);
    this.state = JSON.stringify(snap);
  }

  close(): void {}
}
