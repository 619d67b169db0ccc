import Database from "better-sqlite3";
import { MultiRowInsert } from "./multi-row-insert.js";
import type { Confirmation, LedgerEntry, LedgerStatus, NewLedgerEntry, SendLedger } from "./types.js";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS send_ledger (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  decision_id TEXT NOT NULL UNIQUE,
  external_id TEXT NOT NULL, -- '' for an alias recipient
  recipient_alias TEXT, -- {"alias_name","alias_label"} JSON for an alias recipient
  target_key TEXT NOT NULL,
  plan TEXT NOT NULL,
  decision TEXT NOT NULL,
  due_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'in_flight', 'sent', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  attempt_id TEXT,
  attempt_at INTEGER,
  outcome_unknown INTEGER NOT NULL DEFAULT 0,
  dispatch_id TEXT,
  sent_at INTEGER,
  confirmed_by TEXT,
  error TEXT,
  notice TEXT,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS send_ledger_due ON send_ledger (status, due_at);
CREATE INDEX IF NOT EXISTS send_ledger_dispatch ON send_ledger (dispatch_id);
`;

/** `f` is another row for the same recipient and target as `s`. */
const SAME_PAIR = `f.external_id = s.external_id AND f.recipient_alias IS s.recipient_alias
  AND f.target_key = s.target_key AND f.decision_id <> s.decision_id`;

/**
 * Rows per status, kept by triggers on every write, so `counts()` (the Activator asks after every tick) reads
 * four rows instead of scanning the ledger: the scan made a day's sending quadratic in its size. A ledger
 * made before the table gets it filled once, from a scan, when first opened.
 */
const COUNTS = `
CREATE TABLE send_ledger_counts (status TEXT PRIMARY KEY, n INTEGER NOT NULL);
INSERT INTO send_ledger_counts (status, n) SELECT status, COUNT(*) FROM send_ledger GROUP BY status;
CREATE TRIGGER send_ledger_counted_insert AFTER INSERT ON send_ledger BEGIN
  INSERT INTO send_ledger_counts (status, n) VALUES (NEW.status, 1)
    ON CONFLICT (status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER send_ledger_counted_update AFTER UPDATE OF status ON send_ledger
  WHEN OLD.status <> NEW.status BEGIN
  UPDATE send_ledger_counts SET n = n - 1 WHERE status = OLD.status;
  INSERT INTO send_ledger_counts (status, n) VALUES (NEW.status, 1)
    ON CONFLICT (status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER send_ledger_counted_delete AFTER DELETE ON send_ledger BEGIN
  UPDATE send_ledger_counts SET n = n - 1 WHERE status = OLD.status;
END;
`;

/** Created after the column check: ledgers made before alias recipients lack `recipient_alias`. */
const RECIPIENT_INDEX =
  "CREATE INDEX IF NOT EXISTS send_ledger_recipient ON send_ledger (external_id, recipient_alias, target_key, status);";

interface Row {
  decision_id: string;
  external_id: string;
  recipient_alias: string | null;
  target_key: string;
  plan: string;
  decision: string;
  due_at: number;
  created_at: number;
  status: LedgerStatus;
  attempts: number;
  attempt_id: string | null;
  attempt_at: number | null;
  outcome_unknown: number;
  dispatch_id: string | null;
  sent_at: number | null;
  confirmed_by: Confirmation | null;
  error: string | null;
  notice: string | null;
  updated_at: number;
}

function toEntry(r: Row): LedgerEntry {
  return {
    decisionId: r.decision_id,
    ...(r.recipient_alias === null
      ? { externalId: r.external_id }
      : { alias: JSON.parse(r.recipient_alias) }),
    targetKey: r.target_key,
    plan: JSON.parse(r.plan),
    decision: JSON.parse(r.decision),
    dueAt: r.due_at,
    createdAt: r.created_at,
    status: r.status,
    attempts: r.attempts,
    attemptId: r.attempt_id ?? undefined,
    attemptAt: r.attempt_at ?? undefined,
    outcomeUnknown: r.outcome_unknown === 1,
    dispatchId: r.dispatch_id ?? undefined,
    sentAt: r.sent_at ?? undefined,
    confirmedBy: r.confirmed_by ?? undefined,
    error: r.error ?? undefined,
    notice: r.notice ?? undefined,
    updatedAt: r.updated_at,
  };
}

/**
 * The default ledger: one SQLite file (WAL, synchronous=FULL so a committed transition survives a power cut).
 * Every method is one transaction. One Activator at a time per file.
 */
export class SqliteSendLedger implements SendLedger {
  private readonly db: Database.Database;
  private readonly insert: MultiRowInsert;

  /** Opens (or creates) the ledger at `path` (":memory:" for a throwaway one). */
  constructor(readonly path: string) {
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = FULL");
    this.db.pragma("busy_timeout = 5000");
    this.db.exec(SCHEMA);
    const columns = this.db.prepare("PRAGMA table_info(send_ledger)").all() as { name: string }[];
    if (!columns.some((c) => c.name === "recipient_alias"))
      this.db.exec("ALTER TABLE send_ledger ADD COLUMN recipient_alias TEXT");
    this.db.exec(RECIPIENT_INDEX);
    const counted = this.db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'send_ledger_counts'")
      .get();
    if (!counted) this.db.transaction(() => this.db.exec(COUNTS))();
    this.insert = new MultiRowInsert(
      this.db,
      `INSERT OR IGNORE INTO send_ledger (decision_id, external_id, recipient_alias, target_key, plan, decision,
       due_at, created_at, status, updated_at)`,
      "(?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?)",
      "RETURNING decision_id",
    );
  }

  async enqueue(entries: readonly NewLedgerEntry[]): Promise<{ inserted: string[]; duplicates: string[] }> {
    const rows = entries.map((e) => [
      e.decisionId,
      e.externalId ?? "",
      e.alias ? JSON.stringify({ alias_name: e.alias.alias_name, alias_label: e.alias.alias_label }) : null,
      e.targetKey,
      JSON.stringify(e.plan),
      JSON.stringify(e.decision),
      e.dueAt,
      e.createdAt,
      e.createdAt,
    ]);
    const added = this.db.transaction(() => this.insert.returning(rows))();
    // The ids the INSERT returned (in no set order); an id listed twice in `entries` is inserted once.
    const fresh = new Set(added as string[]);
    const inserted: string[] = [];
    const duplicates: string[] = [];
    for (const e of entries) (fresh.delete(e.decisionId) ? inserted : duplicates).push(e.decisionId);
    return { inserted, duplicates };
  }

  async due(now: number, limit: number, pairGapMs: number): Promise<LedgerEntry[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM send_ledger s WHERE s.status = 'queued' AND s.due_at <= :now
         AND NOT EXISTS (SELECT 1 FROM send_ledger f WHERE ${SAME_PAIR}
                         AND (f.status = 'in_flight' OR f.attempt_at >= :now - :gap))
         ORDER BY s.due_at, s.seq LIMIT :limit`,
      )
      .all({ now, limit, gap: pairGapMs }) as Row[];
    return rows.map(toEntry);
  }

  async inFlight(): Promise<LedgerEntry[]> {
    return (
      this.db.prepare("SELECT * FROM send_ledger WHERE status = 'in_flight' ORDER BY seq").all() as Row[]
    ).map(toEntry);
  }

  private update(ids: readonly string[], sql: string, params: unknown[]): void {
    const stmt = this.db.prepare(`UPDATE send_ledger SET ${sql} WHERE decision_id = ?`);
    this.db.transaction(() => {
      for (const id of ids) stmt.run(...params, id);
    })();
  }

  async markInFlight(ids: readonly string[], attemptId: string, attemptAt: number): Promise<void> {
    this.update(
      ids,
      "status = 'in_flight', attempts = attempts + 1, attempt_id = ?, attempt_at = ?, outcome_unknown = 0, updated_at = ?",
      [attemptId, attemptAt, attemptAt],
    );
  }

  async markSent(
    ids: readonly string[],
    info: { dispatchId?: string; at: number; confirmedBy: Confirmation },
  ): Promise<void> {
    this.update(
      ids,
      "status = 'sent', dispatch_id = ?, sent_at = ?, confirmed_by = ?, outcome_unknown = 0, error = NULL, updated_at = ?",
      [info.dispatchId ?? null, info.at, info.confirmedBy, info.at],
    );
  }

  async markQueued(
    ids: readonly string[],
    error: string,
    retryAt: number,
    countAttempt: boolean,
  ): Promise<void> {
    // The attempt counter was raised when the row went in flight; give it back when the failure was not its fault.
    this.update(
      ids,
      `status = 'queued', outcome_unknown = 0, error = ?, due_at = MAX(due_at, ?), updated_at = ?${countAttempt ? "" : ", attempts = attempts - 1"}`,
      [error, retryAt, retryAt],
    );
  }

  async markUnknown(ids: readonly string[], error: string, at: number): Promise<void> {
    this.update(ids, "outcome_unknown = 1, error = ?, updated_at = ?", [error, at]);
  }

  async markFailed(ids: readonly string[], error: string, at: number, notice?: string): Promise<void> {
    this.update(ids, "status = 'failed', outcome_unknown = 0, error = ?, notice = ?, updated_at = ?", [
      error,
      notice ?? null,
      at,
    ]);
  }

  async get(decisionId: string): Promise<LedgerEntry | undefined> {
    const r = this.db.prepare("SELECT * FROM send_ledger WHERE decision_id = ?").get(decisionId) as
      | Row
      | undefined;
    return r ? toEntry(r) : undefined;
  }

  async list(status?: LedgerStatus): Promise<LedgerEntry[]> {
    const rows = status
      ? this.db.prepare("SELECT * FROM send_ledger WHERE status = ? ORDER BY seq").all(status)
      : this.db.prepare("SELECT * FROM send_ledger ORDER BY seq").all();
    return (rows as Row[]).map(toEntry);
  }

  async byDispatch(dispatchId: string): Promise<LedgerEntry[]> {
    return (
      this.db.prepare("SELECT * FROM send_ledger WHERE dispatch_id = ? ORDER BY seq").all(dispatchId) as Row[]
    ).map(toEntry);
  }

  async counts(): Promise<Record<LedgerStatus, number>> {
    const out: Record<LedgerStatus, number> = { queued: 0, in_flight: 0, sent: 0, failed: 0 };
    const rows = this.db.prepare("SELECT status, n FROM send_ledger_counts").all() as {
      status: LedgerStatus;
      n: number;
    }[];
    for (const r of rows) out[r.status] = r.n;
    return out;
  }

  async nextDueAt(pairGapMs: number): Promise<number | undefined> {
    // Just past the pair's latest other attempt plus the gap (`due` holds a row back until then), else the due time.
    const r = this.db
      .prepare(
        `SELECT MIN(MAX(s.due_at, COALESCE((SELECT MAX(f.attempt_at) FROM send_ledger f WHERE ${SAME_PAIR})
                                             + :gap + 1, s.due_at))) AS t
         FROM send_ledger s WHERE s.status = 'queued'`,
      )
      .get({ gap: pairGapMs }) as { t: number | null };
    return r.t ?? undefined;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
