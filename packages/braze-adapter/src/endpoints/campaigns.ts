import { LIMITS } from "../batching.js";
import type { BrazeTransport } from "../client/http.js";
import type { CallOptions } from "../client/options.js";
import {
  type CampaignDay,
  type CampaignDetails,
  type CampaignListItem,
  campaignDetailsSchema,
  campaignListSchema,
  campaignSeriesSchema,
} from "./schemas.js";
import { listQuery, mergeDays, windows } from "./series.js";
import type { ListQuery, SeriesRange } from "./types.js";

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
