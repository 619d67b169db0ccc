// The decision log exported with its final rewards and read by @kairos/sim's off-policy estimators: a few
// days of the runner against the fake Braze over HTTP, customers converting with known probabilities
// (helpers/world.ts), so the value of a policy on the logged contexts is known exactly.
// (@kairos/sim is the reader of the exported format: this test checks the two agree. The runner's sources
// do not import it.)
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BrazeClient, ManualClock } from "@kairos/braze-adapter";
import { startFakeBraze } from "@kairos/braze-adapter/testing";
import { estimatePolicyValue, type OpeData, opeFromDecisionLog, parseDecisionLog } from "@kairos/sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addDays,
  compileUseCase,
  type ExportLogSummary,
  exportDecisionLog,
  openState,
  type RunnerState,
  renderReport,
  reportData,
  runCli,
  runDay,
  type UseCase,
} from "../src/index.js";
import {
  audienceJsonl,
  CAMPAIGNS,
  customerIds,
  SimulatedCustomers,
  segmentOf,
  testUseCase,
  trueRate,
} from "./helpers/world.js";

const CUSTOMERS = 600;
const DAYS = 8;
const FIRST_DAY = "2026-03-02";
const HOUR = 3_600_000;

/** The true expected reward of each action index (the use case's space order) for a customer. */
function trueRates(useCase: UseCase, externalId: string): number[] {
  const space = useCase.space;
  return Array.from({ length: space.size }, (_, k) => {
    const a = space.recordOf(k);
    return trueRate(segmentOf(externalId), String(a.offer), String(a.channel));
  });
}

/** Σₐ π(a|x) E[r|x, a], averaged over the log's rounds: a policy's true value on the logged contexts. */
function trueValue(useCase: UseCase, customers: readonly string[], data: OpeData): number {
  let total = 0;
  customers.forEach((id, i) => {
    const rates = trueRates(useCase, id);
    const pi = data.pi[i]!;
    for (let k = 0; k < rates.length; k++) total += pi[k]! * rates[k]!;
  });
  return total / customers.length;
}

