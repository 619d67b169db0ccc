// The send ledger on Redis, for the distributed mode: the same contract as braze-adapter's SqliteSendLedger
// (one row per decision id, queued → in_flight → sent | failed), so a decide-and-activate job retried on
// another worker after a kill resumes its shard's sends with nothing sent twice. Each method is one MULTI
// (all its rows change, or none, also in the append-only file); durability is Redis' (appendfsync always:
// every write on disk before it is acknowledged; everysec: up to a second of transitions can be lost with the
// machine, see the README). One ledger per shard, written by one job at a time.
//
// Keys under the prefix: `:e` hash id → row JSON; `:q` sorted set of queued ids by due time; `:f` set of ids in
// flight; `:p` hash (recipient, target) → the rows that can hold that pair back ([id, status, attemptAt][]:
// the unsettled ones and the latest settled attempt); `:d` hash dispatch id → ids; `:n` hash status → rows;
// `:seq` the insertion counter.
import type {
  Confirmation,
  LedgerEntry,
  LedgerStatus,
  NewLedgerEntry,
  SendLedger,
} from "@kairos/braze-adapter";
import type { Redis } from "ioredis";

type Row = LedgerEntry & { seq: number };
type PairMember = [id: string, status: LedgerStatus, attemptAt: number | null];
type Multi = ReturnType<Redis["multi"]>;

/** Rows read per round trip when scanning the queue. */
const SCAN = 500;

function pairKeyOf(e: NewLedgerEntry): string {
  const who = e.alias ? `alias:${e.alias.alias_name}\u0000${e.alias.alias_label}` : `id:${e.externalId}`;
  return `${who}\u0000${e.targetKey}`;
}

function settled(status: LedgerStatus): boolean {
  return status === "sent" || status === "failed";
}

/** The pair's members after `row` changed: unsettled rows, and the latest settled attempt. */
function prunePair(members: PairMember[], row: Row): PairMember[] {
  const next = members.filter(([id]) => id !== row.decisionId);
  next.push([row.decisionId, row.status, row.attemptAt ?? null]);
  let latest: PairMember | undefined;
  for (const m of next) if (settled(m[1]) && m[2] !== null && (!latest || m[2] > latest[2]!)) latest = m;
  return next.filter((m) => !settled(m[1]) || m === latest);
}

/** A SendLedger on Redis under `prefix` (one per shard); see the file comment. */
export class RedisSendLedger implements SendLedger {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(part: string): string {
    return `${this.prefix}:${part}`;
  }

  async enqueue(entries: readonly NewLedgerEntry[]): Promise<{ inserted: string[]; duplicates: string[] }> {
    if (entries.length === 0) return { inserted: [], duplicates: [] };
    const ids = entries.map((e) => e.decisionId);
    const existing = await this.redis.hmget(this.key("e"), ...ids);
    const inserted: string[] = [];
    const duplicates: string[] = [];
    const fresh: NewLedgerEntry[] = [];
    const seen = new Set<string>();
    entries.forEach((e, i) => {
      if (existing[i] !== null || seen.has(e.decisionId)) duplicates.push(e.decisionId);
      else {
        seen.add(e.decisionId);
        fresh.push(e);
        inserted.push(e.decisionId);
      }
    });
    if (fresh.length === 0) return { inserted, duplicates };
    const first = (await this.redis.incrby(this.key("seq"), fresh.length)) - fresh.length + 1;
    const rows: Row[] = fresh.map((e, i) => ({
      ...e,
      status: "queued",
      attempts: 0,
      outcomeUnknown: false,
      updatedAt: e.createdAt,
      seq: first + i,
    }));
    const pairs = await this.readPairs(rows);
    const multi = this.redis.multi();
    // HSETNX keeps a row another writer inserted meanwhile (the contract: a present id is left untouched).
    for (const r of rows) multi.hsetnx(this.key("e"), r.decisionId, JSON.stringify(r));
    multi.zadd(this.key("q"), ...rows.flatMap((r) => [r.dueAt, r.decisionId]));
    multi.hincrby(this.key("n"), "queued", rows.length);
    this.writePairs(multi, rows, pairs);
    await multi.exec();
    return { inserted, duplicates };
  }

  async due(now: number, limit: number, pairGapMs: number): Promise<LedgerEntry[]> {
    const out: LedgerEntry[] = [];
    for (let offset = 0; out.length < limit; offset += SCAN) {
      const ids = await this.redis.zrangebyscore(this.key("q"), "-inf", now, "LIMIT", offset, SCAN);
      if (ids.length === 0) break;
      const rows = await this.rows(ids);
      const pairs = await this.readPairs(rows);
      for (const r of rows) {
        const held = (pairs.get(pairKeyOf(r)) ?? []).some(
          ([id, status, at]) =>
            id !== r.decisionId && (status === "in_flight" || (at !== null && at >= now - pairGapMs)),
        );
        if (!held) out.push(r);
        if (out.length === limit) break;
      }
      if (ids.length < SCAN) break;
    }
    return out;
  }

