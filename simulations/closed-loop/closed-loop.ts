// The closed loop is the runner: every simulated day, `runDay` from @kairos/runner (what `kairos day` runs
// in production) reads the day's audience, ingests the outcome files, learns, decides with the control
// groups and sends through the @kairos/braze-adapter Activator to the fake Braze over real HTTP; behind the
// fake, a @kairos/sim population answers the sends with the scenario's true response model, and each night
// the fake's events (users/track shape) are dropped in the use case's outcome folder, as a pipeline would.
// The packages meet here, through their public interfaces; `sim` and the runner do not import each other.
// (The runner is imported by path: it is not a dependency of the repository root, as the others are.)
//
// Run: pnpm closed-loop [--days 14] [--customers 1200] (--help for the options)

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BrazeClient, ManualClock } from "@kairos/braze-adapter";
import {
  type AudienceEvent,
  type AudienceResponder,
  type FakeCampaign,
  type RecordedSend,
  startFakeBraze,
} from "@kairos/braze-adapter/testing";
import type { ActionSpace } from "@kairos/core";
import {
  buildWorld,
  CustomerHistory,
  calendarOf,
  contextOf,
  hashString,
  isDue,
  loadScenario,
  type World,
} from "@kairos/sim";
import {
  addDays,
  compileUseCase,
  type Estimate,
  openState,
  type ReportData,
  reportData,
  runDay,
  type UseCaseInput,
} from "../../packages/runner/src/index.js";

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Monday 5 January 2026, midnight UTC: day 0 of the simulation. */
const START = Date.UTC(2026, 0, 5);

export interface ClosedLoopOptions {
  scenarioPath?: string;
  days?: number;
  customers?: number;
  seed?: string;
  /**
   * Where the use-case file, the audience and outcome files and the runner's state (`state/`) go (default: a
   * temporary directory, removed at the end). Keep one to run `kairos status` or `kairos report` on it.
   */
  stateDir?: string;
  /** Called after each simulated day. */
  onDay?: (day: DayReport) => void;
}

/** What one simulated day did. */
export interface DayReport {
  day: number;
  /** Customers due that day (the day's audience). */
  audience: number;
  /** Decisions per group (Kairos' policy, the random control, the holdout). */
  decided: Record<string, number>;
  sends: number;
  /** Rewards that became final since the previous day and were learned before deciding. */
  learned: number;
  /** Mean true expected reward (scenario units) of the actions Kairos' policy chose that day. */
  policyExpected: number;
  /** Same customers, same day: mean expected reward of a uniformly random action. */
  randomExpected: number;
  /** Same customers, same day: mean expected reward of each customer's best action. */
  oracleExpected: number;
}

/** The run: one report per day, and what the runner's report measured from the outcomes alone. */
export interface ClosedLoopResult {
  days: DayReport[];
  report: ReportData;
}

/**
 * A simulated population behind the fake Braze: given a send, the scenario's true response model decides
 * whether and when the customer buys or unsubscribes.
 */
class PopulationAudience implements AudienceResponder {
  private readonly evaluation;
  private readonly seedHash: number;
  /** The days of each customer's recent messages, as the simulator keeps them (unsubscribes go to Braze). */
  readonly history: CustomerHistory;

  constructor(private readonly world: World) {
    this.evaluation = world.model.newEvaluation();
    this.seedHash = hashString(world.seed);
    this.history = new CustomerHistory(world.space, world.scenario.fatigue?.window ?? 7, -1);
  }

