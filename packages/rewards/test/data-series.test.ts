import { describe, expect, it } from "vitest";
import { AggregateLedger, aggregateFeedback, kairosDaily, reconcile } from "../src/aggregate-ledger.js";
import { campaignSeriesRows, canvasSeriesRows } from "../src/data-series.js";
import type { EmittedReward } from "../src/store.js";

const v1 = "6f1b-01";
const campaign = (day: string, sent: number, conversions: number, revenue: number) => ({
  message: "success",
  data: [
    {
      time: day,
      messages: {
        email: [
          {
            variation_name: "Variant 1",
            variation_api_id: v1,
            sent,
            delivered: sent - 2,
            unique_opens: 10,
            revenue,
            conversions,
            conversions_by_send_time: conversions - 1,
          },
          {
            variation_name: "Control Group",
            variation_api_id: "ctrl",
            enrolled: 100,
            revenue: 5,
            unique_recipients: 0,
            conversions: 2,
          },
        ],
      },
      unique_recipients: sent,
      revenue,
      conversions,
    },
  ],
});

describe("campaigns/data_series", () => {
  it("gives per-variation, per-day trials, successes and revenue", () => {
    const rows = campaignSeriesRows(campaign("2024-05-01", 5000, 96, 1834.5), "c1");
    expect(rows.map((r) => [r.variationId, r.day, r.trials, r.successes, r.revenue])).toEqual([
      [v1, "2024-05-01", 5000, 96, 1834.5],
      ["ctrl", "2024-05-01", 100, 2, 5],
    ]);
    expect(
      campaignSeriesRows(campaign("2024-05-01", 5000, 96, 1), "c1", { countBy: "send_time" })[0].successes,
    ).toBe(95);
    expect(
      campaignSeriesRows(campaign("2024-05-01", 5000, 96, 1), "c1", {
        successes: "unique_opens",
        trials: "delivered",
      })[0],
    ).toMatchObject({
      successes: 10,
      trials: 4998,
    });
    expect(() => campaignSeriesRows({ data: [{ time: "someday" }] }, "c1")).toThrow(
      /response\.data\[0\]\.time/,
    );
    expect(() => campaignSeriesRows({ data: "x" }, "c1")).toThrow(/response\.data/);
  });

  it("a re-pulled day replaces, never adds to, what an earlier pull reported", () => {
    const ledger = new AggregateLedger();
    ledger.apply(campaignSeriesRows(campaign("2024-05-01", 5000, 90, 1000), "c1"));
    ledger.apply(campaignSeriesRows(campaign("2024-05-02", 1000, 10, 100), "c1"));
    const changes = ledger.apply(campaignSeriesRows(campaign("2024-05-02", 1200, 14, 130), "c1"));
    const total = ledger.totals().find((t) => t.variationId === v1)!;
    expect(total).toMatchObject({ trials: 6200, successes: 104, revenue: 1130, days: 2 });
    const v1Change = changes.find((c) => c.row.variationId === v1)!;
    expect([v1Change.trials, v1Change.successes, v1Change.revenue]).toEqual([200, 4, 30]);
    // Learning from the changes: 4 new successes, 196 new failures; the control is not an arm.
    const { feedback } = aggregateFeedback(
      changes,
      (r) => (r.variationId === v1 ? { variant: "1" } : undefined),
      "bernoulli",
    );
    expect(feedback).toEqual([
      { context: {}, action: { variant: "1" }, reward: 1, weight: 4 },
      { context: {}, action: { variant: "1" }, reward: 0, weight: 196 },
    ]);
    const down = ledger.apply(campaignSeriesRows(campaign("2024-05-02", 1100, 12, 120), "c1"));
    expect(aggregateFeedback(down, () => 0, "bernoulli").skipped.length).toBeGreaterThan(0);
    const gauss = aggregateFeedback(
      changes,
      (r) => (r.variationId === v1 ? 0 : undefined),
      "gaussian",
    ).feedback;
    expect(gauss).toEqual([{ context: {}, action: 0, reward: 30 / 200, weight: 200 }]);
  });
});

describe("canvas/data_series", () => {
  it("gives variant rows (entries, conversions) and step rows", () => {
    const rows = canvasSeriesRows(
      {
        message: "success",
        data: {
          name: "Winback",
          stats: [
            {
              time: "2024-05-01",
              total_stats: { revenue: 812.4, conversions: 41, conversions_by_entry_time: 38, entries: 2400 },
              variant_stats: {
                "var-1": {
                  name: "Variant 1",
                  revenue: 500.1,
                  conversions: 25,
                  conversions_by_entry_time: 23,
                  entries: 1200,
                },
              },
              step_stats: {
                "step-1": {
                  name: "Offer email",
                  revenue: 400,
                  conversions: 20,
                  messages: { email: [{ sent: 1190, unique_clicks: 96 }] },
                },
              },
            },
          ],
        },
      },
      "cv1",
      { countBy: "send_time" },
    );
    expect(rows.map((r) => [r.level, r.variationId, r.trials, r.successes, r.revenue])).toEqual([
      ["variation", "var-1", 1200, 23, 500.1],
      ["step", "step-1", 1190, 96, 0],
    ]);
  });
});

describe("reconcile", () => {
  it("lines up Braze's counts with Kairos' own by variation and day", () => {
    const reward = (sentAt: number, countedAt: number, value: number) =>
      ({
        sentAt,
        countedAt,
        reward: value,
        feedback: { action: { variant: v1 } },
      }) as unknown as EmittedReward;
    const day = Date.UTC(2024, 4, 1, 10);
    const kairos = kairosDaily(
      [reward(day, day, 1), reward(day, day + 86_400_000, 1), reward(day, day, 0)],
      (r) => String((r.feedback.action as Record<string, string>).variant),
    );
    const out = reconcile(campaignSeriesRows(campaign("2024-05-01", 3, 1, 0), "c1"), kairos);
    const may1 = out.find((r) => r.variationId === v1 && r.day === "2024-05-01")!;
    expect(may1.braze).toEqual({ trials: 3, successes: 1, revenue: 0 });
    expect(may1.kairos).toEqual({ trials: 3, successes: 1, revenue: 1 });
    expect(out.find((r) => r.day === "2024-05-02")?.kairos.successes).toBe(1);
  });
});
