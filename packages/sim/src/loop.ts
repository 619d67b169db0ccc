import type { ActionRecord, ActionSpace, Eligibility, Policy } from "@kairos/core";
import { type Audience, audienceOf, CustomerHistory } from "./loop-audience.js";
import { bestEligible, type Choice, decideAudience, decisionIdOf } from "./loop-decide.js";
import { FeedbackQueue } from "./loop-feedback.js";
import { countPreference, DayTally, emptySeries, perCustomerOf } from "./loop-tally.js";
import type { FeatureValue, Population } from "./population.js";
import { type Calendar, calendarOf, type Evaluation, type ResponseModel } from "./response.js";
import type { Scenario } from "./scenario/schema.js";
import { hashString } from "./streams.js";

/** One logged decision (or holdout non-send), with what the simulator knows about it. */
export interface LoggedDecision {
  day: number;
  customer: number;
  /** The context the policy saw. */
  context: Record<string, FeatureValue>;
  /** Eligibility the policy was given (unsubscribed options denied). */
  eligibility?: Eligibility;
  actionIndex: number;
  action: ActionRecord;
  propensity: number;
  reward: number;
  /** Expected reward of the chosen action, and of the best eligible one (simulator truth). */
  expected: number;
  oracle: number;
  converted: boolean;
  unsubscribed: boolean;
  /** Days until the outcome reached the policy. */
  delay: number;
}

/** Daily series of one simulated group. */
export interface DailySeries {
  /** Customers due that day (decisions made, or holdout customers left alone). */
  opportunities: number[];
  reward: number[];
  expected: number[];
  oracle: number[];
  conversions: number[];
  unsubscribes: number[];
  /** Per dimension: decisions whose option equals the truly best one's. */
  bestMatch: Record<string, number[]>;
}

/** Everything one policy (or holdout) produced on one group of customers. */
export interface GroupRun {
  customers: number;
  days: number;
  daily: DailySeries;
  /** Total reward per customer over the horizon: mean and sample variance (for uplift intervals). */
  perCustomer: { mean: number; variance: number };
  /** Option counts per segment value, per dimension. */
  preferences: Record<string, Record<string, Record<string, number>>>;
}

/** Settings of one simulated group. */
export interface SimulateOptions {
  scenario: Scenario;
  space: ActionSpace;
  population: Population;
  model: ResponseModel;
  seed: string | number;
  /** Customers of this group. */
  customers: Int32Array;
  /** The policy; "oracle" sends the truly best action; null sends nothing (holdout). */
  policy: Policy | "oracle" | null;
  days?: number;
  /** Most customers messaged per day. */
  capacity?: number;
  /** Clip rewards fed to the policy (after scaling) into this range (beta-thompson learns from [0, 1]). */
  clipRewards?: [number, number];
  onDecision?: (entry: LoggedDecision) => void;
  onDay?: (day: number) => void;
}

/**
 * Runs the daily loop for one group: each day the customers due (by cadence, minus the unsubscribed) get
 * one decision each, outcomes are drawn, and each outcome reaches the policy after its delay (a
 * conversion on its day, a non-conversion once the attribution window closes); the policy learns every
 * night from what arrived.
 *
 * The steps, each in its own file: who is due and what the policy sees (`loop-audience.ts`), the policy's
 * and the oracle's choices (`loop-decide.ts`), one customer's send and outcome ({@link serve}, below), the
 * day's totals (`loop-tally.ts`), and the outcomes' way back to the policy (`loop-feedback.ts`).
 */
export function simulateGroup(o: SimulateOptions): GroupRun {
  const group = startGroup(o);
  for (let day = 0; day < group.days; day++) {
    const cal = calendarOf(o.scenario, day);
    const audience = audienceOf(o.customers, o.population, group.history, day, cal, group.capacity);
    const choices = isLearner(o.policy) ? decideAudience(o.policy, audience, day) : undefined;
    const tally = new DayTally(o.space.dimensions.length);
    for (let j = 0; j < audience.customers.length; j++) serve(group, audience, j, day, cal, choices, tally);
    tally.appendTo(group.daily, audience.customers.length, o.space.dimensions, o.policy === null);
    if (isLearner(o.policy)) group.feedback.deliver(day, o.policy);
    o.onDay?.(day);
  }
  return {
    customers: group.totals.size,
    days: group.days,
    daily: group.daily,
    perCustomer: perCustomerOf(group.totals),
    preferences: group.preferences,
  };
}

/** A group's settings and running state over its simulation. */
interface GroupState {
  o: SimulateOptions;
  days: number;
  /** Keys the outcome draws. */
  seedHash: number;
  capacity: { limit: number | undefined; hash: number };
  history: CustomerHistory;
  feedback: FeedbackQueue;
  daily: DailySeries;
  preferences: GroupRun["preferences"];
  /** Per customer, in the group's order: total reward so far. */
  totals: Map<number, number>;
  /** Scratch space: the response model's scores for one customer, and option codes. */
  ev: Evaluation;
  chosenCodes: Int32Array;
  oracleCodes: Int32Array;
}