  respond(send: RecordedSend): AudienceEvent[] {
    const { model, space, scenario } = this.world;
    const i = Number(send.externalId.slice(1));
    const day = Math.floor((send.at - START) / DAY);
    // The channel is the campaign's, the hour is when the message actually arrived, the rest travelled
    // as trigger properties.
    const hour = new Date(send.at).getUTCHours();
    const action = { ...send.properties, channel: send.channel, hour } as Record<string, string | number>;
    const record = Object.fromEntries(space.dimensions.map((d) => [d, coerce(space, d, action[d])]));
    const f = model.positionOf[space.indexOf(record)]!;
    const cal = calendarOf(scenario, day);
    // Before today's message is remembered: a customer gets at most one a day, so this counts earlier days'.
    model.evaluate(i, cal, this.history.recentCount(i, day), this.evaluation);
    this.history.recordSend(i, day);
    const outcome = model.draw(this.seedHash, i, cal, f, this.evaluation);
    const events: AudienceEvent[] = [{ type: "open", at: send.at + HOUR }];
    if (outcome.unsubscribed) events.push({ type: "unsubscribe", at: send.at + 2 * HOUR });
    if (outcome.converted) {
      const discount = scenario.metric.discount;
      const rate = discount ? (discount.rates[String(record[discount.dimension])] ?? 0) : 0;
      events.push({
        type: "purchase",
        at: send.at + outcome.delay * DAY + 3 * HOUR,
        productId: "basket",
        price: Math.round(outcome.amount * (1 - rate) * 100) / 100,
        currency: "USD",
        quantity: 1,
        properties: { kairos_decision_id: send.properties.kairos_decision_id },
      });
    }
    return events;
  }
}

/** Option values travel as strings in trigger properties: map them back to the space's typed option. */
function coerce(space: ActionSpace, dimension: string, value: unknown): string | number {
  const k = space.dimensionIndex(dimension);
  return space.options[k]!.find((o) => String(o) === String(value)) ?? String(value);
}

/** The use case the runner runs: the scenario's actions, features and metric, one campaign per channel. */
export function closedLoopUseCase(world: World, seed: string): UseCaseInput {
  const { scenario, space, model } = world;
  const channels = space.options[space.dimensionIndex("channel")]!.map(String);
  return {
    id: "closed-loop",
    description: scenario.description,
    // Net revenue: purchases (the scenario's discount already taken off the price) minus the unsubscribe
    // penalty, over the scenario's longest purchase delay.
    metric: {
      definition: {
        name: "net_revenue",
        window: `${model.window + 1}d`,
        currency: "USD",
        components: [
          { name: "revenue", counts: { type: "purchase" }, aggregate: "sum" },
          { name: "unsubscribed", counts: { type: "event", name: "unsubscribe" }, aggregate: "first" },
        ],
        objective: `revenue - ${scenario.unsubscribe?.penalty ?? 0} * unsubscribed`,
      },
    },
    audience: { file: "audience.jsonl" },
    outcomes: { folder: "outcomes" },
    features: (world.context as { features: UseCaseInput["features"] }).features,
    dimensions: Object.fromEntries(space.dimensions.map((d, k) => [d, [...space.options[k]!]])),
    constraints: scenario.actions.constraints,
    activation: {
      dimension: "channel",
      targets: Object.fromEntries(channels.map((c) => [c, { campaign: `promo-${c}` }])),
    },
    // The scenario's hours are UTC hours; the simulated customers have no time zone.
    sendTime: { hourDimension: "hour", defaultTimeZone: "UTC" },
    groups: { random: 0.1, holdout: 0.1, bau: 0 },
    policy: { kind: "factorised-thompson", seed, propensityDraws: 20 },
  } as UseCaseInput;
}

