// The joiner: keeps pending decisions, attributes events to them, and emits one reward per decision when
// its window closes (or as soon as the reward is final). Inputs are validated once at the boundary; the
// per-event path only does Map lookups and typed-array arithmetic.
import type { ActionRecord, Context, Feedback } from "@kairos/core";
import { ValidationError } from "@kairos/core";
import { normaliseTrack } from "./braze-track.js";
import { type PendingDecisionInfo, validateDecision } from "./decision.js";
import { EVENT_KINDS, eventKey, type RewardEvent, stableStringify } from "./event.js";
import { parseJsonLines } from "./jsonl.js";
import { Agg, componentFinal, defineMetric, type Metric, type MetricDefinitionInput } from "./metric.js";
import type { NormaliseOptions, NormaliseResult } from "./normalise.js";
import { PendingTable } from "./pending-table.js";
import { Quarantine, type QuarantineReason, type Rejection } from "./quarantine.js";
import { parseSnapshot } from "./snapshot.js";
import {
  type EmittedReward,
  emptyTallies,
  type JoinerDelta,
  type JoinerSnapshot,
  type JoinerStore,
  type JoinerTallies,
  type LateRecord,
  MIN_TIME,
  type PendingRecord,
} from "./store.js";
import { parseDuration, parseTime } from "./time.js";

/** Options of a joiner. */
export interface JoinerOptions {
  /** Extra wait after a window ends before its reward is emitted, for events that arrive with a lag. Default 0. */
  grace?: number | string;
  /**
   * How long after a window closes an event in it is still recognised as late (and dedup keys are kept).
   * Older events are counted as `expired`. Default: one metric window.
   */
  retention?: number | string;
  /** What to do with an event of a user the joiner has no decision for. Default "quarantine". */
  unknownUsers?: "quarantine" | "ignore";
  /**
   * Join an event quarantined for an unknown decision or user as soon as that decision is added (events can
   * reach you before the decision log does). Default true; false leaves them for `quarantine.release`.
   */
  rematch?: boolean;
  /** Payloads kept in the quarantine (counts are always exact). Default unlimited. */
  quarantineLimit?: number;
  /** Late events kept for reporting (the tally is always exact). Default 1,000. */
  lateLogLimit?: number;
  /** Event property carrying the decision id. Default "kairos_decision_id". */
  decisionIdProperty?: string;
  /** Where state is committed by `checkpoint`. Without one, rewards are visible as soon as emitted. */
  store?: JoinerStore;
}

/** A batch of rewards for Policy.update. */
export interface RewardBatch {
  /** Exactly what Policy.update takes. */
  feedback: Feedback[];
  rewards: EmittedReward[];
  /** Pass to `ack` once the batch has been learned. 0 for an empty batch. */
  through: number;
}

const KIND_BIT: Record<string, number> = Object.fromEntries(EVENT_KINDS.map((k, i) => [k, 1 << i]));

/** Joins sent decisions with the events that follow them into one reward per decision. */
export class RewardJoiner {
  readonly metric: Metric;
  private readonly table: PendingTable;
  private readonly k: number;
  private readonly windowMs: number;
  private readonly graceMs: number;
  private readonly retentionMs: number;
  private readonly unknownUsers: "quarantine" | "ignore";
  private readonly rematch: boolean;
  private readonly lateLogLimit: number;
  private readonly normaliseOptions: NormaliseOptions;
  private readonly store: JoinerStore | undefined;
  /** Whether changes are tracked for incremental commits (only with a store). */
  private readonly tracking: boolean;
  private readonly contrib: Float64Array;
  private readonly actionCache = new Map<string, ActionRecord>();

