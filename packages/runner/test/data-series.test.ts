// Braze vs Kairos end to end over real HTTP on 127.0.0.1: seven simulated days against the fake Braze,
// whose data_series counts the very sends and purchases Kairos made and learned from, except one night
// whose SMS purchases never reach the outcomes folder (tracking broken for a day). Each day pulls the
// trailing 14 days of both campaigns; the reconciliation must match exactly where both saw the same
// events, flag the broken day, and leave days whose rewards are not final unjudged.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BrazeClient, ManualClock } from "@kairos/braze-adapter";
import { type FakeBrazeOptions, startFakeBraze } from "@kairos/braze-adapter/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addDays,
  type BrazeComparison,
  brazeComparison,
  compileUseCase,
  doctor,
  openState,
  pullDataSeries,
  type RunnerState,
  renderReport,
  reportData,
  runDay,
  statusText,
  type UseCase,
  type UseCaseInput,
} from "../src/index.js";
import {
  audienceJsonl,
  CAMPAIGNS,
  customerIds,
  liquidTag,
  SimulatedCustomers,
  testUseCase,
} from "./helpers/world.js";

const CUSTOMERS = 200;
const DAYS = 7;
const FIRST_DAY = "2026-03-02";
/** Day whose SMS purchases are dropped from the outcome file written the next morning. */
const BROKEN_DAY = addDays(FIRST_DAY, 2);
const HOUR = 3_600_000;

interface World {
  dir: string;
  fake: Awaited<ReturnType<typeof startFakeBraze>>;
  client: BrazeClient;
  useCase: UseCase;
  state: RunnerState;
  /** The day's data_series notes. */
  notes: string[];
}

/**
 * Runs `days` days from FIRST_DAY; each morning yesterday's events reach the outcomes folder, except the SMS
 * purchases of `dropSmsOf` (tracking broken for a day).
 */
async function simulate(
  clock: ManualClock,
  input: UseCaseInput,
  fakeOptions: Partial<FakeBrazeOptions>,
  days: number,
  dropSmsOf?: string,
): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), "kairos-data-series-"));
  mkdirSync(join(dir, "outcomes"));
  writeFileSync(join(dir, "audience.jsonl"), audienceJsonl(CUSTOMERS));
  const useCase = compileUseCase(input, dir);
  const fake = await startFakeBraze({
    apiKey: "ds-key",
    users: customerIds(CUSTOMERS),
    clock: () => clock.now(),
    audience: new SimulatedCustomers(6 * HOUR),
    ...fakeOptions,
  });
  const client = new BrazeClient({ baseUrl: fake.url, apiKey: "ds-key", clock });
  const state = openState(join(dir, "state"), useCase.id);
  const notes: string[] = [];
  let fetched = clock.now();
  for (let d = 0; d < days; d++) {
    const day = addDays(FIRST_DAY, d);
    clock.set(Date.parse(`${day}T06:00:00Z`));
    const body = fake.trackBody({ since: fetched });
    fetched = clock.now();
    if (addDays(day, -1) === dropSmsOf) {
      const sms = new Set(
        fake.sends.filter((s) => s.channel === "sms").map((s) => String(s.properties.kairos_decision_id)),
      );
      body.purchases = body.purchases?.filter(
        (p) =>
          !sms.has(String((p.properties as Record<string, unknown> | undefined)?.kairos_decision_id)) ||
          !String(p.time).startsWith(dropSmsOf),
      );
    }
    writeFileSync(join(dir, "outcomes", `${day}.json`), JSON.stringify(body));
    await runDay(useCase, state, client, {
      day,
      clock,
      onProgress: (p) => p.step === "data_series" && notes.push(p.message),
    });
    if (fake.internalErrors.length > 0) throw fake.internalErrors[0];
  }
  return { dir, fake, client, useCase, state, notes };
}

/** Days that are judged (every reward final) with sends on either side. */
const judgedRows = (c: BrazeComparison) =>
  c.rows.filter((r) => r.verdict !== "open" && r.sends.braze + r.sends.kairos > 0);

