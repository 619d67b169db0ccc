// The closed loop, end to end: a @kairos/core policy decides, the @kairos/braze-adapter Activator sends
// through the fake Braze over real HTTP, a @kairos/sim population answers the sends, the fake reports the
// events in users/track shape, @kairos/rewards joins them into rewards, and the policy learns overnight.
// The packages meet only here, through their public interfaces.
//
// Run: pnpm closed-loop [--days 14] [--customers 1200] (--help for the options)

import { parseArgs } from "node:util";
import { Activator, BrazeClient, ManualClock, SqliteSendLedger } from "@kairos/braze-adapter";
import {
  type AudienceEvent,
  type AudienceResponder,
  type FakeCampaign,
  type RecordedSend,
  startFakeBraze,
} from "@kairos/braze-adapter/testing";
import { type ActionSpace, type Context, createPolicy, type Decision } from "@kairos/core";
import { defineMetric, RewardJoiner, sentDecision } from "@kairos/rewards";
import { buildWorld, calendarOf, hashString, loadScenario, rewardScaleOf, type World } from "@kairos/sim";

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Monday 5 January 2026, midnight UTC: day 0 of the simulation. */
const START = Date.UTC(2026, 0, 5);

export interface ClosedLoopOptions {
  scenarioPath?: string;
  days?: number;
  customers?: number;
  seed?: string;
  /** Called after each simulated day. */
  onDay?: (day: DayReport) => void;
}

/** What one simulated day did. */
export interface DayReport {
  day: number;
  sends: number;
  /** Rewards that became final overnight and were learned from. */
  learned: number;
  /** Mean true expected reward (scenario units) of the actions the policy chose that day. */
  policyExpected: number;
  /** Same customers, same day: mean expected reward of a uniformly random eligible action. */
  randomExpected: number;
  /** Same customers, same day: mean expected reward of each customer's best action. */
  oracleExpected: number;
}

/**
 * A simulated population behind the fake Braze: given a send, the scenario's true response model decides
 * whether and when the customer buys or unsubscribes.
 */
class PopulationAudience implements AudienceResponder {
  private readonly evaluation;
  private readonly seedHash: number;
  readonly recent = new Map<number, number[]>();

  constructor(private readonly world: World) {
    this.evaluation = world.model.newEvaluation();
    this.seedHash = hashString(world.seed);
  }