describe("kairos export-log → kairos-sim ope", () => {
  const dir = mkdtempSync(join(tmpdir(), "kairos-export-log-"));
  const clock = new ManualClock(Date.parse(`${FIRST_DAY}T06:00:00Z`));
  let fake: Awaited<ReturnType<typeof startFakeBraze>>;
  let client: BrazeClient;
  let useCase: UseCase;
  let state: RunnerState;
  const useCaseFile = join(dir, "use-case.json");
  // A large random group: the log the off-policy check evaluates the learned model on (uniform logging).
  // The offers' discounts as attributes: the log's action space carries them to the evaluation.
  const input = testUseCase({
    groups: { random: 0.4, bau: 0.1, holdout: 0.1, bauAction: { offer: "10%", channel: "email" } },
    attributes: {
      offer: { none: { discount: 0 }, "10%": { discount: 0.1 }, "20%": { discount: 0.2 } },
    },
  });

  beforeAll(async () => {
    mkdirSync(join(dir, "outcomes"));
    writeFileSync(join(dir, "audience.jsonl"), audienceJsonl(CUSTOMERS));
    writeFileSync(useCaseFile, JSON.stringify(input));
    useCase = compileUseCase(input, dir);
    fake = await startFakeBraze({
      apiKey: "export-key",
      users: customerIds(CUSTOMERS),
      campaigns: CAMPAIGNS,
      clock: () => clock.now(),
      audience: new SimulatedCustomers(6 * HOUR),
    });
    client = new BrazeClient({ baseUrl: fake.url, apiKey: "export-key", clock });
    state = openState(join(dir, "state"), useCase.id);
    let fetched = clock.now();
    for (let d = 0; d < DAYS; d++) {
      const day = addDays(FIRST_DAY, d);
      clock.set(Date.parse(`${day}T06:00:00Z`));
      writeFileSync(
        join(dir, "outcomes", `${day}-braze.json`),
        JSON.stringify(fake.trackBody({ since: fetched })),
      );
      fetched = clock.now();
      await runDay(useCase, state, client, { day, clock });
      if (fake.internalErrors.length > 0) throw fake.internalErrors[0];
    }
  }, 180_000);

  afterAll(async () => {
    await state?.close();
    await client?.close();
    await fake?.close();
  });

  it("writes every sent decision whose reward is final, with the distribution that gave its propensity", async () => {
    const out = join(dir, "all.jsonl");
    const io = { out: (t: string) => void (printed += t), err: (t: string) => void (errors += t), env: {} };
    let printed = "";
    let errors = "";
    const code = await runCli(["export-log", useCaseFile, "--state", join(dir, "state"), "--out", out], io);
    expect(errors).toBe("");
    expect(code).toBe(0);
    expect(printed).toMatch(/^wrote .*all\.jsonl: \d+ decisions \(kairos \d+, random \d+, bau \d+\)/);
    const { header, rows } = parseDecisionLog(readFileSync(out, "utf8"), useCase.space);
    expect(header).toMatchObject({ format: "kairos-decision-log/v1", policy: "auto", useCase: "promo" });
    expect(header.actionSpace.attributes).toEqual(input.attributes);
    // Every sent decision of the Kairos, random and business-as-usual groups is written or counted out; the
    // last two days' windows (2 days) were still open when the last day learned.
    const sent = state.db
      .prepare("SELECT COUNT(*) FROM decisions WHERE grp <> 'holdout' AND status = 'sent'")
      .pluck()
      .get() as number;
    const open = Number(
      /left out: (\d+) window still open, 0 not sent, 0 without a propensity, 0 with a retired option\n$/.exec(
        printed,
      )?.[1],
    );
    expect(rows.length + open).toBe(sent);
    const lastDays = new Set([addDays(FIRST_DAY, DAYS - 1), addDays(FIRST_DAY, DAYS - 2)]);
    expect(rows.some((r) => lastDays.has(String(r.day)))).toBe(false);
    expect(rows.length).toBeGreaterThan(CUSTOMERS * 5 * 0.85);
    const learned = state.db.prepare("SELECT reward FROM rewards WHERE decision_id = ?").pluck();
    for (const r of rows) {
      expect(learned.get(r.decisionId)).toBe(r.reward);
      const logged = state.decisions.get(r.decisionId)!;
      expect(r.action).toEqual(logged.action);
      expect(r.propensity).toBe(logged.propensity);
      // Every decision's distribution was recomputed from its snapshot and reproduces its propensity.
      expect(r.probabilities).toHaveLength(useCase.space.size);
      expect(r.probabilities![useCase.space.indexOf(r.action)]).toBeCloseTo(r.propensity, 12);
    }
  });

  it("on-policy check: the logging policy's estimated value covers its true value and equals the observed mean", () => {
    const file = join(dir, "on-policy.jsonl");
    const summary: ExportLogSummary = exportDecisionLog(useCase, state, file);
    // `auto` on this space has exact propensities: every distribution reproduces its propensity.
    expect(summary.probabilities).toMatchObject({ exact: summary.probabilities.written, notReproducible: 0 });
    const text = readFileSync(file, "utf8");
    const { data } = opeFromDecisionLog(text, { target: "logging" });
    const customers = parseDecisionLog(text).rows.map((r) => r.customer!);
    const observed = data.r.reduce((a, b) => a + b, 0) / data.r.length;
    const truth = trueValue(useCase, customers, data);
    const [ips, snips, , dr] = estimatePolicyValue(data, { seed: 1 });
    // Target = logging policy: every weight is 1, so IPS and SNIPS are the observed mean exactly.
    expect(ips!.estimate).toBeCloseTo(observed, 12);
    expect(snips!.estimate).toBeCloseTo(observed, 12);
    // The observed mean is an unbiased estimate of Σₐ π(a|x)·p(x, a) over the logged contexts (the
    // conversions are independent Bernoulli draws given them). A 95% interval misses it for 1 seed in 20,
    // so the check widens each to 99.9% (z 3.29 instead of 1.96, about the estimate): a correct join fails
    // it for 1 seed in 1,000, while wrongly joined propensities, distributions or rewards bias it by far more.
    for (const e of [ips!, dr!]) {
      expect(e.ci, e.estimator).not.toBeNull();
      const halfWidth = ((e.ci![1] - e.ci![0]) / 2) * (3.29 / 1.96);
      expect(Math.abs(e.estimate - truth), e.estimator).toBeLessThanOrEqual(halfWidth);
    }
    expect(dr!.ci![0]).toBeLessThanOrEqual(observed);
    expect(dr!.ci![1]).toBeGreaterThanOrEqual(observed);
  });

  it("off-policy: the latest model evaluated on the random group's log covers its true value", () => {
    const file = join(dir, "random.jsonl");
    const summary = exportDecisionLog(useCase, state, file, { groups: ["random"], probabilities: false });
    expect(summary.probabilities).toEqual({ written: 0, exact: 0, notReproducible: 0, ratio: null });
    const text = readFileSync(file, "utf8");
    const snapshot = state.snapshots.latest()!.json;
    const { data } = opeFromDecisionLog(text, { target: "auto", snapshot, seed: 1 });
    const customers = parseDecisionLog(text).rows.map((r) => r.customer!);
    // Uniform logging over the 6 actions: every weight is 6·π(a|x).
    for (let i = 0; i < data.a.length; i++) expect(data.pscore[i]).toBeCloseTo(1 / 6, 12);
    const truth = trueValue(useCase, customers, data);
    // The model has learned (8 days, ~2,000 rewards): its true value is well above random's.
    const randomValue =
      customers.reduce((s, id) => s + trueRates(useCase, id).reduce((a, b) => a + b) / 6, 0) /
      customers.length;
    expect(truth).toBeGreaterThan(randomValue + 0.05);
    const [ips, , , dr] = estimatePolicyValue(data, { seed: 1 });
    for (const e of [ips!, dr!]) {
      expect(e.ci, e.estimator).not.toBeNull();
      expect(e.ci![0], e.estimator).toBeLessThanOrEqual(truth);
      expect(e.ci![1], e.estimator).toBeGreaterThanOrEqual(truth);
    }
  });

  it("reports what one unit of the offers' discount is worth, per segment of customers", () => {
    const data = reportData(useCase, state, clock.now());
    const everyone = data.effects.find((e) => e.segment === "everyone")!;
    expect(Object.keys(everyone.attributes)).toEqual(["offer"]);
    expect(Number.isFinite(everyone.attributes.offer!.discount)).toBe(true);
    expect(renderReport(data)).toContain("per unit of each option attribute");
  });

  it("exports the days asked for", () => {
    const day = addDays(FIRST_DAY, 1);
    const file = join(dir, "one-day.jsonl");
    const summary = exportDecisionLog(useCase, state, file, { from: day, to: day, probabilities: false });
    const { rows } = parseDecisionLog(readFileSync(file, "utf8"));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.day === day)).toBe(true);
    expect(Object.values(summary.exported).reduce((a, b) => a + b)).toBe(rows.length);
  });

  it("refuses bad options with one line and exit code 2", async () => {
    const run = async (...args: string[]) => {
      let err = "";
      const code = await runCli(["export-log", useCaseFile, ...args], {
        out: () => {},
        err: (t) => void (err += t),
        env: {},
      });
      return { code, err };
    };
    expect(await run("--state", join(dir, "state"))).toEqual({
      code: 2,
      err: "kairos export-log: --out FILE.jsonl is required\n",
    });
    expect((await run("--out", join(dir, "x.jsonl"), "--from", "2026-3-1")).err).toBe(
      'kairos export-log: --from needs a day as YYYY-MM-DD, got "2026-3-1"\n',
    );
    expect((await run("--out", join(dir, "x.jsonl"), "--groups", "kairos,holdout")).code).toBe(2);
  });
});
