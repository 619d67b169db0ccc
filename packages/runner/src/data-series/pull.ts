// The day's data_series pull: Braze's own per-variation, per-day counts of every campaign and Canvas the
// use case sends through, over the trailing days (Braze revises them), kept in the state for the
// reconciliation with what Kairos logged. For validation only: aggregates cannot be attributed to
// customers, so nothing here is learned. A key without the permission, or a Braze failure, is a note,
// never a failed day: the sends are done by then.
import { type BrazeClient, BrazeError, BrazePermissionError } from "@kairos/braze-adapter";
import { campaignSeriesRows, canvasSeriesRows, type VariationDay } from "@kairos/rewards";
import type { RunnerState } from "../state/open-state.js";
import type { UseCase } from "../use-case/compile.js";
import { SeriesStore } from "./store.js";
import { type SeriesTarget, seriesTargets } from "./targets.js";

/** What a pull did, with a one-line note for the day's progress. */
export interface SeriesPull {
  /** Rows pulled (one per campaign or Canvas, variation and day). */
  rows: number;
  /** Of those, new or different from the kept row (Braze's revisions of trailing days). */
  changed: number;
  /** Campaigns and Canvases pulled. */
  pulled: number;
  /** Campaigns and Canvases not pulled, with why. */
  skipped: { label: string; reason: string }[];
  note: string;
}

/** Pulls the last `dataSeries.days` days of every campaign and Canvas of the use case into the state. */
export async function pullDataSeries(
  useCase: UseCase,
  state: RunnerState,
  braze: BrazeClient,
  now: number,
): Promise<SeriesPull> {
  const settings = useCase.file.dataSeries;
  const result: SeriesPull = { rows: 0, changed: 0, pulled: 0, skipped: [], note: "" };
  if (!settings.enabled) return { ...result, note: "disabled in the use-case file (dataSeries.enabled)" };
  const store = new SeriesStore(state.db);
  for (const target of seriesTargets(useCase)) {
    let rows: VariationDay[];
    try {
      rows = await fetchRows(useCase, braze, target, settings.days, now);
    } catch (e) {
      if (!(e instanceof BrazeError)) throw e;
      const reason =
        e instanceof BrazePermissionError
          ? `the key lacks ${target.source === "campaign" ? "campaigns" : "canvas"}.data_series`
          : e.message;
      result.skipped.push({ label: target.label, reason });
      continue;
    }
    result.changed += store.replace(target.source, target.id, rows, now).length;
    result.rows += rows.length;
    result.pulled++;
  }
  const skipped = result.skipped.map((s) => `; skipped ${s.label}: ${s.reason}`).join("");
  result.note = `${result.rows} rows of ${result.pulled} campaigns/Canvases over ${settings.days} days, ${result.changed} new or revised${skipped}`;
  return result;
}

async function fetchRows(
  useCase: UseCase,
  braze: BrazeClient,
  target: SeriesTarget,
  days: number,
  now: number,
): Promise<VariationDay[]> {
  const range = { days, endingAt: new Date(now) };
  // Conversions dated as the metric dates rewards: by event time, or by the send (Canvas: entry) time.
  const options = { countBy: useCase.metric.countBy };
  if (target.source === "campaign")
    return campaignSeriesRows(
      { data: await braze.campaigns.dataSeries(target.id, range) },
      target.id,
      options,
    );
  const stats = await braze.canvas.dataSeries(target.id, { ...range, variantBreakdown: true });
  return canvasSeriesRows({ data: { stats } }, target.id, options);
}