  async inFlight(): Promise<LedgerEntry[]> {
    const ids = await this.redis.smembers(this.key("f"));
    return (await this.rows(ids)).sort((a, b) => a.seq - b.seq);
  }

  markInFlight(ids: readonly string[], attemptId: string, attemptAt: number): Promise<void> {
    return this.transition(ids, (r) => {
      r.status = "in_flight";
      r.attempts++;
      r.attemptId = attemptId;
      r.attemptAt = attemptAt;
      r.outcomeUnknown = false;
      r.updatedAt = attemptAt;
    });
  }

  markSent(
    ids: readonly string[],
    info: { dispatchId?: string; at: number; confirmedBy: Confirmation },
  ): Promise<void> {
    return this.transition(
      ids,
      (r) => {
        r.status = "sent";
        r.dispatchId = info.dispatchId;
        r.sentAt = info.at;
        r.confirmedBy = info.confirmedBy;
        r.outcomeUnknown = false;
        r.error = undefined;
        r.updatedAt = info.at;
      },
      (multi) => {
        if (info.dispatchId) multi.hset(this.key("d"), info.dispatchId, JSON.stringify(ids));
      },
    );
  }

  markQueued(ids: readonly string[], error: string, retryAt: number, countAttempt: boolean): Promise<void> {
    return this.transition(ids, (r) => {
      r.status = "queued";
      r.outcomeUnknown = false;
      r.error = error;
      r.dueAt = Math.max(r.dueAt, retryAt);
      r.updatedAt = retryAt;
      // The attempt counter was raised when the row went in flight; given back when it was not its fault.
      if (!countAttempt) r.attempts--;
    });
  }

  markUnknown(ids: readonly string[], error: string, at: number): Promise<void> {
    return this.transition(ids, (r) => {
      r.outcomeUnknown = true;
      r.error = error;
      r.updatedAt = at;
    });
  }

  markFailed(ids: readonly string[], error: string, at: number, notice?: string): Promise<void> {
    return this.transition(ids, (r) => {
      r.status = "failed";
      r.outcomeUnknown = false;
      r.error = error;
      r.notice = notice;
      r.updatedAt = at;
    });
  }

  async get(decisionId: string): Promise<LedgerEntry | undefined> {
    const raw = await this.redis.hget(this.key("e"), decisionId);
    return raw === null ? undefined : (JSON.parse(raw) as Row);
  }

  async list(status?: LedgerStatus): Promise<LedgerEntry[]> {
    const rows = (await this.redis.hvals(this.key("e"))).map((raw) => JSON.parse(raw) as Row);
    return rows.filter((r) => status === undefined || r.status === status).sort((a, b) => a.seq - b.seq);
  }

  async byDispatch(dispatchId: string): Promise<LedgerEntry[]> {
    const raw = await this.redis.hget(this.key("d"), dispatchId);
    return raw === null ? [] : (await this.rows(JSON.parse(raw) as string[])).sort((a, b) => a.seq - b.seq);
  }

  async counts(): Promise<Record<LedgerStatus, number>> {
    const n = await this.redis.hgetall(this.key("n"));
    return {
      queued: Number(n.queued ?? 0),
      in_flight: Number(n.in_flight ?? 0),
      sent: Number(n.sent ?? 0),
      failed: Number(n.failed ?? 0),
    };
  }

  async nextDueAt(pairGapMs: number): Promise<number | undefined> {
    // A row goes at its due time, or just past its pair's latest other attempt plus the gap; the queue is in
    // due-time order, so the scan stops once due times pass the earliest time found.
    let best: number | undefined;
    for (let offset = 0; ; offset += SCAN) {
      const scored = (await this.redis.zrange(
        this.key("q"),
        offset,
        String(offset + SCAN - 1),
        "WITHSCORES",
      )) as string[];
      if (scored.length === 0) return best;
      const ids: string[] = [];
      for (let i = 0; i < scored.length; i += 2) {
        if (best !== undefined && Number(scored[i + 1]) >= best) break;
        ids.push(scored[i]!);
      }
      if (ids.length === 0) return best;
      const rows = await this.rows(ids);
      const pairs = await this.readPairs(rows);
      for (const r of rows) {
        let t = r.dueAt;
        for (const [id, , at] of pairs.get(pairKeyOf(r)) ?? [])
          if (id !== r.decisionId && at !== null) t = Math.max(t, at + pairGapMs + 1);
        if (best === undefined || t < best) best = t;
      }
      if (scored.length < SCAN * 2) return best;
    }
  }

