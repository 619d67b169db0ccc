import type { FakeStore } from "./store.js";
import type { EventRecord, RecordedSend } from "./types.js";

const DAY = 86_400_000;
const dayOf = (t: number) => new Date(Math.floor(t / DAY) * DAY).toISOString().slice(0, 10);

/** The UTC days (`YYYY-MM-DD`) covered by `length` days ending at `endingAt`. */
export function seriesDays(endingAt: number, length: number): string[] {
  const last = Math.floor(endingAt / DAY);
  return Array.from({ length }, (_, i) => new Date((last - length + 1 + i) * DAY).toISOString().slice(0, 10));
}

interface Counters {
  sent: number;
  opens: number;
  unique_opens: number;
  clicks: number;
  unique_clicks: number;
  unsubscribes: number;
  revenue: number;
  conversions: number;
  conversions_by_send_time: number;
  unique_recipients: number;
}

/** Message, conversion and revenue counters of a set of sends, for one day. */
function count(day: string, sends: RecordedSend[], events: EventRecord[]): Counters {
  const sentToday = sends.filter((s) => dayOf(s.at) === day);
  const seqs = new Set(sends.map((s) => s.seq));
  const sentTodaySeqs = new Set(sentToday.map((s) => s.seq));
  const mine = events.filter((e) => e.sendSeq !== undefined && seqs.has(e.sendSeq));
  const today = mine.filter((e) => dayOf(e.at) === day);
  const uniq = (type: string) => new Set(today.filter((e) => e.type === type).map((e) => e.external_id)).size;
  const isConversion = (e: EventRecord) => e.type === "conversion" || e.type === "purchase";
  return {
    sent: sentToday.length,
    opens: today.filter((e) => e.type === "open").length,
    unique_opens: uniq("open"),
    clicks: today.filter((e) => e.type === "click").length,
    unique_clicks: uniq("click"),
    unsubscribes: today.filter((e) => e.type === "unsubscribe").length,
    revenue: today
      .filter((e) => e.kind === "purchase")
      .reduce((s, e) => s + (e.price ?? 0) * (e.quantity ?? 1), 0),
    conversions: today.filter(isConversion).length,
    conversions_by_send_time: mine.filter((e) => isConversion(e) && sentTodaySeqs.has(e.sendSeq ?? -1))
      .length,
    unique_recipients: new Set(sentToday.map((s) => s.externalId)).size,
  };
}

/** Body of /campaigns/data_series for the fake. */
export function campaignSeries(store: FakeStore, campaignId: string, endingAt: number, length: number) {
  const campaign = store.campaigns.get(campaignId);
  const sends = store.sends.filter((s) => s.campaignId === campaignId);
  const events = store.visibleEvents();
  return days(endingAt, length).map((day) => {
    const messages: Record<string, Record<string, unknown>[]> = {};
    for (const v of campaign?.variations ?? []) {
      const channel = v.channel ?? "email";
      const c = count(
        day,
        sends.filter((s) => s.variationId === v.id),
        events,
      );
      const row = v.control
        ? {
            variation_api_id: v.id,
            variation_name: v.name ?? v.id,
            enrolled: 0,
            revenue: 0,
            conversions: 0,
            unique_recipients: 0,
          }
        : {
            variation_api_id: v.id,
            variation_name: v.name ?? v.id,
            ...c,
            delivered: c.sent,
            bounces: 0,
            reported_spam: 0,
          };
      messages[channel] ??= [];
      messages[channel].push(row);
    }
    const total = count(day, sends, events);
    return {
      time: day,
      messages,
      unique_recipients: total.unique_recipients,
      revenue: total.revenue,
      conversions: total.conversions,
      conversions_by_send_time: total.conversions_by_send_time,
    };
  });
}

/** Body of /canvas/data_series for the fake. */
export function canvasSeries(
  store: FakeStore,
  canvasId: string,
  endingAt: number,
  length: number,
  opts: { variants: boolean; steps: boolean },
) {
  const canvas = store.canvases.get(canvasId);
  const sends = store.sends.filter((s) => s.canvasId === canvasId);
  const events = store.visibleEvents();
  const stats = days(endingAt, length).map((day) => {
    const t = count(day, sends, events);
    const row: Record<string, unknown> = {
      time: day,
      total_stats: {
        revenue: t.revenue,
        conversions: t.conversions,
        conversions_by_entry_time: t.conversions_by_send_time,
        entries: t.sent,
      },
    };
    if (opts.variants || opts.steps) {
      const variantStats: Record<string, unknown> = {};
      const stepStats: Record<string, unknown> = {};
      for (const v of canvas?.variants ?? []) {
        const c = count(
          day,
          sends.filter((s) => s.variationId === v.id),
          events,
        );
        variantStats[v.id] = {
          name: v.name,
          revenue: c.revenue,
          conversions: c.conversions,
          conversions_by_entry_time: c.conversions_by_send_time,
          entries: c.sent,
        };
        stepStats[v.stepId ?? `${v.id}-step`] = {
          name: v.stepName ?? `${v.name} step`,
          revenue: c.revenue,
          conversions: c.conversions,
          conversions_by_entry_time: c.conversions_by_send_time,
          messages: {
            email: [
              {
                sent: c.sent,
                opens: c.opens,
                unique_opens: c.unique_opens,
                clicks: c.clicks,
                unique_clicks: c.unique_clicks,
                unsubscribes: c.unsubscribes,
                bounces: 0,
                delivered: c.sent,
                reported_spam: 0,
              },
            ],
          },
        };
      }
      if (opts.variants) row.variant_stats = variantStats;
      if (opts.steps) row.step_stats = stepStats;
    }
    return row;
  });
  return { name: canvas?.name ?? canvasId, stats };
}

function days(endingAt: number, length: number): string[] {
  return seriesDays(endingAt, length);
}
