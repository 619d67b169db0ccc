import { campaignSeries, canvasSeries, seriesDays } from "./data-series.js";
import { bad, endingAt, intParam, type RouteContext, type RouteResult } from "./http-error.js";
import type { FakeStore } from "./store.js";

const PAGE = 100;

function page<T extends { lastEdited?: string; archived?: boolean }>(items: T[], q: URLSearchParams): T[] {
  const p = intParam(q, "page", 0, 1_000_000, 0);
  let rows = q.get("include_archived") === "true" ? items : items.filter((i) => !i.archived);
  const after = q.get("last_edit.time[gt]");
  if (after) rows = rows.filter((r) => (r.lastEdited ?? "") > after);
  if (q.get("sort_direction") === "desc") rows = [...rows].reverse();
  return rows.slice(p * PAGE, (p + 1) * PAGE);
}

/** The item named by the `param` query parameter, or a 400 when the parameter is missing or names no item. */
function byId<T>(
  q: URLSearchParams,
  param: string,
  items: ReadonlyMap<string, T>,
  invalid: string,
): [string, T] {
  const id = q.get(param);
  if (!id) throw bad(`${param} is required`);
  const item = items.get(id);
  if (!item) throw bad(invalid);
  return [id, item];
}

/** One row of /campaigns/list or /canvas/list (`extra` goes after the name, as Braze orders it). */
function listRow(
  c: { id: string; name: string; tags?: string[]; lastEdited?: string },
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id: c.id,
    name: c.name,
    ...extra,
    tags: c.tags ?? [],
    last_edited: c.lastEdited ?? "2024-01-01T00:00:00+00:00",
  };
}

/** The leading fields /campaigns/details and /canvas/details share. */
function detailsHead(
  c: { name: string; archived?: boolean; tags?: string[] },
  enabled: boolean,
  channels: string[],
): Record<string, unknown> {
  return {
    message: "success",
    name: c.name,
    archived: c.archived ?? false,
    draft: false,
    enabled,
    channels,
    tags: c.tags ?? [],
    teams: [],
  };
}

/** Campaign, Canvas and segment listings, details and data_series. */
export class CatalogRoutes {
  constructor(private readonly store: FakeStore) {}

  /** GET /campaigns/list. */
  campaignsList(ctx: RouteContext): RouteResult {
    const rows = page([...this.store.campaigns.values()], ctx.query);
    return {
      status: 200,
      body: {
        message: "success",
        campaigns: rows.map((c) => listRow(c, { is_api_campaign: true })),
      },
    };
  }

  /** GET /campaigns/details: `messages` keyed by message_variation_id. */
  campaignDetails(ctx: RouteContext): RouteResult {
    const [, c] = byId(ctx.query, "campaign_id", this.store.campaigns, "Invalid Campaign ID");
    const messages: Record<string, unknown> = {};
    for (const v of c.variations) {
      messages[v.id] = v.control
        ? { channel: v.channel ?? "email", type: "control", name: v.name }
        : {
            channel: v.channel ?? "email",
            name: v.name ?? v.id,
            subject: v.subject,
            body: v.body,
            extras: [],
          };
    }
    return {
      status: 200,
      body: {
        ...detailsHead(c, true, [...new Set(c.variations.map((v) => v.channel ?? "email"))]),
        messages,
        conversion_behaviors: [{ type: "Makes Any Purchase", window: 259_200 }],
      },
    };
  }

  /** GET /campaigns/data_series: `length` 1–100. */
  campaignSeries(ctx: RouteContext): RouteResult {
    const [id] = byId(ctx.query, "campaign_id", this.store.campaigns, "Invalid Campaign ID");
    const length = intParam(ctx.query, "length", 1, 100);
    return {
      status: 200,
      body: {
        message: "success",
        data: campaignSeries(this.store, id, endingAt(ctx.query, ctx.now), length),
      },
    };
  }