  private watermarkMs = MIN_TIME;
  private lastPrune = MIN_TIME;
  private nextSeq = 1;
  private ackedThrough = 0;
  private cursor: string | null = null;
  private tally: JoinerTallies = emptyTallies();
  private dedup = new Map<string, number>();
  /** decision id → window end, for decisions whose window closed. */
  private closedDecisions = new Map<string, number>();
  /** user id → window end of the user's latest closed decision. */
  private closedUsers = new Map<string, number>();
  private lateLog: LateRecord[] = [];
  /** Committed (visible) rewards not yet acknowledged. */
  private outbox: EmittedReward[] = [];
  /** Rewards emitted since the last checkpoint (invisible until committed, with a store). */
  private staged: EmittedReward[] = [];
  private q: Quarantine;
  /** Quarantine ids of events waiting for their decision, by decision id and by user id. */
  private waitingForDecision = new Map<string, number[]>();
  private waitingForUser = new Map<string, number[]>();

  // Changes since the last checkpoint.
  private dirty = new Set<string>();
  private deleted: string[] = [];
  private newDedup: [string, number][] = [];
  private newClosedDecisions: [string, number][] = [];
  private newClosedUsers: [string, number][] = [];
  private newLate: LateRecord[] = [];

  constructor(metric: Metric | MetricDefinitionInput, options: JoinerOptions = {}) {
    this.metric = isMetric(metric) ? metric : defineMetric(metric);
    this.k = this.metric.components.length;
    this.windowMs = this.metric.windowMs;
    this.graceMs = durationOption(options.grace, 0, "options.grace");
    this.retentionMs = durationOption(options.retention, this.windowMs, "options.retention");
    this.unknownUsers = options.unknownUsers ?? "quarantine";
    this.rematch = options.rematch ?? true;
    this.lateLogLimit = options.lateLogLimit ?? 1000;
    this.normaliseOptions = {
      currency: this.metric.currency,
      decisionIdProperty: options.decisionIdProperty,
    };
    this.store = options.store;
    this.tracking = options.store !== undefined;
    this.table = new PendingTable(this.k);
    this.contrib = new Float64Array(this.k);
    this.q = new Quarantine(options.quarantineLimit);
  }

  /** Opens a joiner on a store, restoring its last committed state (or starting empty). */
  static open(
    metric: Metric | MetricDefinitionInput,
    store: JoinerStore,
    options: JoinerOptions = {},
  ): RewardJoiner {
    const joiner = new RewardJoiner(metric, { ...options, store });
    const snap = store.load();
    if (snap !== undefined) joiner.load(snap, options.quarantineLimit);
    return joiner;
  }

  /** Rebuilds a joiner from a snapshot (validated; it must be of the same metric). */
  static restore(
    metric: Metric | MetricDefinitionInput,
    snapshot: unknown,
    options: JoinerOptions = {},
  ): RewardJoiner {
    const joiner = new RewardJoiner(metric, options);
    joiner.load(parseSnapshot(snapshot), options.quarantineLimit);
    return joiner;
  }

  // ---------------------------------------------------------------- decisions

  /**
   * Registers a sent decision (validated; throws a ValidationError naming the bad field). Returns false,
   * and counts it, when the decision is already known or its window has already closed.
   */
  addDecision(input: unknown): boolean {
    const d = validateDecision(input);
    if (this.table.byId.has(d.decisionId) || this.closedDecisions.has(d.decisionId)) {
      this.tally.duplicateDecisions++;
      return false;
    }
    const windowEnd = d.sentAt + this.windowMs;
    // A decision whose window is already over cannot be joined honestly (its events may have been dropped).
    if (windowEnd + this.graceMs <= this.watermarkMs) {
      this.tally.duplicateDecisions++;
      return false;
    }
    if (ArrayBuffer.isView(d.context)) d.context = Array.from(d.context as ArrayLike<number>);
    d.action = this.internAction(d.action);
    this.table.add(d, windowEnd);
    this.tally.decisions++;
    if (this.tracking) this.dirty.add(d.decisionId);
    if (this.rematch) this.rejoinWaiting(d.decisionId, d.userId);
    return true;
  }

