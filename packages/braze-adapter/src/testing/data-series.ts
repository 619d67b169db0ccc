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

const isConversion = (e: EventRecord) => e.type === "conversion" || e.type === "purchase";

/** Items grouped by a key. */
function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/**
 * Message, conversion and revenue counters of a set of sends, by day: sends and their events are indexed
 * by day once, so a series of N days costs one pass over them, not N (a benchmark's day has millions).
 */
function countsByDay(
  sends: readonly RecordedSend[],
  events: readonly EventRecord[],
): (day: string) => Counters {
  const sendDay = new Map<number, string>();
  for (const s of sends) sendDay.set(s.seq, dayOf(s.at));
  const sendsOn = groupBy(sends, (s) => sendDay.get(s.seq)!);
  const mine = events.filter((e) => e.sendSeq !== undefined && sendDay.has(e.sendSeq));
  const eventsOn = groupBy(mine, (e) => dayOf(e.at));
  const conversionsBySendDay = new Map<string, number>();
  for (const e of mine) {
    if (!isConversion(e)) continue;
    const day = sendDay.get(e.sendSeq!)!;
    conversionsBySendDay.set(day, (conversionsBySendDay.get(day) ?? 0) + 1);
  }
  return (day) => {
    const sentToday = sendsOn.get(day) ?? [];
    const today = eventsOn.get(day) ?? [];
    const uniq = (type: string) =>
      new Set(today.filter((e) => e.type === type).map((e) => e.external_id)).size;
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
      conversions_by_send_time: conversionsBySendDay.get(day) ?? 0,
      unique_recipients: new Set(sentToday.map((s) => s.externalId)).size,
    };
  };
}

/** Body of /campaigns/data_series for the fake. */
export function campaignSeries(store: FakeStore, campaignId: string, endingAt: number, length: number) {
  const campaign = store.campaigns.get(campaignId);
  const sends = store.sends.filter((s) => s.campaignId === campaignId);
  const events = store.visibleEvents();
  const total = countsByDay(sends, events);
  const byVariation = groupBy(sends, (s) => s.variationId ?? "");
  const variations = (campaign?.variations ?? []).map((v) => ({
    v,
    count: countsByDay(byVariation.get(v.id) ?? [], events),
  }));
  return days(endingAt, length).map((day) => {
    const messages: Record<string, Record<string, unknown>[]> = {};
    for (const { v, count } of variations) {
      const channel = v.channel ?? "email";
      const c = count(day);
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
    const all = total(day);
    return {
      time: day,
      messages,
      unique_recipients: all.unique_recipients,
      revenue: all.revenue,
      conversions: all.conversions,
      conversions_by_send_time: all.conversions_by_send_time,
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
  const total = countsByDay(sends, events);
  const byVariant = groupBy(sends, (s) => s.variationId ?? "");
  const variants = (canvas?.variants ?? []).map((v) => ({
    v,
    count: countsByDay(byVariant.get(v.id) ?? [], events),
  }));
  const stats = days(endingAt, length).map((day) => {
    const t = total(day);
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
      for (const { v, count } of variants) {
        const c = count(day);
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