  /** Messages customer i received in the scenario's fatigue window before `day`. */
  recentCount(i: number, day: number): number {
    const window = this.world.scenario.fatigue?.window ?? 7;
    return (this.recent.get(i) ?? []).filter((d) => d < day && d >= day - window).length;
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
    model.evaluate(i, cal, this.recentCount(i, day), this.evaluation);
    this.recent.set(i, [...(this.recent.get(i) ?? []), day]);
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

/** Runs the loop for `days` simulated days and reports each day. */
export async function runClosedLoop(options: ClosedLoopOptions = {}): Promise<DayReport[]> {
  const scenario = loadScenario(options.scenarioPath ?? new URL("../default.json", import.meta.url).pathname);
  const world = buildWorld(scenario, options.seed ?? "closed-loop", options.customers ?? 1200);
  const { space, population, model } = world;
  if (!space.dimensions.includes("channel") || !space.dimensions.includes("hour")) {
    throw new Error("the closed loop maps the scenario's channel and hour dimensions onto Braze");
  }
  const scale = rewardScaleOf(scenario);
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
  const ledger = new SqliteSendLedger(":memory:");
  const activator = new Activator({
    client,
    ledger,
    clock,
    mapping: {
      targetDimension: "channel",
      targets: Object.fromEntries(channels.map((c) => [c, { kind: "campaign", campaignId: `promo-${c}` }])),
      timing: { hourDimension: "hour", defaultTimeZone: "UTC" },
    },
    reconcileDelayMs: 10 * 60_000,
  });
  const metric = defineMetric({
    name: "net_revenue",
    window: `${model.window + 1}d`,
    components: [
      { name: "revenue", counts: { type: "purchase" }, aggregate: "sum" },
      { name: "unsubscribed", counts: { type: "event", name: "unsubscribe" }, aggregate: "first" },
    ],
    objective: `revenue - ${scenario.unsubscribe?.penalty ?? 0} * unsubscribed`,
  });
  const joiner = new RewardJoiner(metric);
  const policy = createPolicy({
    kind: "factorised-thompson",
    actionSpace: space,
    context: world.context,
    seed: options.seed ?? "closed-loop",
    propensityDraws: 20,
  });

  const reports: DayReport[] = [];
  const evaluation = model.newEvaluation();
  let fetchedUntil = START;
  let sendsSeen = 0;
  try {
    for (let day = 0; day < (options.days ?? 14); day++) {
      const dayStart = START + day * DAY;
      clock.set(dayStart);
      const cal = calendarOf(scenario, day);
      const due: number[] = [];
      for (let i = 0; i < population.size; i++) {
        const c = population.cadence[i]!;
        if (day >= population.offset[i]! && (day - population.offset[i]!) % c === 0) due.push(i);
      }
      const contexts: Context[] = due.map((i) => ({
        ...population.contexts[i],
        weekend: cal.weekend,
        recentMessages: audience.recentCount(i, day),
      }));
      const decisions: Decision[] = policy.decideBatch(
        contexts,
        due.map((i) => ({ decisionId: `d${day}-c${i}` })),
      );
      // Ground truth for the report: what the chosen, a random and the best action were worth.
      let chosen = 0;
      let random = 0;
      let best = 0;
      due.forEach((i, j) => {
        model.evaluate(i, cal, audience.recentCount(i, day), evaluation);
        const e = evaluation.expected;
        chosen += e[model.positionOf[decisions[j]!.actionIndex]!]!;
        random += e.reduce((s, v) => s + v, 0) / e.length;
        best += Math.max(...e);
      });
      await activator.enqueue(
        decisions.map((decision, j) => ({ decision, recipient: { externalId: `c${due[j]}` } })),
      );
      await activator.run();
      if (fake.internalErrors.length > 0) throw fake.internalErrors[0];
      const sentAt = new Map(fake.sends.slice(sendsSeen).map((s) => [s.properties.kairos_decision_id, s.at]));
      sendsSeen = fake.sends.length;
      for (const [j, decision] of decisions.entries()) {
        const sent = sentAt.get(decision.decisionId);
        if (sent === undefined) throw new Error(`decision ${decision.decisionId} was not sent`);
        joiner.addDecision(
          sentDecision(decision, { userId: `c${due[j]}`, sentAt: sent, context: contexts[j]! }),
        );
      }
      // Overnight: read what customers did, close the windows that ended, learn from final rewards.
      clock.set(dayStart + DAY);
      joiner.ingestTrack(fake.trackBody({ since: fetchedUntil }), clock.now());
      fetchedUntil = clock.now();
      joiner.advanceTo(clock.now());
      const batch = joiner.takeBatch();
      if (batch.feedback.length > 0) {
        policy.update(batch.feedback.map((f) => ({ ...f, reward: f.reward / scale })));
        joiner.ack(batch.through);
      }
      const n = Math.max(due.length, 1);
      const report = {
        day,
        sends: decisions.length,
        learned: batch.feedback.length,
        policyExpected: chosen / n,
        randomExpected: random / n,
        oracleExpected: best / n,
      };
      reports.push(report);
      options.onDay?.(report);
    }
  } finally {
    await ledger.close();
    await client.close();
    await fake.close();
  }
  return reports;
}

/** Help of `pnpm closed-loop`. */
export const USAGE = `usage: pnpm closed-loop [options]

Runs the production loop end to end on the default scenario: a factorised Thompson policy decides, the
Activator sends through the fake Braze over HTTP, simulated customers answer, the reward joiner turns their
events into rewards and the policy learns overnight; prints one line per day.

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
    `closed loop · default scenario · ${customers} customers · ${days} days · fake Braze on 127.0.0.1\n`,
  );
  console.log("day  sends  learned  policy E[reward]  random E[reward]  oracle E[reward]  policy / oracle");
  const reports = await runClosedLoop({
    days,
    customers,
    onDay: (r) =>
      console.log(
        `${String(r.day).padStart(3)}  ${String(r.sends).padStart(5)}  ${String(r.learned).padStart(7)}  ${r.policyExpected.toFixed(2).padStart(16)}  ${r.randomExpected.toFixed(2).padStart(16)}  ${r.oracleExpected.toFixed(2).padStart(16)}  ${((100 * r.policyExpected) / r.oracleExpected).toFixed(1).padStart(14)}%`,
      ),
  });
  const half = Math.floor(reports.length / 2);
  const share = (rs: DayReport[]) =>
    rs.reduce((s, r) => s + r.policyExpected, 0) / rs.reduce((s, r) => s + r.oracleExpected, 0);
  console.log(
    `\nshare of the oracle's expected reward: first half ${(100 * share(reports.slice(0, half))).toFixed(1)}%, second half ${(100 * share(reports.slice(half))).toFixed(1)}%`,
  );
}