  /**
   * Takes the events that were quarantined waiting for this decision (by its id, or by its user) out of the
   * quarantine and joins them now: for the tallies they move from `quarantined` to where they land.
   */
  private rejoinWaiting(decisionId: string, userId: string): void {
    const ids = [
      ...(this.waitingForDecision.get(decisionId) ?? []),
      ...(this.waitingForUser.get(userId) ?? []),
    ];
    if (ids.length === 0) return;
    this.waitingForDecision.delete(decisionId);
    this.waitingForUser.delete(userId);
    for (const r of this.q.withdraw(ids)) {
      this.tally.quarantined--;
      this.tally.received--;
      this.ingestEvent(r.event!, r.payload);
    }
  }

  /** Indexes a quarantined event by what it waits for. */
  private wait(id: number, e: RewardEvent): void {
    const map = e.decisionId !== undefined ? this.waitingForDecision : this.waitingForUser;
    const key = e.decisionId ?? e.userId;
    const list = map.get(key);
    if (list) list.push(id);
    else map.set(key, [id]);
  }

  /** Registers many decisions; returns how many were new. */
  addDecisions(inputs: Iterable<unknown>): number {
    let n = 0;
    let i = 0;
    for (const d of inputs) {
      try {
        if (this.addDecision(d)) n++;
      } catch (error) {
        if (error instanceof ValidationError)
          throw new ValidationError(
            error.field.replace(/^decision/, `decisions[${i}]`),
            error.message.replace(/^[^:]*: /, ""),
          );
        throw error;
      }
      i++;
    }
    return n;
  }

  /** Many decisions share a handful of actions: keep one object per distinct action. */
  private internAction(action: ActionRecord): ActionRecord {
    const key = stableStringify(action);
    const known = this.actionCache.get(key);
    if (known) return known;
    if (this.actionCache.size < 100_000) this.actionCache.set(key, action);
    return action;
  }

  // ---------------------------------------------------------------- events

  /** Normalises and joins one `users/track` body; bad objects are quarantined. */
  ingestTrack(body: unknown, receivedAt = this.watermarkMs > MIN_TIME ? this.watermarkMs : Date.now()): void {
    this.ingestNormalised(normaliseTrack(body, { ...this.normaliseOptions, receivedAt }));
  }

  /** Parses and joins JSON Lines text (or lines); bad lines are quarantined. */
  ingestJsonLines(input: string | readonly string[]): void {
    this.ingestNormalised(parseJsonLines(input, this.normaliseOptions));
  }

  /** Joins the output of a normaliser: its events, its rejections (quarantined) and its ignored count. */
  ingestNormalised(result: NormaliseResult): void {
    for (const r of result.rejected) this.reject(r);
    this.tally.received += result.ignored;
    this.tally.ignored += result.ignored;
    this.ingest(result.events, result.sources);
  }

  /** Joins already-normalised events; `sources[i]` is the original payload of `events[i]`, if known. */
  ingest(events: readonly RewardEvent[], sources?: readonly unknown[]): void {
    for (let i = 0; i < events.length; i++) this.ingestEvent(events[i], sources?.[i]);
  }

  private reject(r: Rejection): void {
    this.tally.received++;
    this.tally.quarantined++;
    this.q.add(r, this.watermarkMs);
  }

  private quarantineEvent(
    reason: QuarantineReason,
    detail: string,
    payload: unknown,
    waiting?: RewardEvent,
  ): void {
    this.tally.quarantined++;
    const record = this.q.add(
      { reason, detail, payload, ...(waiting ? { event: waiting } : {}) },
      this.watermarkMs,
    );
    if (waiting) this.wait(record.id, waiting);
  }

