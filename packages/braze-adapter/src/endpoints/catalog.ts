import { LIMITS, type SeriesWindow, splitSeries } from "../batching.js";
import type { BrazeTransport } from "../client/http.js";
import type { CallOptions } from "../client/options.js";
import { BrazeValidationError } from "../errors.js";
import {
  type CampaignDay,
  type CampaignDetails,
  type CampaignListItem,
  type CanvasDay,
  type CanvasDetails,
  type CanvasListItem,
  campaignDetailsSchema,
  campaignListSchema,
  campaignSeriesSchema,
  canvasDetailsSchema,
  canvasListSchema,
  canvasSeriesSchema,
  type SegmentDay,
  type SegmentDetails,
  type SegmentListItem,
  segmentDetailsSchema,
  segmentListSchema,
  segmentSeriesSchema,
} from "./schemas.js";
import type { ListQuery, SeriesRange } from "./types.js";

function listQuery(page: number, q: ListQuery): Record<string, string | number | boolean | undefined> {
  return {
    page,
    include_archived: q.include_archived,
    sort_direction: q.sort_direction,
    "last_edit.time[gt]": q.last_edit_after,
  };
}

/** Merges day rows from overlapping or adjacent windows: one row per `time`, oldest first. */
function mergeDays<T extends { time: string }>(pages: T[][]): T[] {
  const byTime = new Map<string, T>();
  for (const rows of pages) for (const r of rows) if (!byTime.has(r.time)) byTime.set(r.time, r);
  return [...byTime.values()].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
}

function windows(range: SeriesRange, maxDays: number): SeriesWindow[] {
  return splitSeries(range.endingAt ?? new Date(), range.days, maxDays);
}

/** Campaign export endpoints. */
export class CampaignsApi {
  constructor(private readonly t: BrazeTransport) {}

  /** GET /campaigns/list, every page (100 per page) until a short page. */
  async *list(q: ListQuery = {}, opts: CallOptions = {}): AsyncGenerator<CampaignListItem> {
    for (let page = 0; ; page++) {
      const res = await this.t.call(
        {
          method: "GET",
          path: "/campaigns/list",
          query: listQuery(page, q),
          schema: campaignListSchema,
          retry: "idempotent",
        },
        opts,
      );
      yield* res.campaigns;
      if (res.campaigns.length < LIMITS.listPage) return;
    }
  }

  /** GET /campaigns/details; `messages` is keyed by message_variation_id. */
  details(
    campaignId: string,
    opts: CallOptions & { postLaunchDraft?: boolean } = {},
  ): Promise<CampaignDetails> {
    return this.t.call(
      {
        method: "GET",
        path: "/campaigns/details",
        query: { campaign_id: campaignId, post_launch_draft_version: opts.postLaunchDraft },
        schema: campaignDetailsSchema,
        retry: "idempotent",
      },
      opts,
    );
  }

  /** GET /campaigns/data_series over any number of days (split into ≤100-day requests, merged by day). */
  async dataSeries(campaignId: string, range: SeriesRange, opts: CallOptions = {}): Promise<CampaignDay[]> {
    const pages: CampaignDay[][] = [];
    for (const w of windows(range, LIMITS.campaignSeriesDays)) {
      const res = await this.t.call(
        {
          method: "GET",
          path: "/campaigns/data_series",
          query: { campaign_id: campaignId, length: w.length, ending_at: w.endingAt.toISOString() },
          schema: campaignSeriesSchema,
          retry: "idempotent",
        },
        opts,
      );
      pages.push(res.data);
    }
    return mergeDays(pages);
  }
}

/** Canvas export endpoints. */
export class CanvasApi {
  constructor(private readonly t: BrazeTransport) {}

  /** GET /canvas/list, every page. */
  async *list(q: ListQuery = {}, opts: CallOptions = {}): AsyncGenerator<CanvasListItem> {
    for (let page = 0; ; page++) {
      const res = await this.t.call(
        {
          method: "GET",
          path: "/canvas/list",
          query: listQuery(page, q),
          schema: canvasListSchema,
          retry: "idempotent",
        },
        opts,
      );
      yield* res.canvases;
      if (res.canvases.length < LIMITS.listPage) return;
    }
  }

  /** GET /canvas/details. */
  details(canvasId: string, opts: CallOptions & { postLaunchDraft?: boolean } = {}): Promise<CanvasDetails> {
    return this.t.call(
      {
        method: "GET",
        path: "/canvas/details",
        query: { canvas_id: canvasId, post_launch_draft_version: opts.postLaunchDraft },
        schema: canvasDetailsSchema,
        retry: "idempotent",
      },
      opts,
    );
  }

  /** GET /canvas/data_series over any number of days (split into ≤14-day requests). */
  async dataSeries(
    canvasId: string,
    range: SeriesRange & { variantBreakdown?: boolean; stepBreakdown?: boolean },
    opts: CallOptions = {},
  ): Promise<CanvasDay[]> {
    const pages: CanvasDay[][] = [];
    for (const w of windows(range, LIMITS.canvasSeriesDays)) {
      const res = await this.t.call(
        {
          method: "GET",
          path: "/canvas/data_series",
          query: {
            canvas_id: canvasId,
            length: w.length,
            ending_at: w.endingAt.toISOString(),
            include_variant_breakdown: range.variantBreakdown,
            include_step_breakdown: range.stepBreakdown,
          },
          schema: canvasSeriesSchema,
          retry: "idempotent",
        },
        opts,
      );
      pages.push(res.data.stats);
    }
    return mergeDays(pages);
  }
}

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
