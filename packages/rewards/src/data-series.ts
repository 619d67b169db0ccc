// Turns campaigns/data_series and canvas/data_series responses into per-variation, per-day rows: trials
// and successes for Beta-Bernoulli arms, revenue for Gaussian ones, and every raw counter for reports.
import { ValidationError } from "@kairos/core";
import { z } from "zod";
import { parseTime, utcDay } from "./time.js";
import { describeIssue } from "./zod-util.js";

/** One variation (or Canvas step) on one day. */
export interface VariationDay {
  source: "campaign" | "canvas";
  /** campaign_id or canvas_id (the responses do not carry it; the caller passes it). */
  sourceId: string;
  level: "variation" | "step";
  /** Channel for campaign rows (`email`, `sms`…); null for Canvas variants. */
  channel: string | null;
  /** variation_api_id, Canvas variant id, or Canvas step id. */
  variationId: string;
  variationName: string | null;
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  trials: number;
  successes: number;
  revenue: number;
  /** Every numeric counter Braze reported (absent counters are absent, not 0). */
  stats: Record<string, number>;
}

/** Which counters become trials and successes. */
export interface SeriesOptions {
  /** Conversions by event time (`conversions`) or by send/entry time (`conversions_by_send_time`). Default event_time. */
  countBy?: "event_time" | "send_time";
  /** Conversion event A–D of the campaign (0–3 → `conversions`, `conversions1`…). Default 0. */
  conversion?: 0 | 1 | 2 | 3;
  /** Counter used as trials. Default: `sent` (or `enrolled` for a control group) for campaigns, `entries` for Canvas variants. */
  trials?: string;
  /** Counter used as successes, overriding the conversion choice (e.g. `unique_clicks`). */
  successes?: string;
}

const counters = z.looseObject({}).transform((o) => {
  const stats: Record<string, number> = {};
  for (const [k, v] of Object.entries(o)) if (typeof v === "number" && Number.isFinite(v)) stats[k] = v;
  return { raw: o, stats };
});

const campaignSeries = z.looseObject({
  data: z.array(
    z.looseObject({
      time: z.string(),
      messages: z.record(z.string(), z.array(counters)).optional(),
    }),
  ),
});

const canvasSeries = z.looseObject({
  data: z.looseObject({
    name: z.string().optional(),
    stats: z.array(
      z.looseObject({
        time: z.string(),
        total_stats: counters.optional(),
        variant_stats: z.record(z.string(), counters).optional(),
        step_stats: z
          .record(
            z.string(),
            z.looseObject({
              name: z.string().optional(),
              messages: z.record(z.string(), z.array(counters)).optional(),
            }),
          )
          .optional(),
      }),
    ),
  }),
});

function dayOf(time: string, field: string): string {
  const t = parseTime(time);
  if (Number.isNaN(t)) throw new ValidationError(field, `"${time}" is not a date`);
  return utcDay(t);
}

function parse<T>(schema: z.ZodType<T>, input: unknown, prefix: string): T {
  const r = schema.safeParse(input);
  if (!r.success) {
    const { field, message } = describeIssue(prefix, r.error);
    throw new ValidationError(field, message);
  }
  return r.data;
}

function conversionField(options: SeriesOptions, entryTime: boolean): string {
  const n = options.conversion ?? 0;
  const base = n === 0 ? "conversions" : `conversions${n}`;
  if ((options.countBy ?? "event_time") === "event_time") return base;
  return entryTime ? `${base}_by_entry_time` : `${base}_by_send_time`;
}

/** Parses a `campaigns/data_series` response into one row per day, channel and variation. */
export function campaignSeriesRows(
  response: unknown,
  campaignId: string,
  options: SeriesOptions = {},
): VariationDay[] {
  const parsed = parse(campaignSeries, response, "response");
  const successField = options.successes ?? conversionField(options, false);
  const out: VariationDay[] = [];
  parsed.data.forEach((day, d) => {
    const date = dayOf(day.time, `response.data[${d}].time`);
    for (const [channel, entries] of Object.entries(day.messages ?? {})) {
      entries.forEach(({ raw, stats }, i) => {
        const id = typeof raw.variation_api_id === "string" ? raw.variation_api_id : undefined;
        const name = typeof raw.variation_name === "string" ? raw.variation_name : null;
        const trials = options.trials !== undefined ? stats[options.trials] : (stats.sent ?? stats.enrolled);
        out.push({
          source: "campaign",
          sourceId: campaignId,
          level: "variation",
          channel,
          variationId: id ?? name ?? `${channel}#${i}`,
          variationName: name,
          day: date,
          trials: trials ?? 0,
          successes: stats[successField] ?? 0,
          revenue: stats.revenue ?? 0,
          stats,
        });
      });
    }
  });
  return out;
}

/** Parses a `canvas/data_series` response into variant rows (and step rows when step stats are present). */
export function canvasSeriesRows(
  response: unknown,
  canvasId: string,
  options: SeriesOptions = {},
): VariationDay[] {
  const parsed = parse(canvasSeries, response, "response");
  const successField = options.successes ?? conversionField(options, true);
  const trialsField = options.trials ?? "entries";
  const out: VariationDay[] = [];
  parsed.data.stats.forEach((day, d) => {
    const date = dayOf(day.time, `response.data.stats[${d}].time`);
    const variants = day.variant_stats ?? (day.total_stats ? { "(total)": day.total_stats } : {});
    for (const [id, { raw, stats }] of Object.entries(variants)) {
      out.push({
        source: "canvas",
        sourceId: canvasId,
        level: "variation",
        channel: null,
        variationId: id,
        variationName: typeof raw.name === "string" ? raw.name : null,
        day: date,
        trials: stats[trialsField] ?? 0,
        successes: stats[successField] ?? 0,
        revenue: stats.revenue ?? 0,
        stats,
      });
    }
    for (const [stepId, step] of Object.entries(day.step_stats ?? {})) {
      for (const [channel, entries] of Object.entries(step.messages ?? {})) {
        entries.forEach(({ stats }, i) => {
          out.push({
            source: "canvas",
            sourceId: canvasId,
            level: "step",
            channel,
            variationId: entries.length > 1 ? `${stepId}#${i}` : stepId,
            variationName: step.name ?? null,
            day: date,
            trials: stats[options.trials ?? "sent"] ?? 0,
            successes: stats[options.successes ?? "unique_clicks"] ?? 0,
            revenue: stats.revenue ?? 0,
            stats,
          });
        });
      }
    }
  });
  return out;
}