function startGroup(o: SimulateOptions): GroupState {
  const { scenario, space } = o;
  const days = o.days ?? scenario.days;
  const unsubDim =
    scenario.unsubscribe?.dimension !== undefined ? space.dimensionIndex(scenario.unsubscribe.dimension) : -1;
  const totals = new Map<number, number>();
  for (const i of o.customers) totals.set(i, 0);
  return {
    o,
    days,
    seedHash: hashString(`${o.seed}\u0000outcomes`),
    capacity: { limit: o.capacity, hash: hashString(`${o.seed}\u0000audience`) },
    history: new CustomerHistory(space, scenario.fatigue?.window ?? 7, unsubDim),
    feedback: new FeedbackQueue(days, rewardScaleOf(scenario), o.clipRewards),
    daily: emptySeries(space.dimensions),
    preferences: {},
    totals,
    ev: o.model.newEvaluation(),
    chosenCodes: new Int32Array(space.dimensions.length),
    oracleCodes: new Int32Array(space.dimensions.length),
  };
}

/** Whether the group is run by a policy that decides and learns (not the oracle, not a holdout). */
function isLearner(policy: SimulateOptions["policy"]): policy is Policy {
  return policy !== null && policy !== "oracle";
}

/**
 * One customer's turn on a day: the truly best action, the group's choice (the policy's, the oracle's or,
 * for a holdout, none), the outcome drawn, and everything it changes: the day's totals, the segment's
 * preferences, the customer's history, the feedback on its way to the policy and the decision log.
 */
function serve(
  group: GroupState,
  audience: Audience,
  j: number,
  day: number,
  cal: Calendar,
  choices: Choice[] | undefined,
  tally: DayTally,
): void {
  const { o, ev, history, chosenCodes, oracleCodes } = group;
  const { model, space, population } = o;
  const i = audience.customers[j]!;
  model.evaluate(i, cal, audience.recents[j]!, ev);
  const best = bestEligible(model, ev, history.blocked(i), history.unsubDim);
  // A customer no action can reach (every option left is unsubscribed or ineligible) is skipped.
  if (choices && choices[j] === null) return;
  const { position: f, propensity } = chosenPosition(o.policy, model, best, choices?.[j]);
  const outcome = model.draw(group.seedHash, i, cal, f, ev);
  const expected = f < 0 ? model.organic(i, cal).expected : ev.expected[f]!;
  tally.addOutcome(outcome.reward, expected, outcome.converted);
  group.totals.set(i, group.totals.get(i)! + outcome.reward);
  if (f < 0) return;
  const actionIndex = model.feasible[f]!;
  space.codesOf(actionIndex, chosenCodes);
  space.codesOf(model.feasible[best]!, oracleCodes);
  tally.addSend(ev.expected[best]!, chosenCodes, oracleCodes, outcome.unsubscribed);
  const segmentFeature = o.scenario.population.segmentFeature;
  const segment = segmentFeature ? String(population.values[segmentFeature]![i]) : "all";
  countPreference(group.preferences, segment, space, chosenCodes);
  history.recordSend(i, day);
  if (outcome.unsubscribed) history.recordUnsubscribe(i, chosenCodes);
  const delay = outcome.converted ? outcome.delay : model.window;
  if (isLearner(o.policy)) {
    group.feedback.schedule(day + delay, {
      context: audience.contexts[j]!,
      action: actionIndex,
      reward: outcome.reward,
      decisionId: decisionIdOf(day, i),
      propensity,
    });
  }
  const eligibility = audience.eligibilities[j];
  o.onDecision?.({
    day,
    customer: i,
    context: audience.contexts[j]!,
    ...(eligibility ? { eligibility } : {}),
    actionIndex,
    action: space.recordOf(actionIndex),
    propensity,
    reward: outcome.reward,
    expected,
    oracle: ev.expected[best]!,
    converted: outcome.converted,
    unsubscribed: outcome.unsubscribed,
    delay,
  });
}

/** The feasible position the group sends (-1: nothing, for a holdout) and its propensity (1 unless a policy chose). */
function chosenPosition(
  policy: SimulateOptions["policy"],
  model: ResponseModel,
  best: number,
  choice: Choice | undefined,
): { position: number; propensity: number } {
  if (policy === null) return { position: -1, propensity: 1 };
  if (policy === "oracle") return { position: best, propensity: 1 };
  const position = model.positionOf[choice!.actionIndex]!;
  if (position < 0) throw new Error(`policy chose an infeasible action ${choice!.actionIndex}`);
  return { position, propensity: choice!.propensity };
}

/** What policies' rewards are divided by: the scenario's `rewardScale`, else the mean purchase amount, else 1. */
export function rewardScaleOf(scenario: Scenario): number {
  if (scenario.rewardScale !== undefined) return scenario.rewardScale;
  if (scenario.metric.kind === "conversion" || !scenario.revenue) return 1;
  return Math.exp(scenario.revenue.mu + scenario.revenue.sigma ** 2 / 2);
}