/** Runs the runner for `days` simulated days against the simulated population and reports each day. */
export async function runClosedLoop(options: ClosedLoopOptions = {}): Promise<ClosedLoopResult> {
  const scenario = loadScenario(options.scenarioPath ?? new URL("../default.json", import.meta.url).pathname);
  const seed = options.seed ?? "closed-loop";
  const world = buildWorld(scenario, seed, options.customers ?? 1200);
  const { space, population, model } = world;
  if (!space.dimensions.includes("channel") || !space.dimensions.includes("hour")) {
    throw new Error("the closed loop maps the scenario's channel and hour dimensions onto Braze");
  }
  const dir = options.stateDir ?? mkdtempSync(join(tmpdir(), "kairos-closed-loop-"));
  mkdirSync(join(dir, "outcomes"), { recursive: true });
  const input = closedLoopUseCase(world, seed);
  // Written beside the state, so `kairos status` and `kairos report` can read a kept state directory.
  writeFileSync(join(dir, "use-case.json"), `${JSON.stringify(input, null, 2)}\n`);
  const useCase = compileUseCase(input, dir);
  const clock = new ManualClock(START);
  const audience = new PopulationAudience(world);
  const channels = space.options[space.dimensionIndex("channel")]!.map(String);
  const liquidProperties = space.dimensions.filter((d) => d !== "channel" && d !== "hour");
  const campaigns: FakeCampaign[] = channels.map((channel) => ({
    id: `promo-${channel}`,
    name: `Weekly promo (${channel})`,
    variations: [
      {
        id: `promo-${channel}-v1`,
        channel,
        subject: liquidProperties.map((p) => `{{api_trigger_properties.\${${p}}}}`).join(" · "),
      },
    ],
  }));
  const fake = await startFakeBraze({
    apiKey: "closed-loop-key",
    users: Array.from({ length: population.size }, (_, i) => `c${i}`),
    campaigns,
    clock: () => clock.now(),
    audience,
  });
  const client = new BrazeClient({ baseUrl: fake.url, apiKey: "closed-loop-key", clock });
  const state = openState(join(dir, "state"), useCase.id);

  const reports: DayReport[] = [];
  const evaluation = model.newEvaluation();
  let fetchedUntil = START;
  try {
    for (let day = 0; day < (options.days ?? 14); day++) {
      const date = addDays(new Date(START).toISOString().slice(0, 10), day);
      clock.set(START + day * DAY);
      // Overnight: what customers did since the last run, dropped in the outcome folder (users/track shape).
      writeFileSync(
        join(dir, "outcomes", `${date}-braze.json`),
        JSON.stringify(fake.trackBody({ since: fetchedUntil })),
      );
      fetchedUntil = clock.now();
      // Today's audience: the customers due today, with what the policy may know about them now.
      const cal = calendarOf(scenario, day);
      const due: number[] = [];
      for (let i = 0; i < population.size; i++) if (isDue(population, i, day)) due.push(i);
      const recent = due.map((i) => audience.history.recentCount(i, day));
      writeFileSync(
        join(dir, "audience.jsonl"),
        due
          .map((i, j) =>
            JSON.stringify({
              external_id: `c${i}`,
              custom_attributes: contextOf(population, i, cal, recent[j]!),
            }),
          )
          .join("\n"),
      );
      const result = await runDay(useCase, state, client, {
        day: date,
        clock,
        activation: { reconcileDelayMs: 10 * 60_000 },
      });
      if (fake.internalErrors.length > 0) throw fake.internalErrors[0];
      // Ground truth for Kairos' decisions: what the chosen, a random and the best action were worth.
      const position = new Map(due.map((i, j) => [`c${i}`, j]));
      let chosen = 0;
      let random = 0;
      let best = 0;
      let n = 0;
      for (const d of state.decisions.forDay(date)) {
        if (d.group !== "kairos" || d.actionIndex === null) continue;
        const j = position.get(d.externalId)!;
        model.evaluate(due[j]!, cal, recent[j]!, evaluation);
        const e = evaluation.expected;
        chosen += e[model.positionOf[d.actionIndex]!]!;
        random += e.reduce((a, v) => a + v, 0) / e.length;
        best += Math.max(...e);
        n++;
      }
      n = Math.max(n, 1);
      const report: DayReport = {
        day,
        audience: due.length,
        decided: result.summary.decided ?? {},
        sends: result.summary.sent ?? 0,
        learned: result.summary.learned ?? 0,
        policyExpected: chosen / n,
        randomExpected: random / n,
        oracleExpected: best / n,
      };
      reports.push(report);
      options.onDay?.(report);
    }
    return { days: reports, report: reportData(useCase, state, clock.now()) };
  } finally {
    await state.close();
    await client.close();
    await fake.close();
    if (options.stateDir === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

/** Help of `pnpm closed-loop`. */
export const USAGE = `usage: pnpm closed-loop [options]

Runs the production loop end to end on the default scenario, through the runner: every simulated day,
runDay (what \`kairos day\` runs) reads the due customers, ingests last night's outcome files, learns, decides
with a random and a holdout control group (10% each), and sends through the Activator to the fake Braze
over HTTP; simulated customers answer the sends. Prints one line per day, then what the runner's report
measured from the outcomes alone.

options:
  --days N       simulated days (default: 14)
  --customers N  customers (default: 1200)
  -h, --help     show this help

example:
  pnpm closed-loop --days 21 --customers 3000
`;

/** Command-line options of the closed loop, or a one-line error (`error`) for bad ones. */
export function parseClosedLoopArgs(
  argv: readonly string[],
): { help: true } | { help: false; days: number; customers: number } | { error: string } {
  if (argv.includes("--help") || argv.includes("-h")) return { help: true };
  let values: { days?: string; customers?: string };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { days: { type: "string" }, customers: { type: "string" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    const err = e as Error & { code?: string };
    const flag = /'(-[^' ]+)/.exec(err.message)?.[1] ?? "";
    if (err.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION")
      return { error: `unknown option ${flag} (options: --days N, --customers N; --help)` };
    if (err.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") return { error: `${flag} needs a value` };
    if (err.code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL")
      return { error: `unexpected argument ${/'([^']*)'/.exec(err.message)?.[1] ?? ""} (--help)` };
    return { error: err.message.split("\n")[0]! };
  }
  const count = (name: "days" | "customers", fallback: number): number | string => {
    const text = values[name];
    if (text === undefined) return fallback;
    const n = Number(text);
    return Number.isInteger(n) && n > 0 ? n : `--${name} needs a positive whole number, got "${text}"`;
  };
  const days = count("days", 14);
  const customers = count("customers", 1200);
  if (typeof days === "string") return { error: days };
  if (typeof customers === "string") return { error: customers };
  return { help: false, days, customers };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = parseClosedLoopArgs(process.argv.slice(2));
  if ("error" in args) {
    console.error(`closed-loop: ${args.error}`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const { days, customers } = args;
  console.log(
    `closed loop · default scenario · ${customers} customers · ${days} days · kairos runDay · fake Braze on 127.0.0.1\n`,
  );
  console.log(
    "day    due  sends  learned  policy E[reward]  random E[reward]  oracle E[reward]  policy / oracle",
  );
  const started = performance.now();
  const { days: reports, report } = await runClosedLoop({
    days,
    customers,
    onDay: (r) =>
      console.log(
        `${String(r.day).padStart(3)}  ${String(r.audience).padStart(5)}  ${String(r.sends).padStart(5)}  ${String(r.learned).padStart(7)}  ${r.policyExpected.toFixed(2).padStart(16)}  ${r.randomExpected.toFixed(2).padStart(16)}  ${r.oracleExpected.toFixed(2).padStart(16)}  ${((100 * r.policyExpected) / r.oracleExpected).toFixed(1).padStart(14)}%`,
      ),
  });
  const half = Math.floor(reports.length / 2);
  const share = (rs: DayReport[]) =>
    rs.reduce((s, r) => s + r.policyExpected, 0) / rs.reduce((s, r) => s + r.oracleExpected, 0);
  console.log(
    `\nshare of the oracle's expected reward: first half ${(100 * share(reports.slice(0, half))).toFixed(1)}%, second half ${(100 * share(reports.slice(half))).toFixed(1)}%`,
  );
  const estimate = (e: Estimate | undefined) =>
    e ? `${e.mean.toFixed(2)} (95% ${e.low.toFixed(2)} to ${e.high.toFixed(2)})` : "n/a";
  console.log(
    `the runner's report (outcomes only, final rewards): net revenue per customer ${Object.entries(
      report.overall,
    )
      .map(([g, e]) => `${g} ${estimate(e)}`)
      .join(", ")}`,
  );
  for (const u of report.uplift) console.log(`  Kairos − ${u.control}: ${estimate(u.difference)}`);
  console.log(`${((performance.now() - started) / 1000).toFixed(1)} s`);
}
