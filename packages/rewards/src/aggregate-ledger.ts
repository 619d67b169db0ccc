// Per-variation, per-day aggregates that a re-pull replaces instead of adding to: Braze keeps revising the
// trailing days, so the ledger keys rows by (source, variation, day) and reports what changed.
import type { ActionRecord, Feedback } from "@kairos/core";
import type { VariationDay } from "./data-series.js";
import type { EmittedReward } from "./store.js";
import { utcDay } from "./time.js";

/** How one row changed when a pull was applied. */
export interface AggregateChange {
  key: string;
  row: VariationDay;
  /** The row this pull replaced, if any. */
  before: VariationDay | undefined;
  trials: number;
  successes: number;
  revenue: number;
}

/** Totals of one variation over the days kept. */
export interface VariationTotals {
  variationId: string;
  trials: number;
  successes: number;
  revenue: number;
  days: number;
}

/** The identity of a row: a re-pulled row with the same key replaces the old one. */
export function rowKey(r: VariationDay): string {
  return `${r.source}\u0000${r.sourceId}\u0000${r.level}\u0000${r.channel ?? ""}\u0000${r.variationId}\u0000${r.day}`;
}

/** Keeps the latest pulled value of every variation-day; totals never double-count a re-pulled day. */
export class AggregateLedger {
  private readonly rowsByKey = new Map<string, VariationDay>();

  /** Applies a pull: each row replaces the row with the same key. Returns the changes (deltas). */
  apply(rows: readonly VariationDay[]): AggregateChange[] {
    const changes: AggregateChange[] = [];
    for (const row of rows) {
      const key = rowKey(row);
      const before = this.rowsByKey.get(key);
      this.rowsByKey.set(key, row);
      const trials = row.trials - (before?.trials ?? 0);
      const successes = row.successes - (before?.successes ?? 0);
      const revenue = row.revenue - (before?.revenue ?? 0);
      if (before === undefined || trials !== 0 || successes !== 0 || revenue !== 0)
        changes.push({ key, row, before, trials, successes, revenue });
    }
    return changes;
  }

  /** Totals per variation (variation-level rows only unless `level` says otherwise). */
  totals(level: "variation" | "step" = "variation"): VariationTotals[] {
    const out = new Map<string, VariationTotals>();
    for (const r of this.rowsByKey.values()) {
      if (r.level !== level) continue;
      const t = out.get(r.variationId) ?? {
        variationId: r.variationId,
        trials: 0,
        successes: 0,
        revenue: 0,
        days: 0,
      };
      t.trials += r.trials;
      t.successes += r.successes;
      t.revenue += r.revenue;
      t.days++;
      out.set(r.variationId, t);
    }
    return [...out.values()];
  }

  /** All kept rows. */
  rows(): VariationDay[] {
    return [...this.rowsByKey.values()];
  }

  /** Serialisable state. */
  toJSON(): VariationDay[] {
    return this.rows();
  }

  /** Rebuilds a ledger from `toJSON` output. */
  static fromJSON(rows: readonly VariationDay[]): AggregateLedger {
    const l = new AggregateLedger();
    l.apply(rows);
    return l;
  }
}

/**
 * Turns ledger changes into weighted Feedback for a non-contextual policy (empty context). Bernoulli: a
 * reward-1 item weighted by new successes and a reward-0 item weighted by new failures. Gaussian: the mean
 * revenue of the new trials, weighted by their number. A downward revision cannot be unlearned by a
 * weighted update, so such changes are returned in `skipped`, as are rows with no mapped action.
 */
export function aggregateFeedback(
  changes: readonly AggregateChange[],
  actionOf: (row: VariationDay) => ActionRecord | number | undefined,
  kind: "bernoulli" | "gaussian",
): { feedback: Feedback[]; skipped: AggregateChange[] } {
  const feedback: Feedback[] = [];
  const skipped: AggregateChange[] = [];
  for (const c of changes) {
    const action = actionOf(c.row);
    const failures = c.trials - c.successes;
    if (action === undefined || c.trials < 0 || c.successes < 0 || (kind === "bernoulli" && failures < 0)) {
      skipped.push(c);
      continue;
    }
    if (kind === "bernoulli") {
      if (c.successes > 0) feedback.push({ context: {}, action, reward: 1, weight: c.successes });
      if (failures > 0) feedback.push({ context: {}, action, reward: 0, weight: failures });
    } else if (c.trials > 0) {
      feedback.push({ context: {}, action, reward: c.revenue / c.trials, weight: c.trials });
    } else if (c.revenue !== 0) skipped.push(c);
  }
  return { feedback, skipped };
}

/** Kairos' own daily counts: decisions sent per send day, rewards > 0 and reward sums per counted day. */
export function kairosDaily(
  rewards: readonly EmittedReward[],
  variationOf: (r: EmittedReward) => string | undefined,
): { variationId: string; day: string; trials: number; successes: number; revenue: number }[] {
  const out = new Map<
    string,
    { variationId: string; day: string; trials: number; successes: number; revenue: number }
  >();
  const at = (variationId: string, day: string) => {
    const key = `${variationId}\u0000${day}`;
    let row = out.get(key);
    if (!row) out.set(key, (row = { variationId, day, trials: 0, successes: 0, revenue: 0 }));
    return row;
  };
  for (const r of rewards) {
    const v = variationOf(r);
    if (v === undefined) continue;
    at(v, utcDay(r.sentAt)).trials++;
    const counted = at(v, utcDay(r.countedAt));
    if (r.reward > 0) counted.successes++;
    counted.revenue += r.reward;
  }
  return [...out.values()];
}

/** One variation-day compared between Braze and Kairos. */
export interface Reconciliation {
  variationId: string;
  day: string;
  braze: { trials: number; successes: number; revenue: number };
  kairos: { trials: number; successes: number; revenue: number };
}

/** Lines up Braze rows and Kairos' own counts by variation and day (missing sides are zeros). */
export function reconcile(
  braze: readonly VariationDay[],
  kairos: readonly { variationId: string; day: string; trials: number; successes: number; revenue: number }[],
): Reconciliation[] {
  const zero = () => ({ trials: 0, successes: 0, revenue: 0 });
  const out = new Map<string, Reconciliation>();
  const at = (variationId: string, day: string) => {
    const key = `${variationId}\u0000${day}`;
    let r = out.get(key);
    if (!r) out.set(key, (r = { variationId, day, braze: zero(), kairos: zero() }));
    return r;
  };
  for (const b of braze) {
    if (b.level !== "variation") continue;
    const r = at(b.variationId, b.day);
    r.braze.trials += b.trials;
    r.braze.successes += b.successes;
    r.braze.revenue += b.revenue;
  }
  for (const k of kairos) {
    const r = at(k.variationId, k.day);
    r.kairos.trials += k.trials;
    r.kairos.successes += k.successes;
    r.kairos.revenue += k.revenue;
  }
  return [...out.values()].sort((a, b) =>
    a.day === b.day ? a.variationId.localeCompare(b.variationId) : a.day < b.day ? -1 : 1,
  );
}