  /** Joins one normalised event (the hot path). */
  ingestEvent(e: RewardEvent, source?: unknown): void {
    const t = this.tally;
    t.received++;
    // Direct callers skip the normalisers: a cheap structural check keeps garbage out of the state.
    const bit = KIND_BIT[e?.kind];
    if (
      bit === undefined ||
      typeof e.userId !== "string" ||
      e.userId === "" ||
      typeof e.name !== "string" ||
      typeof e.value !== "number" ||
      !Number.isFinite(e.value) ||
      typeof e.properties !== "object" ||
      e.properties === null
    ) {
      this.quarantineEvent("malformed", "event: not a valid normalised event", source ?? e);
      return;
    }
    if (typeof e.time !== "number" || !Number.isFinite(e.time)) {
      this.quarantineEvent("bad_time", "event.time: not a finite epoch-millisecond time", source ?? e);
      return;
    }
    // Which components does it count for? Events that count for none are not worth a lookup.
    const comps = this.metric.components;
    const contrib = this.contrib;
    let relevant = false;
    for (let i = 0; i < this.k; i++) {
      const c = comps[i];
      const v = (c.kindMask & bit) === 0 ? Number.NaN : c.contribution(e);
      contrib[i] = v;
      if (!Number.isNaN(v)) relevant = true;
    }
    if (!relevant) {
      t.irrelevant++;
      return;
    }
    if (e.time < this.horizon()) {
      t.expired++;
      return;
    }
    const key = eventKey(e);
    if (this.dedup.has(key)) {
      t.duplicates++;
      return;
    }
    let slot: number;
    if (e.decisionId !== undefined) {
      const s = this.table.byId.get(e.decisionId);
      if (s === undefined) {
        const closedEnd = this.remembered(this.closedDecisions.get(e.decisionId));
        if (closedEnd === undefined) {
          this.quarantineEvent(
            "unknown_decision",
            `event.decisionId: no decision "${e.decisionId}"`,
            source ?? e,
            e,
          );
          return;
        }
        this.remember(key, e.time);
        if (e.time >= closedEnd - this.windowMs && e.time < closedEnd) this.recordLate(e);
        else t.unattributed++;
        return;
      }
      slot = e.time >= this.table.sentAt[s] ? s : -1;
    } else {
      slot = this.table.newestBefore(e.userId, e.time);
      if (slot === -1 || slot === -2) {
        // No pending decision sent before the event: late if inside the user's latest closed window.
        const closedEnd = this.remembered(this.closedUsers.get(e.userId));
        if (slot === -2 && closedEnd === undefined) {
          if (this.unknownUsers === "quarantine")
            this.quarantineEvent(
              "unknown_user",
              `event.userId: no decision for user "${e.userId}"`,
              source ?? e,
              e,
            );
          else t.unknownUsers++;
          return;
        }
        this.remember(key, e.time);
        if (closedEnd !== undefined && e.time >= closedEnd - this.windowMs && e.time < closedEnd)
          this.recordLate(e);
        else t.unattributed++;
        return;
      }
    }
    this.remember(key, e.time);
    if (slot < 0 || e.time >= this.table.windowEnd[slot]) {
      t.unattributed++;
      return;
    }
    t.attributed++;
    this.apply(slot, e.time);
  }

  private remember(key: string, time: number): void {
    this.dedup.set(key, time);
    if (this.tracking) this.newDedup.push([key, time]);
  }

  private recordLate(e: RewardEvent): void {
    this.tally.late++;
    const rec: LateRecord = {
      userId: e.userId,
      decisionId: e.decisionId ?? null,
      time: e.time,
      arrivedAt: this.watermarkMs,
    };
    this.lateLog.push(rec);
    if (this.lateLog.length > this.lateLogLimit * 2) this.lateLog = this.lateLog.slice(-this.lateLogLimit);
    if (this.tracking) this.newLate.push(rec);
  }

  /** Adds the current contributions to a decision's accumulators; emits early when the reward is final. */
  private apply(slot: number, time: number): void {
    const table = this.table;
    if (table.emitted[slot] === 1) return; // already final: nothing can change the reward
    const comps = this.metric.components;
    const acc = table.acc;
    const base = slot * this.k;
    for (let i = 0; i < this.k; i++) {
      const v = this.contrib[i];
      if (Number.isNaN(v)) continue;
      const agg = comps[i].agg;
      if (agg === Agg.First) acc[base + i] = 1;
      else if (agg === Agg.Count) acc[base + i] += 1;
      else acc[base + i] += v;
    }
    const first = table.firstAt[slot];
    if (Number.isNaN(first) || time < first) table.firstAt[slot] = time;
    if (this.tracking) this.dirty.add(table.ids[slot]);
    if (this.metric.canFinishEarly) {
      for (let i = 0; i < this.k; i++) if (!componentFinal(comps[i], acc[base + i])) return;
      this.emit(slot, true);
    }
  }

