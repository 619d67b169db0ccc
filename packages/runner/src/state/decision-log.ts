// The decision log: one row per customer per day (holdout customers included), what was decided, on which
// context and model version, and what became of the send. Reports and learning read it.
import { MultiRowInsert } from "@kairos/braze-adapter";
import type Database from "better-sqlite3";

/** Groups of the experiment: Kairos' policy and the three controls. */
export type Group = "kairos" | "random" | "bau" | "holdout";

/** What became of a decision. */
export type DecisionStatus = "decided" | "sent" | "failed" | "held";

/** One logged decision. */
export interface LoggedDecision {
  decisionId: string;
  day: string;
  externalId: string;
  group: Group;
  /** The chosen action (null for holdout customers, who receive nothing). */
  action: Record<string, string | number> | null;
  actionIndex: number | null;
  propensity: number | null;
  policyVersion: number | null;
  context: Record<string, unknown>;
  timeZone: string | null;
  status: DecisionStatus;
  sentAt: number | null;
  /** Per-dimension option scores and runners-up, kept for a sample of decisions. */
  explanation: unknown;
}

interface Row {
  decision_id: string;
  day: string;
  external_id: string;
  grp: Group;
  action: string | null;
  action_index: number | null;
  propensity: number | null;
  policy_version: number | null;
  context: string;
  time_zone: string | null;
  status: DecisionStatus;
  sent_at: number | null;
  explanation: string | null;
}

function fromRow(r: Row): LoggedDecision {
  return {
    decisionId: r.decision_id,
    day: r.day,
    externalId: r.external_id,
    group: r.grp,
    action: r.action === null ? null : JSON.parse(r.action),
    actionIndex: r.action_index,
    propensity: r.propensity,
    policyVersion: r.policy_version,
    context: JSON.parse(r.context),
    timeZone: r.time_zone,
    status: r.status,
    sentAt: r.sent_at,
    explanation: r.explanation === null ? null : JSON.parse(r.explanation),
  };
}

/** A decision as the columns of its row, in the order `insertRows` takes them (what worker threads send). */
export type DecisionRow = [
  decisionId: string,
  day: string,
  externalId: string,
  group: Group,
  action: string | null,
  actionIndex: number | null,
  propensity: number | null,
  policyVersion: number | null,
  context: string,
  timeZone: string | null,
  status: DecisionStatus,
  sentAt: number | null,
  explanation: string | null,
];

/** The row of a decision (actions are few: their JSON is cached by index in `actionJson`). */
export function decisionRow(d: LoggedDecision, actionJson?: Map<number, string>): DecisionRow {
  let action: string | null = null;
  if (d.action !== null) {
    const cached = d.actionIndex === null ? undefined : actionJson?.get(d.actionIndex);
    action = cached ?? JSON.stringify(d.action);
    if (cached === undefined && d.actionIndex !== null) actionJson?.set(d.actionIndex, action);
  }
  return [
    d.decisionId,
    d.day,
    d.externalId,
    d.group,
    action,
    d.actionIndex,
    d.propensity,
    d.policyVersion,
    JSON.stringify(d.context),
    d.timeZone,
    d.status,
    d.sentAt,
    d.explanation === null || d.explanation === undefined ? null : JSON.stringify(d.explanation),
  ];
}

/** What sending and registering need of a day's decisions (no explanation; the context as JSON). */
export type DecisionToSend = Omit<LoggedDecision, "day" | "context" | "sentAt" | "explanation"> & {
  /** The context it was decided on, as stored (JSON). */
  contextJson: string;
};

const SELECT_TO_SEND = `SELECT decision_id, external_id, grp, action, action_index, propensity, policy_version,
  time_zone, status, context FROM decisions`;

type ToSendRow = [
  string,
  string,
  Group,
  string | null,
  number | null,
  number | null,
  number | null,
  string | null,
  DecisionStatus,
  string,
];

/** Reads and writes the decision log. */
export class DecisionLog {
  private readonly insertMany: MultiRowInsert;

  constructor(private readonly db: Database.Database) {
    this.insertMany = new MultiRowInsert(
      db,
      `INSERT OR IGNORE INTO decisions (decision_id, day, external_id, grp, action, action_index, propensity,
       policy_version, context, time_zone, status, sent_at, explanation)`,
      "(?,?,?,?,?,?,?,?,?,?,?,?,?)",
    );
  }

