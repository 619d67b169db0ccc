import { LIMITS } from "../batching.js";
import type { BrazeTransport } from "../client/http.js";
import type { CallOptions } from "../client/options.js";
import {
  type CanvasDay,
  type CanvasDetails,
  type CanvasListItem,
  canvasDetailsSchema,
  canvasListSchema,
  canvasSeriesSchema,
} from "./schemas.js";
import { listQuery, mergeDays, windows } from "./series.js";
import type { ListQuery, SeriesRange } from "./types.js";

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