describe("data_series: Braze vs Kairos against the fake Braze", () => {
  const clock = new ManualClock(Date.parse(`${FIRST_DAY}T06:00:00Z`));
  let dir: string;
  let fake: World["fake"];
  let client: BrazeClient;
  let useCase: UseCase;
  let state: RunnerState;
  let notes: string[];

  beforeAll(async () => {
    ({ dir, fake, client, useCase, state, notes } = await simulate(
      clock,
      testUseCase(),
      {
        campaigns: CAMPAIGNS,
        restrictedKeys: { "no-series-key": ["campaigns.list", "campaigns.details", "users.export.ids"] },
      },
      DAYS,
      BROKEN_DAY,
    ));
  }, 120_000);

  afterAll(async () => {
    await state?.close();
    await client?.close();
    await fake?.close();
  });

  it("pulls every day and keeps one row per campaign, variation and day (re-pulls replace)", async () => {
    expect(notes).toHaveLength(DAYS);
    expect(notes[0]).toMatch(/^28 rows of 2 campaigns\/Canvases over 14 days, 28 new or revised$/);
    // The next day's pull adds two rows (the new day) and revises yesterday's, whose purchases came since.
    const changed = Number(/(\d+) new or revised/.exec(notes[1]!)![1]);
    expect(changed).toBeGreaterThan(2);
    // Day k pulls days k-13..k: 14 + 6 distinct days over the week, for two campaigns of one variation each.
    const rows = state.db.prepare("SELECT COUNT(*) FROM braze_series").pluck().get();
    expect(rows).toBe(2 * (14 + DAYS - 1));
    // Summed over the kept rows, Braze's sends are the fake's sends: nothing counted twice.
    const sent = state.db.prepare("SELECT SUM(trials) FROM braze_series").pluck().get();
    expect(sent).toBe(fake.sends.length);
    // A re-pull of the same moment changes nothing and adds no row.
    const again = await pullDataSeries(useCase, state, client, clock.now());
    expect(again.rows).toBe(28);
    expect(again.changed).toBe(0);
    expect(state.db.prepare("SELECT COUNT(*) FROM braze_series").pluck().get()).toBe(rows);
  });

  it("matches Braze exactly where both saw the same events, and flags the broken day", () => {
    const c = brazeComparison(useCase, state, clock.now());
    const judged = judgedRows(c);
    // A 2-day window: after the last run, the first four days have final rewards; the last three do not.
    expect([...new Set(judged.map((r) => r.day))]).toEqual([0, 1, 2, 3].map((k) => addDays(FIRST_DAY, k)));
    expect([...new Set(c.rows.filter((r) => r.verdict === "open").map((r) => r.day))].sort()).toEqual(
      [4, 5, 6].map((k) => addDays(FIRST_DAY, k)),
    );
    for (const r of judged) {
      expect(r.sends.braze).toBeGreaterThan(0);
      expect(r.sends.kairos).toBe(r.sends.braze);
      if (r.day === BROKEN_DAY && r.target.startsWith("campaign promo-sms")) continue;
      expect(r).toMatchObject({ verdict: "agree", flags: [] });
      expect(r.conversions.kairos).toBe(r.conversions.braze);
    }
    expect(judged.reduce((s, r) => s + r.conversions.braze, 0)).toBeGreaterThan(20);
    const broken = judged.find((r) => r.day === BROKEN_DAY && r.target.startsWith("campaign promo-sms"))!;
    // Every SMS purchase of that day was dropped: Kairos learned none of Braze's conversions.
    expect(broken.conversions.kairos).toBe(0);
    expect(broken.conversions.braze).toBeGreaterThanOrEqual(c.minDifference);
    expect(broken.verdict).toBe("disagree");
    expect(broken.flags.join(" ")).toMatch(/not be reaching the outcomes folder/);
  });

  it("shows the reconciliation in the report and in kairos status", async () => {
    const html = renderReport(reportData(useCase, state, clock.now()));
    expect(html).toContain("<h2>Braze vs Kairos</h2>");
    expect(html).toMatch(/class="disagree"><td>2026-03-04<\/td><td>campaign promo-sms \(sms\)/);
    expect(html).toContain("Kairos never learns from them");
    const text = await statusText(state, 14, useCase, clock.now());
    expect(text).toContain("Braze vs Kairos (data_series");
    expect(text).toMatch(
      /2026-03-04 {2}campaign promo-sms \(sms\) .* disagree\n {2}! Braze counted more conversions/,
    );
    expect(text).toMatch(/2026-03-08 {2}campaign promo-email \(email\) .* open/);
  });

  it("pulls nothing when the use case turns it off", async () => {
    const off = compileUseCase(testUseCase({ dataSeries: { enabled: false } }), dir);
    const pull = await pullDataSeries(off, state, client, clock.now());
    expect(pull).toMatchObject({
      rows: 0,
      pulled: 0,
      note: "disabled in the use-case file (dataSeries.enabled)",
    });
  });

  it("skips with a note when the key lacks the permission, and doctor lists it as recommended", async () => {
    const restricted = new BrazeClient({ baseUrl: fake.url, apiKey: "no-series-key", clock });
    try {
      const pull = await pullDataSeries(useCase, state, restricted, clock.now());
      expect(pull.pulled).toBe(0);
      expect(pull.note).toContain(
        "skipped campaign promo-email (email): the key lacks campaigns.data_series",
      );
      const checks = await doctor(useCase, join(dir, "state"), {}, restricted);
      const series = checks.filter((c) => c.name.startsWith("data_series"));
      expect(series).toHaveLength(2);
      for (const c of series)
        expect(c).toMatchObject({
          status: "warn",
          detail: "campaigns.data_series: permission missing (403)",
        });
    } finally {
      await restricted.close();
    }
  });
});