  private emit(slot: number, early: boolean): void {
    const table = this.table;
    const metric = this.metric;
    const base = slot * this.k;
    let reward = metric.score(table.acc, base);
    const nonFinite = !Number.isFinite(reward);
    if (nonFinite) {
      reward = 0;
      this.tally.nonFinite++;
    }
    const sentAt = table.sentAt[slot];
    const first = table.firstAt[slot];
    const feedback: Feedback = {
      context: table.contexts[slot] as Context,
      action: table.actions[slot],
      reward,
      propensity: table.propensity[slot],
      decisionId: table.ids[slot],
    };
    const r: EmittedReward = {
      seq: this.nextSeq++,
      decisionId: table.ids[slot],
      userId: table.users[slot],
      reward,
      components: metric.componentValues(table.acc, base),
      sentAt,
      countedAt:
        metric.countBy === "send_time" ? sentAt : !Number.isNaN(first) ? first : table.windowEnd[slot],
      emittedAt: this.watermarkMs,
      early,
      nonFinite,
      feedback,
    };
    table.emitted[slot] = 1;
    this.tally.emitted++;
    if (early) this.tally.emittedEarly++;
    if (this.tracking) {
      this.staged.push(r);
      this.dirty.add(table.ids[slot]);
    } else this.outbox.push(r);
  }

  // ---------------------------------------------------------------- time

  /** Events older than this cannot change any reward or late tally any more. */
  private horizon(): number {
    return this.watermarkMs - this.graceMs - this.retentionMs - this.windowMs;
  }

  /**
   * A closed window's end while it is remembered (`retention` after it closed), else undefined. Judged at
   * lookup, so the answer never depends on when entries were physically pruned (in memory now and then, in a
   * store at every commit): a restarted joiner classifies an event exactly as an uninterrupted one.
   */
  private remembered(windowEnd: number | undefined): number | undefined {
    return windowEnd !== undefined && windowEnd >= this.watermarkMs - this.graceMs - this.retentionMs
      ? windowEnd
      : undefined;
  }

  /** Moves the joiner's clock to `time` (epoch ms or ISO string) and emits every reward whose window closed. */
  advanceTo(time: number | string | Date): void {
    const now = parseTime(time);
    if (!Number.isFinite(now)) throw new ValidationError("time", "advanceTo needs a valid time");
    if (now <= this.watermarkMs) return;
    this.watermarkMs = now;
    const table = this.table;
    for (let s = table.peekEarliest(); s !== -1; s = table.peekEarliest()) {
      const end = table.windowEnd[s];
      if (end + this.graceMs > now) break;
      if (table.emitted[s] === 0) this.emit(s, false);
      const id = table.ids[s];
      const user = table.users[s];
      this.closedDecisions.set(id, end);
      const prevUserEnd = this.closedUsers.get(user);
      if (prevUserEnd === undefined || prevUserEnd < end) this.closedUsers.set(user, end);
      if (this.tracking) {
        this.deleted.push(id);
        this.dirty.delete(id);
        this.newClosedDecisions.push([id, end]);
        this.newClosedUsers.push([user, this.closedUsers.get(user)!]);
      }
      table.popEarliest();
    }
    // Forget dedup keys and closed windows past the retention horizon, at most a few times per window.
    if (now - this.lastPrune >= Math.max(60_000, this.windowMs / 8)) {
      this.lastPrune = now;
      const horizon = this.horizon();
      for (const [key, t] of this.dedup) if (t < horizon) this.dedup.delete(key);
      const closedCut = now - this.graceMs - this.retentionMs; // as in remembered()
      for (const [id, end] of this.closedDecisions) if (end < closedCut) this.closedDecisions.delete(id);
      for (const [id, end] of this.closedUsers) if (end < closedCut) this.closedUsers.delete(id);
    }
  }