  /** GET /canvas/list. */
  canvasList(ctx: RouteContext): RouteResult {
    const rows = page([...this.store.canvases.values()], ctx.query);
    return {
      status: 200,
      body: {
        message: "success",
        canvases: rows.map((c) => listRow(c)),
      },
    };
  }

  /** GET /canvas/details. */
  canvasDetails(ctx: RouteContext): RouteResult {
    const [, c] = byId(ctx.query, "canvas_id", this.store.canvases, "Invalid Canvas ID");
    return {
      status: 200,
      body: {
        ...detailsHead(c, !c.paused, ["email"]),
        variants: c.variants.map((v) => ({
          name: v.name,
          id: v.id,
          first_step_ids: [v.stepId ?? `${v.id}-step`],
        })),
        steps: c.variants.map((v) => ({
          name: v.stepName ?? `${v.name} step`,
          type: "email",
          id: v.stepId ?? `${v.id}-step`,
          next_step_ids: [],
          channels: ["email"],
          messages: Object.fromEntries(
            v.messages.map((m) => [
              m.id,
              { channel: m.channel ?? "email", subject: m.subject, body: m.body },
            ]),
          ),
        })),
      },
    };
  }

  /** GET /canvas/data_series: `length` 1–14, or `starting_at`. */
  canvasSeries(ctx: RouteContext): RouteResult {
    const q = ctx.query;
    const [id] = byId(q, "canvas_id", this.store.canvases, "Invalid Canvas ID");
    const end = endingAt(q, ctx.now);
    let length: number;
    if (q.get("starting_at")) {
      const start = Date.parse(q.get("starting_at") ?? "");
      if (Number.isNaN(start) || start > end)
        throw bad("starting_at must be an ISO 8601 datetime before ending_at");
      length = Math.floor(end / 86_400_000) - Math.floor(start / 86_400_000) + 1;
      if (length > 14) throw bad("the range must be at most 14 days");
    } else length = intParam(q, "length", 1, 14);
    const data = canvasSeries(this.store, id, end, length, {
      variants: q.get("include_variant_breakdown") === "true",
      steps: q.get("include_step_breakdown") === "true",
    });
    return { status: 200, body: { message: "success", data } };
  }

  /** GET /segments/list. */
  segmentsList(ctx: RouteContext): RouteResult {
    const p = intParam(ctx.query, "page", 0, 1_000_000, 0);
    let rows = [...this.store.segments.values()];
    if (ctx.query.get("sort_direction") === "desc") rows = rows.reverse();
    return {
      status: 200,
      body: {
        message: "success",
        segments: rows
          .slice(p * PAGE, (p + 1) * PAGE)
          .map((s) => ({ id: s.id, name: s.name, analytics_tracking_enabled: true, tags: s.tags ?? [] })),
      },
    };
  }

  /** GET /segments/details. */
  segmentDetails(ctx: RouteContext): RouteResult {
    const [, s] = byId(ctx.query, "segment_id", this.store.segments, "Invalid Segment ID");
    return {
      status: 200,
      body: {
        message: "success",
        name: s.name,
        description: s.description ?? `${s.externalIds.length} listed users`,
        text_description: s.description ?? "",
        tags: s.tags ?? [],
        teams: [],
        created_at: "2024-01-01T00:00:00+00:00",
        updated_at: "2024-01-01T00:00:00+00:00",
      },
    };
  }

  /** GET /segments/data_series: `length` required, 1–100. */
  segmentSeries(ctx: RouteContext): RouteResult {
    const [, s] = byId(ctx.query, "segment_id", this.store.segments, "Invalid Segment ID");
    const length = intParam(ctx.query, "length", 1, 100);
    const data = seriesDays(endingAt(ctx.query, ctx.now), length).map((time) => ({
      time,
      size: s.externalIds.length,
    }));
    return { status: 200, body: { message: "success", data } };
  }
}