  /** Nothing to release: the Redis connection is the caller's. */
  async close(): Promise<void> {}

  /**
   * Deletes the settled rows last changed before `before` (and their dispatch and pair entries); returns how
   * many. Safe once no job can enqueue those decisions again and `before` is more than the pair gap ago (see
   * the README, "Scale out"); run it with no Activator on this ledger.
   */
  async prune(before: number): Promise<number> {
    let pruned = 0;
    let cursor = "0";
    do {
      const [next, flat] = await this.redis.hscan(this.key("e"), cursor, "COUNT", SCAN);
      cursor = next;
      const rows: Row[] = [];
      for (let i = 1; i < flat.length; i += 2) {
        const r = JSON.parse(flat[i]!) as Row;
        if (settled(r.status) && r.updatedAt < before) rows.push(r);
      }
      if (rows.length === 0) continue;
      const gone = new Set(rows.map((r) => r.decisionId));
      const pairs = await this.readPairs(rows);
      const multi = this.redis.multi();
      multi.hdel(this.key("e"), ...gone);
      const delta: Partial<Record<LedgerStatus, number>> = {};
      for (const r of rows) {
        delta[r.status] = (delta[r.status] ?? 0) - 1;
        if (r.dispatchId) multi.hdel(this.key("d"), r.dispatchId);
      }
      for (const [status, n] of Object.entries(delta)) multi.hincrby(this.key("n"), status, n);
      for (const [k, members] of pairs) {
        const left = members.filter(([id]) => !gone.has(id));
        if (left.length === 0) multi.hdel(this.key("p"), k);
        else if (left.length < members.length) multi.hset(this.key("p"), k, JSON.stringify(left));
      }
      await multi.exec();
      pruned += rows.length;
    } while (cursor !== "0");
    return pruned;
  }

  /** Deletes every key of this ledger (tests and benchmarks). */
  async drop(): Promise<void> {
    await this.redis.del(...["e", "q", "f", "p", "d", "n", "seq"].map((p) => this.key(p)));
  }

  private async rows(ids: readonly string[]): Promise<Row[]> {
    if (ids.length === 0) return [];
    const raw = await this.redis.hmget(this.key("e"), ...ids);
    const out: Row[] = [];
    for (const r of raw) if (r !== null) out.push(JSON.parse(r) as Row);
    return out;
  }

  private async readPairs(rows: readonly NewLedgerEntry[]): Promise<Map<string, PairMember[]>> {
    const keys = [...new Set(rows.map(pairKeyOf))];
    const out = new Map<string, PairMember[]>();
    if (keys.length === 0) return out;
    const raw = await this.redis.hmget(this.key("p"), ...keys);
    for (let i = 0; i < keys.length; i++) {
      const r = raw[i];
      out.set(keys[i]!, r ? (JSON.parse(r) as PairMember[]) : []);
    }
    return out;
  }

  private writePairs(multi: Multi, rows: readonly Row[], pairs: Map<string, PairMember[]>): void {
    for (const r of rows) {
      const k = pairKeyOf(r);
      pairs.set(k, prunePair(pairs.get(k) ?? [], r));
    }
    for (const [k, members] of pairs) multi.hset(this.key("p"), k, JSON.stringify(members));
  }

  /** Reads the rows, changes each with `change`, and writes them and their indexes in one MULTI. */
  private async transition(
    ids: readonly string[],
    change: (row: Row) => void,
    extra?: (multi: Multi) => void,
  ): Promise<void> {
    const rows = await this.rows(ids);
    if (rows.length === 0) return;
    const before = rows.map((r) => r.status);
    for (const r of rows) change(r);
    const pairs = await this.readPairs(rows);
    const multi = this.redis.multi();
    const delta: Partial<Record<LedgerStatus, number>> = {};
    rows.forEach((r, i) => {
      multi.hset(this.key("e"), r.decisionId, JSON.stringify(r));
      if (before[i] === "queued") multi.zrem(this.key("q"), r.decisionId);
      if (before[i] === "in_flight") multi.srem(this.key("f"), r.decisionId);
      if (r.status === "queued") multi.zadd(this.key("q"), r.dueAt, r.decisionId);
      if (r.status === "in_flight") multi.sadd(this.key("f"), r.decisionId);
      delta[before[i]!] = (delta[before[i]!] ?? 0) - 1;
      delta[r.status] = (delta[r.status] ?? 0) + 1;
    });
    for (const [status, n] of Object.entries(delta)) if (n !== 0) multi.hincrby(this.key("n"), status, n);
    this.writePairs(multi, rows, pairs);
    extra?.(multi);
    await multi.exec();
  }
}