  /** Writes decisions in one transaction (a decision id already logged is left as it was). */
  insert(rows: readonly LoggedDecision[]): void {
    const actions = new Map<number, string>();
    this.insertRows(rows.map((d) => decisionRow(d, actions)));
  }

  /**
   * Writes decision rows (a decision id already logged is left as it was); returns how many were new. In one
   * transaction (the caller's, if one is open).
   */
  insertRows(rows: readonly DecisionRow[]): number {
    return this.db.transaction(() => this.insertMany.run(rows))();
  }

  /**
   * The decisions whose id starts with `prefix` (a day's: `<use case>:<day>:`), in id order, at most
   * `limit` after the id `after`: a range of the primary key, read page by page.
   */
  page(prefix: string, after: string | undefined, limit: number): DecisionToSend[] {
    // Ids of the prefix sort between the prefix and the prefix with its last character raised by one.
    const end = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
    return this.toSend(
      this.db
        .prepare(`${SELECT_TO_SEND} WHERE decision_id > ? AND decision_id < ? ORDER BY decision_id LIMIT ?`)
        .raw()
        .all(after ?? prefix, end, limit) as ToSendRow[],
    );
  }

  /** The decisions with ids from `first` to `last` (inclusive), in id order. */
  range(first: string, last: string): DecisionToSend[] {
    return this.toSend(
      this.db
        .prepare(`${SELECT_TO_SEND} WHERE decision_id >= ? AND decision_id <= ? ORDER BY decision_id`)
        .raw()
        .all(first, last) as ToSendRow[],
    );
  }

  private toSend(rows: ToSendRow[]): DecisionToSend[] {
    const actions = new Map<string, Record<string, string | number>>();
    return rows.map(
      ([
        decisionId,
        externalId,
        group,
        action,
        actionIndex,
        propensity,
        policyVersion,
        timeZone,
        status,
        contextJson,
      ]) => {
        let a: Record<string, string | number> | null = null;
        if (action !== null) {
          a = actions.get(action) ?? null;
          if (!a) actions.set(action, (a = JSON.parse(action) as Record<string, string | number>));
        }
        return {
          decisionId,
          externalId,
          group,
          action: a,
          actionIndex,
          propensity,
          policyVersion,
          timeZone,
          status,
          contextJson,
        };
      },
    );
  }

  /** A day's decisions, in the order they were made. */
  forDay(day: string): LoggedDecision[] {
    return (this.db.prepare("SELECT * FROM decisions WHERE day = ? ORDER BY rowid").all(day) as Row[]).map(
      fromRow,
    );
  }

  /** One decision. */
  get(decisionId: string): LoggedDecision | undefined {
    const r = this.db.prepare("SELECT * FROM decisions WHERE decision_id = ?").get(decisionId) as
      | Row
      | undefined;
    return r && fromRow(r);
  }

  /** Settles sends: status and send time per decision, in one transaction. */
  settle(updates: readonly { decisionId: string; status: DecisionStatus; sentAt: number | null }[]): void {
    const stmt = this.db.prepare("UPDATE decisions SET status = ?, sent_at = ? WHERE decision_id = ?");
    this.db.transaction(() => {
      for (const u of updates) stmt.run(u.status, u.sentAt, u.decisionId);
    })();
  }

  /** The group of each decision id given (unknown ids are absent). */
  groupsOf(ids: readonly string[]): Map<string, Group> {
    const stmt = this.db.prepare("SELECT grp FROM decisions WHERE decision_id = ?").pluck();
    const out = new Map<string, Group>();
    for (const id of ids) {
      const g = stmt.get(id) as Group | undefined;
      if (g) out.set(id, g);
    }
    return out;
  }

  /** Messages each customer was sent (or is about to be) on the days in [fromDay, toDay). */
  sendCounts(fromDay: string, toDay: string): Map<string, number> {
    const rows = this.db
      .prepare(
        `SELECT external_id AS id, COUNT(*) AS n FROM decisions
         WHERE day >= ? AND day < ? AND grp <> 'holdout' AND status <> 'failed' GROUP BY external_id`,
      )
      .all(fromDay, toDay) as { id: string; n: number }[];
    return new Map(rows.map((r) => [r.id, r.n]));
  }
}
