// End to end over real HTTP on 127.0.0.1: 14 simulated days of the runner against the fake Braze with
// injected faults (429s, 500s, dropped connections before and after processing), simulated customers
// answering the sends, outcome files dropped in the folder each night.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BrazeClient, ManualClock } from "@kairos/braze-adapter";
import { startFakeBraze } from "@kairos/braze-adapter/testing";
import { keyedRng } from "@kairos/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addDays,
  compileUseCase,
  openState,
  type RunnerState,
  renderReport,
  reportData,
  runDay,
  type UseCase,
} from "../src/index.js";
import {
  audienceJsonl,
  bestRate,
  CAMPAIGNS,
  customerIds,
  SimulatedCustomers,
  segmentOf,
  testUseCase,
  trueRate,
} from "./helpers/world.js";

const CUSTOMERS = 600;
const DAYS = 14;
const FIRST_DAY = "2026-03-02";
const HOUR = 3_600_000;

describe("kairos day, 14 days against the fake Braze with faults", () => {
  const dir = mkdtempSync(join(tmpdir(), "kairos-runner-e2e-"));
  const clock = new ManualClock(Date.parse(`${FIRST_DAY}T06:00:00Z`));
  let fake: Awaited<ReturnType<typeof startFakeBraze>>;
  let client: BrazeClient;
  let useCase: UseCase;
  let state: RunnerState;
  const perDay: { policy: number; random: number; oracle: number; decided: number }[] = [];

  beforeAll(async () => {
    mkdirSync(join(dir, "outcomes"));
    writeFileSync(join(dir, "audience.jsonl"), audienceJsonl(CUSTOMERS));
    useCase = compileUseCase(testUseCase(), dir);
    fake = await startFakeBraze({
      apiKey: "e2e-key",
      users: customerIds(CUSTOMERS),
      campaigns: CAMPAIGNS,
      clock: () => clock.now(),
      audience: new SimulatedCustomers(6 * HOUR),
      faults: { rate429: 0.05, rate500: 0.05, dropRate: 0.06, seed: 11 },
    });
    client = new BrazeClient({
      baseUrl: fake.url,
      apiKey: "e2e-key",
      clock,
      retry: { baseDelayMs: 5, maxDelayMs: 20 },
    });
    state = openState(join(dir, "state"), useCase.id);
    let fetched = clock.now();
    for (let d = 0; d < DAYS; d++) {
      const day = addDays(FIRST_DAY, d);
      clock.set(Date.parse(`${day}T06:00:00Z`));
      // Overnight drop: what customers did since the last run (users/track shape), plus organic purchases
      // of anyone (also the holdout), as JSON Lines.
      writeFileSync(
        join(dir, "outcomes", `${day}-braze.json`),
        JSON.stringify(fake.trackBody({ since: fetched })),
      );
      fetched = clock.now();
      const organic = customerIds(CUSTOMERS)
        .filter((id) => keyedRng("organic", `${day}/${id}`).next() < 0.02)
        .map((id) =>
          JSON.stringify({
            user_id: id,
            time: `${day}T05:00:00Z`,
            type: "purchase",
            product_id: "x",
            currency: "USD",
            price: 10,
          }),
        );
      writeFileSync(join(dir, "outcomes", `${day}-organic.jsonl`), `${organic.join("\n")}\n`);
      await runDay(useCase, state, client, { day, clock });
      if (fake.internalErrors.length > 0) throw fake.internalErrors[0];
      // Ground truth for today's Kairos decisions: what they, a random action and the best were worth.
      const kairos = state.decisions.forDay(day).filter((r) => r.group === "kairos" && r.action);
      let policy = 0;
      let random = 0;
      let oracle = 0;
      for (const r of kairos) {
        const s = segmentOf(r.externalId);
        policy += trueRate(s, String(r.action!.offer), String(r.action!.channel));
        random +=
          ["none", "10%", "20%"]
            .flatMap((o) => ["email", "sms"].map((c) => trueRate(s, o, c)))
            .reduce((a, b) => a + b) / 6;
        oracle += bestRate(s);
      }
      perDay.push({ policy, random, oracle, decided: kairos.length });
    }
  }, 240_000);

  afterAll(async () => {
    await state?.close();
    await client?.close();
    await fake?.close();
  });

  it("sends every decision exactly once, through faults", async () => {
    const decisions = state.db.prepare("SELECT decision_id, grp, status FROM decisions").all() as {
      decision_id: string;
      grp: string;
      status: string;
    }[];
    const sendsById = new Map<string, number>();
    for (const s of fake.sends) {
      const id = String(s.properties.kairos_decision_id);
      sendsById.set(id, (sendsById.get(id) ?? 0) + 1);
    }
    expect(decisions.length).toBe(CUSTOMERS * DAYS);
    const toSend = decisions.filter((d) => d.grp !== "holdout");
    expect(toSend.every((d) => d.status === "sent")).toBe(true);
    expect(toSend.every((d) => sendsById.get(d.decision_id) === 1)).toBe(true);
    expect(fake.sends.length).toBe(toSend.length);
    // Holdout customers receive nothing.
    expect(decisions.filter((d) => d.grp === "holdout").every((d) => !sendsById.has(d.decision_id))).toBe(
      true,
    );
    // The faults did happen.
    const faults = fake.requests.filter((r) => r.fault !== "none").length;
    expect(faults).toBeGreaterThan(20);
    const ledger = await state.ledger.counts();
    expect(ledger).toMatchObject({ queued: 0, in_flight: 0, failed: 0, sent: toSend.length });
  });

  it("keeps control groups stable and sized as declared", () => {
    const rows = state.db
      .prepare("SELECT grp, COUNT(DISTINCT external_id) AS n, COUNT(*) AS k FROM decisions GROUP BY grp")
      .all() as {
      grp: string;
      n: number;
      k: number;
    }[];
    // Every customer stays in one group all 14 days.
    expect(rows.reduce((s, r) => s + r.n, 0)).toBe(CUSTOMERS);
    for (const r of rows) expect(r.k).toBe(r.n * DAYS);
    const share = Object.fromEntries(rows.map((r) => [r.grp, r.n / CUSTOMERS]));
    // 600 draws: each share within ±0.05 of its target (more than 4 standard deviations).
    for (const [g, target] of Object.entries({ random: 0.1, bau: 0.1, holdout: 0.1, kairos: 0.7 }))
      expect(Math.abs(share[g]! - target)).toBeLessThan(0.05);
  });

  it("learns: the policy's share of the oracle rises well above random", () => {
    const share = (days: typeof perDay, key: "policy" | "random") =>
      days.reduce((s, d) => s + d[key], 0) / days.reduce((s, d) => s + d.oracle, 0);
    const first = perDay.slice(0, 2);
    const last = perDay.slice(-4);
    if (process.env.KAIROS_VERBOSE)
      console.log(
        perDay.map((d) => (d.policy / d.oracle).toFixed(3)).join(" "),
        share(last, "random").toFixed(3),
        fake.requests.filter((r) => r.fault !== "none").length,
        fake.requests.length,
      );
    // Day 0 decides from the prior (≈ random: ~0.55 of the oracle here). After ~10 days of ~400 rewards a
    // day a learning policy reaches ≳ 0.85; the bars sit between the two.
    expect(share(last, "policy")).toBeGreaterThan(share(first, "policy") + 0.1);
    expect(share(last, "policy")).toBeGreaterThan(1.25 * share(last, "random"));
    const snapshots = state.snapshots.list(100);
    expect(snapshots[0]!.learnedThrough).toBeGreaterThan(CUSTOMERS * (DAYS - 4));
  });

  it("reports reward per customer against each control group", () => {
    const data = reportData(useCase, state, clock.now());
    expect(Object.keys(data.overall).sort()).toEqual(["bau", "holdout", "kairos", "random"]);
    expect(data.uplift.map((u) => u.control).sort()).toEqual(["bau", "holdout", "random"]);
    // Kairos beats the holdout (which only converts organically) clearly.
    const vsHoldout = data.uplift.find((u) => u.control === "holdout")!;
    expect(vsHoldout.difference.low).toBeGreaterThan(0);
    const html = renderReport(data);
    expect(html).toContain("Reward per customer");
    expect(html).toContain("segment = young");
    expect(data.explanations.length).toBeGreaterThan(0);
  });
});
