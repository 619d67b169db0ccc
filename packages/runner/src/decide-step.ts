// The decide step of a day: page by page through the stored audience (in external-id order), each page's
// groups (stored, or drawn and stored), frequency caps and decisions, written to the decision log with the
// page's new group assignments in one transaction; then `afterPage` (the day queues the page's sends). Pages
// are decided by worker threads when the audience is large and the policy's choices do not depend on each
// other within a batch: every thread restores the same snapshot and core keys every draw by the decision id,
// so one thread or four make the same decisions, while this thread writes. A page committed before a crash
// is decided again, identically, by the rerun (its rows are kept as they were).
import { MultiRowInsert } from "@kairos/braze-adapter";
import type { BanditPolicy } from "@kairos/core";
import { addDays } from "./days.js";
import { Decider, EXPLAIN_SAMPLE, policyFromSnapshot, type SkipReason } from "./decide.js";
import { type ChunkItem, type ChunkResult, DecidePool, decideChunk } from "./decide-pool.js";
import type { ProgressListener } from "./progress.js";
import type { DecisionRow, Group } from "./state/decision-log.js";
import type { RunnerState } from "./state/open-state.js";
import type { UseCase } from "./use-case/compile.js";

/** Options of {@link decideAndLog}. */
export interface DecideStepOptions {
  /** Kairos decisions stored with their explanation (the first ones in external-id order); default 20. */
  explainSample?: number;
  /**
   * Worker threads deciding in parallel from `parallelFrom` customers on (default: the available cores, at
   * most 4). 0 decides on this thread. Policies whose decisions count each other within a batch (the UCB
   * kinds) always decide on this thread.
   */
  workers?: number;
  /** Smaller audiences are decided on this thread: starting workers costs more (default 20,000). */
  parallelFrom?: number;
  /** Customers per page (default 10,000). */
  pageSize?: number;
  /**
   * Called once a page is committed, with the external ids it spans (inclusive), and its rows when they are
   * what the log now holds (every one new: not a page a crashed run had already logged).
   */
  afterPage?: (first: string, last: string, rows: readonly DecisionRow[] | undefined) => Promise<void> | void;
  onProgress?: ProgressListener;
}

/** What the decide step did. */
export interface DecideStepResult {
  audience: number;
  byGroup: Record<string, number>;
  skipped: Record<SkipReason, number>;
  examples: Partial<Record<SkipReason, string>>;
  /** Worker threads used (0: this thread). */
  workers: number;
}

/** Policy kinds whose decisions in one batch depend on each other (pending decisions widen UCB bounds). */
const BATCH_DEPENDENT = new Set(["linucb", "hybrid-linucb", "ucb1", "factorised-ucb"]);

/** Decides for the day's stored audience and logs every decision; see the file comment. */
export async function decideAndLog(
  useCase: UseCase,
  state: RunnerState,
  policy: BanditPolicy,
  day: string,
  options: DecideStepOptions = {},
): Promise<DecideStepResult> {
  const db = state.db;
  const total = db.prepare("SELECT COUNT(*) FROM audience WHERE day = ?").pluck().get(day) as number;
  const pageSize = options.pageSize ?? 10_000;
  const snapshot = policy.snapshot();
  const parallel =
    total >= (options.parallelFrom ?? 20_000) &&
    !BATCH_DEPENDENT.has(String((useCase.policyConfig as { kind: string }).kind));
  const workers = parallel ? (options.workers ?? DecidePool.defaultSize()) : 0;
  const pool = workers > 0 ? await DecidePool.start(workers, useCase, snapshot, day) : undefined;
  const decider = pool ? undefined : new Decider(useCase, policyFromSnapshot(useCase, snapshot), day);

  const readPage = db
    .prepare(
      "SELECT external_id, time_zone, attrs FROM audience WHERE day = ? AND external_id > ? ORDER BY external_id LIMIT ?",
    )
    .raw();
  const readGroups = db
    .prepare("SELECT external_id, grp FROM groups WHERE external_id >= ? AND external_id <= ?")
    .raw();
  const insertGroups = new MultiRowInsert(
    db,
    "INSERT OR IGNORE INTO groups (external_id, grp, assigned_day)",
    "(?, ?, ?)",
  );
  const cap = useCase.file.frequencyCap;
  // Messages in the cap's window before today, for a range of customers (the index on (external_id, day)).
  const readCounts = db
    .prepare(
      `SELECT external_id, COUNT(*) FROM decisions WHERE external_id >= ? AND external_id <= ? AND day >= ? AND day < ?
       AND grp <> 'holdout' AND status <> 'failed' GROUP BY external_id`,
    )
    .raw();

  const result: DecideStepResult = {
    audience: total,
    byGroup: {},
    skipped: { frequency_cap: 0, no_eligible_action: 0, bad_attributes: 0 },
    examples: {},
    workers,
  };
  let done = 0;
  let after = "";
  let first = true;
  // Pages decided (or being decided), committed in order.
  const queue: { size: number; first: string; last: string; result: Promise<ChunkResult> }[] = [];
  const commit = async (): Promise<void> => {
    const page = queue.shift()!;
    const out = await page.result;
    const added = db.transaction(() => {
      insertGroups.run(out.fresh.map(([id, g]) => [id, g, day]));
      return state.decisions.insertRows(out.rows);
    })();
    for (const [g, n] of Object.entries(out.byGroup)) result.byGroup[g] = (result.byGroup[g] ?? 0) + n;
    for (const [reason, n] of Object.entries(out.skipped) as [SkipReason, number][]) {
      result.skipped[reason] += n;
      if (n > 0) result.examples[reason] ??= out.examples[reason];
    }
    await options.afterPage?.(page.first, page.last, added === out.rows.length ? out.rows : undefined);
    done += page.size;
    options.onProgress?.({ step: "decide", message: "deciding", done, total });
  };
  try {
    for (;;) {
      const rows = readPage.all(day, after, pageSize) as [string, string | null, string][];
      if (rows.length === 0) break;
      const from = rows[0]![0];
      const to = rows[rows.length - 1]![0];
      after = to;
      const stored = new Map(readGroups.all(from, to) as [string, Group][]);
      const counts = cap
        ? new Map(readCounts.all(from, to, addDays(day, -(cap.days - 1)), day) as [string, number][])
        : undefined;
      const items: ChunkItem[] = rows.map(([id, timeZone, attrs]) => [
        id,
        timeZone,
        attrs,
        stored.get(id) ?? null,
        counts?.get(id) ?? 0,
      ]);
      // The explained sample: the first Kairos decisions of the first page (the same in every run).
      const chunk = { items, explain: first ? (options.explainSample ?? EXPLAIN_SAMPLE) : 0 };
      first = false;
      const decided = pool ? pool.decide(chunk) : Promise.resolve(decideChunk(decider!, useCase, chunk));
      // Awaited in order by commit; a failure while earlier pages are being written must not go unhandled.
      decided.catch(() => {});
      queue.push({ size: rows.length, first: from, last: to, result: decided });
      // Enough pages ahead to keep every worker busy while this thread writes.
      while (queue.length > (pool ? 2 * workers : 0)) await commit();
    }
    while (queue.length > 0) await commit();
  } finally {
    await pool?.close();
  }
  return result;
}
