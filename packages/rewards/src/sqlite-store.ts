// The joiner's state in an embedded SQLite database (better-sqlite3). Every commit is one transaction, so
// the outbox rows of newly emitted rewards, the removal of their pending decisions, the new dedup keys and
// the caller's input cursor are saved together or not at all.
import Database from "better-sqlite3";
import type { QuarantineRecord } from "./quarantine.js";
import {
  emptySnapshot,
  type JoinerDelta,
  type JoinerSnapshot,
  type JoinerStore,
  type PendingRecord,
} from "./store.js";

/** Options of a SQLite store. */
export interface SqliteStoreOptions {
  /** Called inside each commit transaction after the rows are written; throwing aborts it (crash tests). */
  duringCommit?: () => void;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pending (decision_id TEXT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS dedup (key TEXT PRIMARY KEY, time REAL NOT NULL);
CREATE INDEX IF NOT EXISTS dedup_time ON dedup (time);
CREATE TABLE IF NOT EXISTS closed_decision (decision_id TEXT PRIMARY KEY, window_end REAL NOT NULL);
CREATE TABLE IF NOT EXISTS closed_user (user_id TEXT PRIMARY KEY, window_end REAL NOT NULL);
CREATE TABLE IF NOT EXISTS quarantine (id INTEGER PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS late (id INTEGER PRIMARY KEY AUTOINCREMENT, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY, decision_id TEXT NOT NULL UNIQUE, reward TEXT NOT NULL);
`;

/** A JoinerStore in a SQLite file (or ":memory:"). */
export class SqliteStore implements JoinerStore {
  readonly db: Database.Database;
  private readonly apply: (delta: JoinerDelta) => void;
  private readonly doAck: (seq: number) => void;

  constructor(path: string, options: SqliteStoreOptions = {}) {
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    // FULL: a committed transaction survives a power cut, not only a process crash.
    this.db.pragma("synchronous = FULL");
    this.db.exec(SCHEMA);
    const db = this.db;
    const setMeta = db.prepare(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    );
    const upsertPending = db.prepare(
      "INSERT INTO pending (decision_id, record) VALUES (?, ?) ON CONFLICT(decision_id) DO UPDATE SET record = excluded.record",
    );
    const deletePending = db.prepare("DELETE FROM pending WHERE decision_id = ?");
    const addDedup = db.prepare("INSERT OR IGNORE INTO dedup (key, time) VALUES (?, ?)");
    const pruneDedup = db.prepare("DELETE FROM dedup WHERE time < ?");
    const addClosedD = db.prepare(
      "INSERT OR REPLACE INTO closed_decision (decision_id, window_end) VALUES (?, ?)",
    );
    const addClosedU = db.prepare("INSERT OR REPLACE INTO closed_user (user_id, window_end) VALUES (?, ?)");
    const pruneClosedD = db.prepare("DELETE FROM closed_decision WHERE window_end < ?");
    const pruneClosedU = db.prepare("DELETE FROM closed_user WHERE window_end < ?");
    const addQuarantine = db.prepare("INSERT OR IGNORE INTO quarantine (id, record) VALUES (?, ?)");
    const removeQuarantine = db.prepare("DELETE FROM quarantine WHERE id = ?");
    const addLate = db.prepare("INSERT INTO late (record) VALUES (?)");
    // A decision has one outbox row at most: even a buggy double emission could not be stored twice.
    const addOutbox = db.prepare("INSERT OR IGNORE INTO outbox (seq, decision_id, reward) VALUES (?, ?, ?)");
    const ackOutbox = db.prepare("DELETE FROM outbox WHERE seq <= ?");
    this.apply = db.transaction((delta: JoinerDelta) => {
      setMeta.run("metric", JSON.stringify(delta.metric));
      setMeta.run("watermark", JSON.stringify(delta.watermark));
      setMeta.run("nextSeq", JSON.stringify(delta.nextSeq));
      setMeta.run("cursor", JSON.stringify(delta.cursor));
      setMeta.run("tallies", JSON.stringify(delta.tallies));
      setMeta.run(
        "quarantine",
        JSON.stringify({ nextId: delta.quarantineNextId, counts: delta.quarantineCounts }),
      );
      for (const id of delta.deletePending) deletePending.run(id);
      for (const p of delta.upsertPending) upsertPending.run(p.decisionId, JSON.stringify(p));
      for (const [key, time] of delta.addDedup) addDedup.run(key, time);
      pruneDedup.run(delta.pruneDedupBefore);
      for (const [id, end] of delta.addClosedDecisions) addClosedD.run(id, end);
      for (const [id, end] of delta.addClosedUsers) addClosedU.run(id, end);
      pruneClosedD.run(delta.pruneClosedBefore);
      pruneClosedU.run(delta.pruneClosedBefore);
      for (const q of delta.addQuarantine) addQuarantine.run(q.id, JSON.stringify(q));
      for (const id of delta.removeQuarantine) removeQuarantine.run(id);
      for (const l of delta.addLate) addLate.run(JSON.stringify(l));
      for (const r of delta.addOutbox) addOutbox.run(r.seq, r.decisionId, JSON.stringify(r));
      options.duringCommit?.();
    });
    this.doAck = db.transaction((seq: number) => {
      const prev = db.prepare("SELECT value FROM meta WHERE key = 'ackedThrough'").get() as
        | { value: string }
        | undefined;
      const acked = Math.max(seq, prev ? Number(JSON.parse(prev.value)) : 0);
      setMeta.run("ackedThrough", JSON.stringify(acked));
      ackOutbox.run(acked);
    });
  }

  /** Loads the committed state, or undefined for an empty database. */
  load(): JoinerSnapshot | undefined {
    const meta = new Map(
      (this.db.prepare("SELECT key, value FROM meta").all() as { key: string; value: string }[]).map((r) => [
        r.key,
        JSON.parse(r.value) as unknown,
      ]),
    );
    if (!meta.has("metric")) return undefined;
    const snap = emptySnapshot(meta.get("metric") as JoinerSnapshot["metric"]);
    snap.watermark = meta.get("watermark") as number;
    snap.nextSeq = meta.get("nextSeq") as number;
    snap.cursor = (meta.get("cursor") as string | null) ?? null;
    snap.ackedThrough = (meta.get("ackedThrough") as number | undefined) ?? 0;
    snap.tallies = meta.get("tallies") as JoinerSnapshot["tallies"];
    const q = meta.get("quarantine") as { nextId: number; counts: JoinerSnapshot["quarantine"]["counts"] };
    const rows = <T>(sql: string) => this.db.prepare(sql).all() as T[];
    snap.pending = rows<{ record: string }>("SELECT record FROM pending").map(
      (r) => JSON.parse(r.record) as PendingRecord,
    );
    snap.dedup = rows<{ key: string; time: number }>("SELECT key, time FROM dedup").map((r) => [
      r.key,
      r.time,
    ]);
    snap.closedDecisions = rows<{ decision_id: string; window_end: number }>(
      "SELECT decision_id, window_end FROM closed_decision",
    ).map((r) => [r.decision_id, r.window_end]);
    snap.closedUsers = rows<{ user_id: string; window_end: number }>(
      "SELECT user_id, window_end FROM closed_user",
    ).map((r) => [r.user_id, r.window_end]);
    snap.quarantine = {
      nextId: q.nextId,
      counts: q.counts,
      records: rows<{ record: string }>("SELECT record FROM quarantine ORDER BY id").map(
        (r) => JSON.parse(r.record) as QuarantineRecord,
      ),
    };
    snap.late = rows<{ record: string }>("SELECT record FROM late ORDER BY id DESC LIMIT 10000")
      .map((r) => JSON.parse(r.record) as JoinerSnapshot["late"][number])
      .reverse();
    snap.outbox = rows<{ reward: string }>("SELECT reward FROM outbox ORDER BY seq").map(
      (r) => JSON.parse(r.reward) as JoinerSnapshot["outbox"][number],
    );
    return snap;
  }

  /** Applies a delta in one transaction. */
  commit(delta: JoinerDelta): void {
    this.apply(delta);
  }

  /** Durably acknowledges rewards up to `seq`. */
  ack(seq: number): void {
    this.doAck(seq);
  }

  /** Closes the database. */
  close(): void {
    this.db.close();
  }
}