  /** The joiner's clock (epoch ms); MIN_TIME before the first `advanceTo`. */
  get watermark(): number {
    return this.watermarkMs;
  }

  // ---------------------------------------------------------------- output

  /**
   * Commits everything since the last checkpoint to the store in one transaction, with the caller's input
   * position (`cursor`), and makes the rewards emitted since then visible. Without a store, only records
   * the cursor. If it throws, discard this joiner and reopen from the store.
   */
  checkpoint(cursor?: string): void {
    if (cursor !== undefined) this.cursor = cursor;
    if (this.store === undefined) return;
    const table = this.table;
    const upsert: PendingRecord[] = [];
    for (const id of this.dirty) {
      const s = table.byId.get(id);
      if (s !== undefined) upsert.push(this.record(s));
    }
    const delta: JoinerDelta = {
      metric: this.metricIdentity(),
      watermark: this.watermarkMs,
      nextSeq: this.nextSeq,
      cursor: this.cursor,
      tallies: { ...this.tally },
      quarantineNextId: this.q.toJSON().nextId,
      quarantineCounts: this.q.byReason(),
      upsertPending: upsert,
      deletePending: this.deleted,
      addDedup: this.newDedup,
      pruneDedupBefore: this.horizon(),
      addClosedDecisions: this.newClosedDecisions,
      addClosedUsers: this.newClosedUsers,
      pruneClosedBefore: this.watermarkMs - this.graceMs - this.retentionMs,
      addQuarantine: this.q.takeNew(),
      removeQuarantine: this.q.takeRemoved(),
      addLate: this.newLate,
      addOutbox: this.staged,
    };
    this.store.commit(delta);
    this.outbox.push(...this.staged);
    this.staged = [];
    this.dirty = new Set();
    this.deleted = [];
    this.newDedup = [];
    this.newClosedDecisions = [];
    this.newClosedUsers = [];
    this.newLate = [];
  }

  /**
   * The oldest unacknowledged rewards (committed ones, with a store), at most `max`, without removing
   * them: learn from `feedback`, then `ack(through)`. A crash before the ack redelivers the batch.
   */
  takeBatch(max = Number.POSITIVE_INFINITY): RewardBatch {
    const rewards = this.outbox.slice(0, Math.min(max, this.outbox.length));
    return {
      feedback: rewards.map((r) => r.feedback),
      rewards,
      through: rewards.length === 0 ? 0 : rewards[rewards.length - 1].seq,
    };
  }

  /** Acknowledges rewards up to `seq` (inclusive): they leave the outbox, durably with a store. */
  ack(seq: number): void {
    if (seq <= this.ackedThrough) return;
    this.ackedThrough = seq;
    let n = 0;
    while (n < this.outbox.length && this.outbox[n].seq <= seq) n++;
    this.outbox.splice(0, n);
    this.store?.ack(seq);
  }

  /** Takes and acknowledges at once (at-most-once delivery: use takeBatch/ack when a crash may follow). */
  drain(max = Number.POSITIVE_INFINITY): RewardBatch {
    const batch = this.takeBatch(max);
    if (batch.through > 0) this.ack(batch.through);
    return batch;
  }

  /** Quarantined inputs: reason, detail and original payload, with exact counts. */
  get quarantine(): Quarantine {
    return this.q;
  }

  /** Counters of everything seen (a copy). */
  get tallies(): JoinerTallies {
    return { ...this.tally };
  }

  /** Pending decisions (window not yet closed), including those already emitted early. */
  get pendingCount(): number {
    return this.table.size;
  }

  /** The most recent late events (the `late` tally counts all of them). */
  lateEvents(): LateRecord[] {
    return this.lateLog.slice(-this.lateLogLimit);
  }

  /** The input position saved by the last checkpoint (or restored from the store). */
  get savedCursor(): string | null {
    return this.cursor;
  }

  // ---------------------------------------------------------------- state

