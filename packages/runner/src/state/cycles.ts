// The daily cycles: how far each day got (so a rerun resumes where a crash stopped) and what it did.
import type Database from "better-sqlite3";

/** Steps of a day, in order; a day's `step` is the last one completed. */
export const STEPS = ["started", "audience", "learned", "decided", "activated", "done"] as const;
export type Step = (typeof STEPS)[number];

/** What a day did (filled in as its steps complete). */
export interface CycleSummary {
  audience?: number;
  /** Events read from outcome files this day, and how the joiner counted them. */
  events?: number;
  quarantined?: number;
  learned?: number;
  policyVersion?: number;
  decided?: Record<string, number>;
  skipped?: Record<string, number>;
  /** Sends queued in the ledger (with the decisions). */
  queued?: number;
  sent?: number;
  failed?: number;
}

/** One day. */
export interface Cycle {
  day: string;
  step: Step;
  startedAt: number;
  finishedAt: number | null;
  summary: CycleSummary;
}

interface Row {
  day: string;
  step: Step;
  started_at: number;
  finished_at: number | null;
  summary: string;
}

const fromRow = (r: Row): Cycle => ({
  day: r.day,
  step: r.step,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  summary: JSON.parse(r.summary),
});

/** Whether `step` has been completed by a cycle at `current`. */
export function reached(current: Step, step: Step): boolean {
  return STEPS.indexOf(current) >= STEPS.indexOf(step);
}

/** Reads and writes the cycles table. */
export class CycleLog {
  constructor(private readonly db: Database.Database) {}

  get(day: string): Cycle | undefined {
    const r = this.db.prepare("SELECT * FROM cycles WHERE day = ?").get(day) as Row | undefined;
    return r && fromRow(r);
  }

  /** The day's cycle, created if new. */
  start(day: string, now: number): Cycle {
    this.db
      .prepare("INSERT OR IGNORE INTO cycles (day, step, started_at, summary) VALUES (?, 'started', ?, '{}')")
      .run(day, now);
    return this.get(day)!;
  }

  /** Records a completed step and merges its figures into the summary. */
  advance(day: string, step: Step, summary: CycleSummary, now: number): void {
    const current = this.get(day)!;
    this.db
      .prepare("UPDATE cycles SET step = ?, summary = ?, finished_at = ? WHERE day = ?")
      .run(step, JSON.stringify({ ...current.summary, ...summary }), step === "done" ? now : null, day);
  }

  /** The most recent days, newest first. */
  list(limit = 14): Cycle[] {
    return (this.db.prepare("SELECT * FROM cycles ORDER BY day DESC LIMIT ?").all(limit) as Row[]).map(
      fromRow,
    );
  }

  /** An earlier day that did not finish, if any. */
  unfinishedBefore(day: string): Cycle | undefined {
    const r = this.db
      .prepare("SELECT * FROM cycles WHERE day < ? AND step <> 'done' ORDER BY day LIMIT 1")
      .get(day) as Row | undefined;
    return r && fromRow(r);
  }
}