describe("data_series: a Canvas target, its variants summed", () => {
  const clock = new ManualClock(Date.parse(`${FIRST_DAY}T06:00:00Z`));
  let world: World;

  beforeAll(async () => {
    const base = testUseCase();
    world = await simulate(
      clock,
      {
        ...base,
        activation: {
          dimension: "channel",
          targets: { email: { campaign: "promo-email" }, sms: { canvas: "promo-canvas" } },
        },
      },
      {
        campaigns: CAMPAIGNS.filter((c) => c.id === "promo-email"),
        canvases: [
          {
            id: "promo-canvas",
            name: "Promo (SMS Canvas)",
            variants: ["a", "b"].map((v) => ({
              id: `promo-canvas-${v}`,
              name: `Variant ${v}`,
              messages: [{ id: `promo-canvas-${v}-sms`, channel: "sms", body: liquidTag("offer_text") }],
            })),
          },
        ],
      },
      5,
    );
  }, 120_000);

  afterAll(async () => {
    await world?.state.close();
    await world?.client.close();
    await world?.fake.close();
  });

  it("reconciles Canvas entries and conversions with Kairos' sends and rewards", () => {
    const variants = world.state.db
      .prepare("SELECT DISTINCT variation_id FROM braze_series WHERE source = 'canvas' ORDER BY 1")
      .pluck()
      .all();
    expect(variants).toEqual(["promo-canvas-a", "promo-canvas-b"]);
    const judged = judgedRows(brazeComparison(world.useCase, world.state, clock.now()));
    // Five days, a 2-day window: the first two are judged.
    expect(judged.map((r) => `${r.day} ${r.target}`)).toEqual(
      [0, 1].flatMap((k) => [
        `${addDays(FIRST_DAY, k)} campaign promo-email (email)`,
        `${addDays(FIRST_DAY, k)} canvas promo-canvas (sms)`,
      ]),
    );
    for (const r of judged) {
      expect(r.sends.braze).toBeGreaterThan(0);
      expect(r.sends.kairos).toBe(r.sends.braze);
      expect(r.conversions.kairos).toBe(r.conversions.braze);
      expect(r.verdict).toBe("agree");
    }
    const canvas = judged.filter((r) => r.target.startsWith("canvas"));
    expect(canvas.reduce((n, r) => n + r.conversions.braze, 0)).toBeGreaterThan(0);
  });
});
