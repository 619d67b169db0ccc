import { LIMITS } from "../batching.js";
import type { BrazeTransport } from "../client/http.js";
import type { CallOptions } from "../client/options.js";
import { BrazeValidationError } from "../errors.js";
import {
  type SegmentDay,
  type SegmentDetails,
  type SegmentListItem,
  segmentDetailsSchema,
  segmentListSchema,
  segmentSeriesSchema,
} from "./schemas.js";
import { mergeDays, windows } from "./series.js";
import type { SeriesRange } from "./types.js";

/** Segment endpoints. */
export class SegmentsApi {
  constructor(private readonly t: BrazeTransport) {}

  /** GET /segments/list, every page. */
  async *list(
    q: { sort_direction?: "asc" | "desc" } = {},
    opts: CallOptions = {},
  ): AsyncGenerator<SegmentListItem> {
    for (let page = 0; ; page++) {
      const res = await this.t.call(
        {
          method: "GET",
          path: "/segments/list",
          query: { page, sort_direction: q.sort_direction },
          schema: segmentListSchema,
          retry: "idempotent",
        },
        opts,
      );
      yield* res.segments;
      if (res.segments.length < LIMITS.listPage) return;
    }
  }

  /** GET /segments/details. */
  details(segmentId: string, opts: CallOptions = {}): Promise<SegmentDetails> {
    if (!segmentId)
      throw new BrazeValidationError("segment_id is required", { endpoint: "/segments/details" });
    return this.t.call(
      {
        method: "GET",
        path: "/segments/details",
        query: { segment_id: segmentId },
        schema: segmentDetailsSchema,
        retry: "idempotent",
      },
      opts,
    );
  }

  /** GET /segments/data_series over any number of days (split into ≤100-day requests). Sizes are estimates. */
  async dataSeries(segmentId: string, range: SeriesRange, opts: CallOptions = {}): Promise<SegmentDay[]> {
    const pages: SegmentDay[][] = [];
    for (const w of windows(range, LIMITS.segmentSeriesDays)) {
      const res = await this.t.call(
        {
          method: "GET",
          path: "/segments/data_series",
          query: { segment_id: segmentId, length: w.length, ending_at: w.endingAt.toISOString() },
          schema: segmentSeriesSchema,
          retry: "idempotent",
        },
        opts,
      );
      pages.push(res.data);
    }
    return mergeDays(pages);
  }
}
