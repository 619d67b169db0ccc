// Model snapshots with their history: every learning step and every rollback appends a row, so any earlier
// model can be returned to. `learned_through` is the last reward (joiner sequence) inside the model, which
// makes learning exactly-once across a crash between saving the model and acknowledging the rewards.
import type Database from "better-sqlite3";

/** One saved model. */
export interface SnapshotRecord {
  id: number;
  createdAt: number;
  day: string | null;
  /** "initial", "learned", or "rollback to #n". */
  reason: string;
  policyVersion: number;
  learnedThrough: number;
  /** Rewards learned in this step. */
  learned: number;
  json: string;
}

interface Row {
  id: number;
  created_at: number;
  day: string | null;
  reason: string;
  policy_version: number;
  learned_through: number;
  learned: number;
  json: string;
}

const fromRow = (r: Row): SnapshotRecord => ({
  id: r.id,
  createdAt: r.created_at,
  day: r.day,
  reason: r.reason,
  policyVersion: r.policy_version,
  learnedThrough: r.learned_through,
  learned: r.learned,
  json: r.json,
});

/** A reward as the report keeps it. */
export interface RewardRecord {
  decisionId: string;
  seq: number;
  reward: number;
  countedAt: number;
}

/** The snapshot history and the rewards learned with each snapshot. */
export class SnapshotHistory {
  constructor(private readonly db: Database.Database) {}

  /** The current model (the last row). */
  latest(): SnapshotRecord | undefined {
    const r = this.db.prepare("SELECT * FROM snapshots ORDER BY id DESC LIMIT 1").get() as Row | undefined;
    return r && fromRow(r);
  }

  /** One snapshot by id. */
  get(id: number): SnapshotRecord | undefined {
    const r = this.db.prepare("SELECT * FROM snapshots WHERE id = ?").get(id) as Row | undefined;
    return r && fromRow(r);
  }

  /** The most recent snapshots, newest first (without their JSON). */
  list(limit = 20): Omit<SnapshotRecord, "json">[] {
    const rows = this.db
      .prepare(
        "SELECT id, created_at, day, reason, policy_version, learned_through, learned, '' AS json FROM snapshots ORDER BY id DESC LIMIT ?",
      )
      .all(limit) as Row[];
    return rows.map(fromRow);
  }

  /** Appends a snapshot and the rewards it learned, atomically. */
  append(s: Omit<SnapshotRecord, "id">, rewards: readonly RewardRecord[] = []): number {
    const addReward = this.db.prepare(
      "INSERT OR IGNORE INTO rewards (decision_id, seq, reward, counted_at) VALUES (?, ?, ?, ?)",
    );
    return this.db.transaction(() => {
      for (const r of rewards) addReward.run(r.decisionId, r.seq, r.reward, r.countedAt);
      const info = this.db
        .prepare(
          "INSERT INTO snapshots (created_at, day, reason, policy_version, learned_through, learned, json) VALUES (?,?,?,?,?,?,?)",
        )
        .run(s.createdAt, s.day, s.reason, s.policyVersion, s.learnedThrough, s.learned, s.json);
      return Number(info.lastInsertRowid);
    })();
  }
}
