// Braze vs Kairos: per day and campaign/Canvas, the sends and conversions (and revenue for a revenue
// metric) Braze's data_series counts against what Kairos logged (sent decisions) and learned (final
// rewards), with the relative difference and a plain-language flag when they disagree. A day whose
// rewards are not all final yet (attribution windows still open) is shown but not judged.
import type { ActionRecord } from "@kairos/core";
import { reconcile } from "@kairos/rewards";
import { addDays } from "../days.js";
import type { RunnerState } from "../state/open-state.js";
import type { UseCase } from "../use-case/compile.js";
import { SeriesStore } from "./store.js";
import { seriesTargets, targetKey, targetOfAction } from "./targets.js";

const DAY_MS = 86_400_000;

/** One quantity compared: Braze's count, Kairos', and the difference relative to the larger one. */
export interface Compared {
  braze: number;
  kairos: number;
  /** |braze − kairos| / max(braze, kairos); 0 when both are 0. */
  relative: number;
}

/** One campaign or Canvas on one day. */
export interface ComparisonRow {
  day: string;
  /** `campaign promo-email (email)`. */
  target: string;
  sends: Compared;
  conversions: Compared;
  /** Only for revenue metrics (presets `revenue`, `arpu`). */
  revenue?: Compared;
  /** `open`: some rewards of the day are not final yet; `agree`; `disagree` (see `flags`). */
  verdict: "open" | "agree" | "disagree";
  /** Why they disagree, in plain language (empty unless `disagree`). */
  flags: string[];
}

/** The reconciliation shown by `kairos status` and the report. */
export interface BrazeComparison {
  /** Whether conversions are dated by the event or by the send (the metric's `countBy`). */
  countBy: "event_time" | "send_time";
  tolerance: number;
  minDifference: number;
  rows: ComparisonRow[];
}

interface KairosRow {
  action: string;
  send_day: string;
  counted_day: string;
  sends: number;
  pending: number;
  conversions: number;
  revenue: number;
}

/** Compares the kept data_series rows with the decision log and the learned rewards, over the last `days` days. */
export function brazeComparison(useCase: UseCase, state: RunnerState, now: number): BrazeComparison {
  const { days, tolerance, minDifference } = useCase.file.dataSeries;
  const countBy = useCase.metric.countBy;
  const today = new Date(now).toISOString().slice(0, 10);
  const from = addDays(today, 1 - days);
  const windowDays = Math.ceil(useCase.metric.windowMs / DAY_MS);
  const labels = new Map(seriesTargets(useCase).map((t) => [targetKey(t.source, t.id), t.label]));

  const braze = new SeriesStore(state.db)
    .rows(from)
    .map((r) => ({ ...r, variationId: targetKey(r.source, r.sourceId) }));

  // Kairos' side in SQL (grouped by action: a handful of rows however large the audience), from the sends
  // whose conversions can fall in the range (event time: up to a window before it).
  const grouped = state.db
    .prepare(
      `SELECT d.action AS action, date(d.sent_at / 1000, 'unixepoch') AS send_day,
         date(COALESCE(r.counted_at, d.sent_at) / 1000, 'unixepoch') AS counted_day, COUNT(*) AS sends,
         TOTAL(r.decision_id IS NULL) AS pending, TOTAL(r.reward > 0) AS conversions, TOTAL(r.reward) AS revenue
       FROM decisions d LEFT JOIN rewards r ON r.decision_id = d.decision_id
       WHERE d.status = 'sent' AND d.day >= ? GROUP BY 1, 2, 3`,
    )
    .all(addDays(from, -windowDays - 1)) as KairosRow[];
  // Sends dated by the send, conversions as the metric dates them; reconcile sums rows with the same key.
  const kairos: { variationId: string; day: string; trials: number; successes: number; revenue: number }[] =
    [];
  const pendingByDay = new Map<string, number>();
  const targetOf = new Map<string, string | undefined>();
  for (const g of grouped) {
    if (!targetOf.has(g.action))
      targetOf.set(g.action, targetOfAction(useCase, JSON.parse(g.action) as ActionRecord));
    const target = targetOf.get(g.action);
    pendingByDay.set(g.send_day, (pendingByDay.get(g.send_day) ?? 0) + g.pending);
    if (target === undefined) continue;
    kairos.push(
      { variationId: target, day: g.send_day, trials: g.sends, successes: 0, revenue: 0 },
      {
        variationId: target,
        day: countBy === "send_time" ? g.send_day : g.counted_day,
        trials: 0,
        successes: g.conversions,
        revenue: g.revenue,
      },
    );
  }

  // A day is judged once it is over and every send whose conversions it may hold has a final reward: the
  // day's own (send time), or those of the attribution window before it too (event time).
  const open = (day: string) => {
    if (Date.parse(`${day}T00:00:00Z`) + DAY_MS > now) return true;
    const span = countBy === "send_time" ? 0 : windowDays;
    for (let k = 0; k <= span; k++) if ((pendingByDay.get(addDays(day, -k)) ?? 0) > 0) return true;
    return false;
  };
  const preset = "preset" in useCase.file.metric ? useCase.file.metric.preset : undefined;
  const withRevenue = preset === "revenue" || preset === "arpu";
  const compare = (b: number, k: number): Compared => ({
    braze: b,
    kairos: k,
    relative: b === k ? 0 : Math.abs(b - k) / Math.max(Math.abs(b), Math.abs(k)),
  });
  const disagrees = (c: Compared) => Math.abs(c.braze - c.kairos) >= minDifference && c.relative > tolerance;

  const rows = reconcile(
    braze,
    kairos.filter((k) => k.day >= from),
  ).map((r): ComparisonRow => {
    const sends = compare(r.braze.trials, r.kairos.trials);
    const conversions = compare(r.braze.successes, r.kairos.successes);
    const revenue = withRevenue ? compare(r.braze.revenue, r.kairos.revenue) : undefined;
    const row: ComparisonRow = {
      day: r.day,
      target: labels.get(r.variationId) ?? r.variationId,
      sends,
      conversions,
      ...(revenue ? { revenue } : {}),
      verdict: "agree",
      flags: [],
    };
    if (open(r.day)) return { ...row, verdict: "open" };
    if (disagrees(sends))
      row.flags.push(
        sends.braze > sends.kairos
          ? "Braze counted more sends than Kairos made: the campaign is also triggered outside this use case (another use case, a test, the dashboard)"
          : "Braze counted fewer sends than Kairos logged: Braze dropped some (unsubscribed or unreachable customers, Braze's own frequency capping) or dates them on another day",
      );
    for (const [name, c] of [
      ["conversions", conversions],
      ["revenue", revenue],
    ] as const)
      if (c && disagrees(c))
        row.flags.push(
          c.braze > c.kairos
            ? `Braze counted more ${name} than Kairos learned: conversion events may not be reaching the outcomes folder, or the campaign's conversion window is longer than Kairos' attribution window`
            : `Kairos learned more ${name} than Braze counted: Kairos' metric counts events the campaign's conversion event does not (or joins events without a decision id), or its attribution window is longer`,
        );
    return row.flags.length > 0 ? { ...row, verdict: "disagree" } : row;
  });
  return { countBy, tolerance, minDifference, rows };
}