  private metricIdentity(): JoinerSnapshot["metric"] {
    return {
      name: this.metric.name,
      windowMs: this.windowMs,
      components: this.metric.components.map((c) => c.name),
    };
  }

  private record(s: number): PendingRecord {
    const t = this.table;
    const first = t.firstAt[s];
    return {
      decisionId: t.ids[s],
      userId: t.users[s],
      sentAt: t.sentAt[s],
      windowEnd: t.windowEnd[s],
      action: t.actions[s],
      actionIndex: t.actionIndex[s],
      propensity: t.propensity[s],
      policyId: t.policyIds[s],
      policyVersion: t.policyVersion[s],
      context: t.contexts[s],
      acc: Array.from(t.acc.subarray(s * this.k, (s + 1) * this.k)),
      firstAt: !Number.isNaN(first) ? first : null,
      emitted: t.emitted[s] === 1,
    };
  }

  /** The whole state as JSON-serialisable data (rewards emitted but not yet committed are in the outbox). */
  snapshot(): JoinerSnapshot {
    const pending: PendingRecord[] = [];
    for (const s of this.table.slots()) pending.push(this.record(s));
    return {
      format: "kairos-reward-joiner/v1",
      metric: this.metricIdentity(),
      watermark: this.watermarkMs,
      nextSeq: this.nextSeq,
      ackedThrough: this.ackedThrough,
      cursor: this.cursor,
      tallies: { ...this.tally },
      pending,
      dedup: [...this.dedup],
      closedDecisions: [...this.closedDecisions],
      closedUsers: [...this.closedUsers],
      quarantine: this.q.toJSON(),
      late: this.lateEvents(),
      outbox: [...this.outbox, ...this.staged],
    };
  }

  private load(snap: JoinerSnapshot, quarantineLimit?: number): void {
    const id = this.metricIdentity();
    if (
      snap.metric.name !== id.name ||
      snap.metric.windowMs !== id.windowMs ||
      snap.metric.components.join(",") !== id.components.join(",")
    )
      throw new ValidationError(
        "snapshot.metric",
        `state of metric "${snap.metric.name}" does not fit metric "${id.name}"`,
      );
    this.watermarkMs = snap.watermark;
    this.lastPrune = snap.watermark;
    this.nextSeq = snap.nextSeq;
    this.ackedThrough = snap.ackedThrough;
    this.cursor = snap.cursor;
    this.tally = { ...emptyTallies(), ...snap.tallies };
    for (const p of snap.pending) {
      const info: PendingDecisionInfo = {
        decisionId: p.decisionId,
        userId: p.userId,
        sentAt: p.sentAt,
        action: this.internAction(p.action),
        actionIndex: p.actionIndex,
        propensity: p.propensity,
        policyId: p.policyId,
        policyVersion: p.policyVersion,
        context: p.context,
      };
      const s = this.table.add(info, p.windowEnd);
      this.table.acc.set(p.acc, s * this.k);
      this.table.firstAt[s] = p.firstAt ?? Number.NaN;
      this.table.emitted[s] = p.emitted ? 1 : 0;
    }
    this.dedup = new Map(snap.dedup);
    this.closedDecisions = new Map(snap.closedDecisions);
    this.closedUsers = new Map(snap.closedUsers);
    this.q = Quarantine.fromJSON(snap.quarantine, quarantineLimit);
    this.waitingForDecision = new Map();
    this.waitingForUser = new Map();
    for (const r of this.q.list()) if (r.event) this.wait(r.id, r.event);
    this.lateLog = snap.late.slice();
    this.outbox = snap.outbox.filter((r) => r.seq > snap.ackedThrough);
  }
}

function isMetric(m: unknown): m is Metric {
  return (
    typeof m === "object" && m !== null && "components" in m && "score" in m && typeof m.score === "function"
  );
}

function durationOption(v: number | string | undefined, fallback: number, field: string): number {
  if (v === undefined) return fallback;
  const ms = parseDuration(v);
  if (Number.isNaN(ms)) throw new ValidationError(field, "must be a duration");
  return ms;
}
