// The pulled data_series rows in the use case's own database (kairos.sqlite), one row per campaign or
// Canvas, variation and day. A re-pull replaces the rows it covers (Braze revises the trailing days), with
// the semantics of @kairos/rewards' AggregateLedger: nothing is ever added twice.
import { type AggregateChange, AggregateLedger, type VariationDay } from "@kairos/rewards";
import type Database from "better-sqlite3";

const TABLE = `CREATE TABLE IF NOT EXISTS braze_series (
  source TEXT NOT NULL,
  source_id TEXT NOT NULL,
  level TEXT NOT NULL,
  channel TEXT NOT NULL,
  variation_id TEXT NOT NULL,
  day TEXT NOT NULL,
  variation_name TEXT,
  trials REAL NOT NULL,
  successes REAL NOT NULL,
  revenue REAL NOT NULL,
  stats TEXT NOT NULL,
  pulled_at INTEGER NOT NULL,
  PRIMARY KEY (source, source_id, level, channel, variation_id, day)
) WITHOUT ROWID`;

interface Row {
  source: "campaign" | "canvas";
  source_id: string;
  level: "variation" | "step";
  channel: string;
  variation_id: string;
  day: string;
  variation_name: string | null;
  trials: number;
  successes: number;
  revenue: number;
  stats: string;
}

const toRow = (r: Row): VariationDay => ({
  source: r.source,
  sourceId: r.source_id,
  level: r.level,
  channel: r.channel === "" ? null : r.channel,
  variationId: r.variation_id,
  variationName: r.variation_name,
  day: r.day,
  trials: r.trials,
  successes: r.successes,
  revenue: r.revenue,
  stats: JSON.parse(r.stats),
});

/** The data_series rows kept for a use case. */
export class SeriesStore {
  constructor(private readonly db: Database.Database) {
    db.exec(TABLE);
  }

  /** Rows of every campaign and Canvas from `fromDay` on (YYYY-MM-DD), oldest first. */
  rows(fromDay: string): VariationDay[] {
    return (
      this.db.prepare("SELECT * FROM braze_series WHERE day >= ? ORDER BY day").all(fromDay) as Row[]
    ).map(toRow);
  }

  /**
   * Applies a pull of one campaign or Canvas in one transaction: each row replaces the kept row with the same
   * key. Returns what changed (new rows and revisions), as AggregateLedger.apply does.
   */
  replace(
    source: "campaign" | "canvas",
    sourceId: string,
    rows: readonly VariationDay[],
    pulledAt: number,
  ): AggregateChange[] {
    return this.db.transaction(() => {
      const from = rows.map((r) => r.day).sort()[0] ?? "";
      const kept = (
        this.db
          .prepare("SELECT * FROM braze_series WHERE source = ? AND source_id = ? AND day >= ?")
          .all(source, sourceId, from) as Row[]
      ).map(toRow);
      const changes = AggregateLedger.fromJSON(kept).apply(rows);
      const upsert = this.db.prepare(
        `INSERT OR REPLACE INTO braze_series (source, source_id, level, channel, variation_id, day,
         variation_name, trials, successes, revenue, stats, pulled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const r of rows)
        upsert.run(
          r.source,
          r.sourceId,
          r.level,
          r.channel ?? "",
          r.variationId,
          r.day,
          r.variationName,
          r.trials,
          r.successes,
          r.revenue,
          JSON.stringify(r.stats),
          pulledAt,
        );
      return changes;
    })();
  }
}
