// Shared helpers of the list and data_series endpoints.
import { type SeriesWindow, splitSeries } from "../batching.js";
import type { ListQuery, SeriesRange } from "./types.js";

/** Query of a list page. */
export function listQuery(page: number, q: ListQuery): Record<string, string | number | boolean | undefined> {
  return {
    page,
    include_archived: q.include_archived,
    sort_direction: q.sort_direction,
    "last_edit.time[gt]": q.last_edit_after,
  };
}

/** Merges day rows from overlapping or adjacent windows: one row per `time`, oldest first. */
export function mergeDays<T extends { time: string }>(pages: T[][]): T[] {
  const byTime = new Map<string, T>();
  for (const rows of pages) for (const r of rows) if (!byTime.has(r.time)) byTime.set(r.time, r);
  return [...byTime.values()].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
}

/** The data_series windows of a range. */
export function windows(range: SeriesRange, maxDays: number): SeriesWindow[] {
  return splitSeries(range.endingAt ?? new Date(), range.days, maxDays);
}
