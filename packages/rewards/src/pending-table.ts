// Pending decisions in a compact struct-of-arrays table. A million pending decisions must fit comfortably
// in memory and be found in O(1): numbers live in typed arrays indexed by slot, strings and objects in
// plain arrays, with two Maps (decision id → slot, user id → newest slot) and a per-user linked list
// (newest send first) for attribution by user. A binary heap on window end finds the windows to close.
import type { ActionRecord, Context } from "@kairos/core";
import type { PendingDecisionInfo } from "./decision.js";

/** The compact table of pending decisions; slots are reused after a decision is closed. */
export class PendingTable {
  capacity = 0;
  size = 0;
  ids: string[] = [];
  users: string[] = [];
  contexts: Context[] = [];
  actions: ActionRecord[] = [];
  policyIds: string[] = [];
  sentAt = new Float64Array(0);
  windowEnd = new Float64Array(0);
  /** Time of the first counted event, NaN when none. */
  firstAt = new Float64Array(0);
  propensity = new Float64Array(0);
  policyVersion = new Float64Array(0);
  actionIndex = new Int32Array(0);
  /** 1 once the reward was emitted early (the decision stays until its window closes, for attribution). */
  emitted = new Uint8Array(0);
  /** Next (older) slot of the same user, -1 at the end. */
  next = new Int32Array(0);
  /** Component accumulators, `k` per slot. */
  acc = new Float64Array(0);
  readonly byId = new Map<string, number>();
  readonly byUser = new Map<string, number>();
  private heap = new Int32Array(0);
  private heapSize = 0;
  private free = new Int32Array(0);
  private freeCount = 0;

  constructor(readonly k: number) {}

  private grow(): void {
    const cap = Math.max(1024, this.capacity * 2);
    const f64 = (a: Float64Array, n = 1) => {
      const b = new Float64Array(cap * n);
      b.set(a);
      return b;
    };
    const i32 = (a: Int32Array) => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.sentAt = f64(this.sentAt);
    this.windowEnd = f64(this.windowEnd);
    this.firstAt = f64(this.firstAt);
    this.propensity = f64(this.propensity);
    this.policyVersion = f64(this.policyVersion);
    this.acc = f64(this.acc, this.k);
    this.actionIndex = i32(this.actionIndex);
    this.next = i32(this.next);
    this.heap = i32(this.heap);
    const emitted = new Uint8Array(cap);
    emitted.set(this.emitted);
    this.emitted = emitted;
    // Fresh slots are handed out from the free stack, lowest index first.
    const free = new Int32Array(cap);
    free.set(this.free.subarray(0, this.freeCount));
    for (let s = cap - 1; s >= this.capacity; s--) free[this.freeCount++] = s;
    this.free = free;
    this.capacity = cap;
  }

  /** Adds a decision and returns its slot. The caller has checked the id is new. */
  add(d: PendingDecisionInfo, windowEnd: number): number {
    if (this.freeCount === 0) this.grow();
    const s = this.free[--this.freeCount];
    this.ids[s] = d.decisionId;
    this.users[s] = d.userId;
    this.contexts[s] = d.context;
    this.actions[s] = d.action;
    this.policyIds[s] = d.policyId;
    this.sentAt[s] = d.sentAt;
    this.windowEnd[s] = windowEnd;
    this.firstAt[s] = Number.NaN;
    this.propensity[s] = d.propensity;
    this.policyVersion[s] = d.policyVersion;
    this.actionIndex[s] = d.actionIndex;
    this.emitted[s] = 0;
    this.acc.fill(0, s * this.k, (s + 1) * this.k);
    this.byId.set(d.decisionId, s);
    this.linkUser(s);
    this.heapPush(s);
    this.size++;
    return s;
  }

  /** Inserts a slot in its user's list, keeping newest send first (usually O(1): sends arrive in order). */
  private linkUser(s: number): void {
    const head = this.byUser.get(this.users[s]);
    if (head === undefined || this.sentAt[head] <= this.sentAt[s]) {
      this.next[s] = head ?? -1;
      this.byUser.set(this.users[s], s);
      return;
    }
    let prev = head;
    while (this.next[prev] !== -1 && this.sentAt[this.next[prev]] > this.sentAt[s]) prev = this.next[prev];
    this.next[s] = this.next[prev];
    this.next[prev] = s;
  }

  /** The newest pending decision of a user sent at or before `time`, -1 if none; -2 if the user has none at all. */
  newestBefore(userId: string, time: number): number {
    let s = this.byUser.get(userId);
    if (s === undefined) return -2;
    while (s !== -1) {
      if (this.sentAt[s] <= time) return s;
      s = this.next[s];
    }
    return -1;
  }

  /** Slot of the decision whose window ends first, -1 when empty. */
  peekEarliest(): number {
    return this.heapSize === 0 ? -1 : this.heap[0];
  }

  /** Removes the decision whose window ends first (the heap top) and frees its slot. */
  popEarliest(): void {
    const s = this.heap[0];
    this.heapSize--;
    if (this.heapSize > 0) {
      this.heap[0] = this.heap[this.heapSize];
      this.siftDown(0);
    }
    this.unlink(s);
  }

  private unlink(s: number): void {
    const user = this.users[s];
    const head = this.byUser.get(user)!;
    if (head === s) {
      if (this.next[s] === -1) this.byUser.delete(user);
      else this.byUser.set(user, this.next[s]);
    } else {
      let prev = head;
      while (this.next[prev] !== s) prev = this.next[prev];
      this.next[prev] = this.next[s];
    }
    this.byId.delete(this.ids[s]);
    // Drop references so closed contexts can be collected.
    this.ids[s] = "";
    this.users[s] = "";
    this.contexts[s] = undefined as unknown as Context;
    this.actions[s] = undefined as unknown as ActionRecord;
    this.free[this.freeCount++] = s;
    this.size--;
  }

  private heapPush(s: number): void {
    let i = this.heapSize++;
    const key = this.windowEnd[s];
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = this.heap[parent];
      if (this.windowEnd[p] <= key) break;
      this.heap[i] = p;
      i = parent;
    }
    this.heap[i] = s;
  }

  private siftDown(i: number): void {
    const s = this.heap[i];
    const key = this.windowEnd[s];
    const n = this.heapSize;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && this.windowEnd[this.heap[child + 1]] < this.windowEnd[this.heap[child]]) child++;
      if (this.windowEnd[this.heap[child]] >= key) break;
      this.heap[i] = this.heap[child];
      i = child;
    }
    this.heap[i] = s;
  }

  /** Every live slot (any order). */
  *slots(): Generator<number> {
    for (const s of this.byId.values()) yield s;
  }
}
