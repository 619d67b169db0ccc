import type { ActionRecord } from "@kairos/core";
import { isDue } from "../loop-audience.js";
import { calendarOf } from "../response.js";
import type { World } from "../world.js";

/** Mean and standard deviation of the reward of one send. */
export interface SendStats {
  mean: number;
  sd: number;
  /** Sends the figures are taken over. */
  sends: number;
}

/** Messages a customer contacted at every due day got in the fatigue window before `day` (as the loop counts). */
function recentUnderFixed(world: World, i: number, day: number): number {
  const window = world.scenario.fatigue?.window ?? 7;
  let n = 0;
  for (let d = Math.max(0, day - window); d < day; d++) if (isDue(world.population, i, d)) n++;
  return n;
}

/**
 * Visits every send a policy that contacts each customer whenever due would make over days [from, to):
 * the customer, the day and the true evaluation of every feasible action (unsubscribes ignored).
 */
function forEachSend(
  world: World,
  customers: ArrayLike<number>,
  from: number,
  to: number,
  visit: (
    i: number,
    day: number,
    expected: Float64Array,
    prob: Float64Array,
    logAmount: Float64Array,
    unsub: Float64Array,
  ) => void,
): void {
  const { model, scenario } = world;
  const ev = model.newEvaluation();
  for (let day = from; day < to; day++) {
    const cal = calendarOf(scenario, day);
    for (let j = 0; j < customers.length; j++) {
      const i = customers[j]!;
      if (!isDue(world.population, i, day)) continue;
      model.evaluate(i, cal, recentUnderFixed(world, i, day), ev);
      visit(i, day, ev.expected, ev.prob, ev.logAmount, ev.unsub);
    }
  }
}

/**
 * The true expected reward per send of every feasible combination (by feasible position, as in the
 * response model), averaged over the sends a policy sending that one combination to everyone would make to
 * `customers` over the first `days` days: the ranking an A/B test that ships one winner is judged by.
 * Myopic like the oracle: fatigue, weekends and drift are included, unsubscribes' effect on later sends is not.
 */
export function combinationValues(world: World, customers: ArrayLike<number>, days: number): Float64Array {
  const total = new Float64Array(world.model.feasibleCount);
  let sends = 0;
  forEachSend(world, customers, 0, days, (_i, _d, expected) => {
    for (let f = 0; f < total.length; f++) total[f]! += expected[f]!;
    sends++;
  });
  for (let f = 0; f < total.length; f++) total[f]! /= Math.max(1, sends);
  return total;
}

/**
 * Mean and standard deviation of the reward of one send of `action` to `customers` over days [0, days):
 * what a marketer reads from last month's reports of the current campaign to plan a test. Computed exactly
 * from the true model (the variance adds the outcome noise of each send, conversion, basket and unsubscribe,
 * to the spread of expected rewards between customers), per value of `segmentBy` when given and overall ("*").
 */
export function sendStats(
  world: World,
  customers: ArrayLike<number>,
  action: ActionRecord,
  days: number,
  segmentBy?: string,
): Record<string, SendStats> {
  const { scenario, space, model } = world;
  const f = model.positionOf[space.indexOf(action)]!;
  const sigma = scenario.revenue?.sigma ?? 0;
  const money = scenario.metric.kind !== "conversion";
  const discountDim = scenario.metric.discount?.dimension;
  const discount = discountDim ? (scenario.metric.discount!.rates[String(action[discountDim])] ?? 0) : 0;
  const penalty = scenario.unsubscribe?.penalty ?? 0;
  const acc = new Map<string, { n: number; sum: number; sumSq: number }>();
  const add = (key: string, m: number, second: number) => {
    let a = acc.get(key);
    if (!a) acc.set(key, (a = { n: 0, sum: 0, sumSq: 0 }));
    a.n++;
    a.sum += m;
    a.sumSq += second;
  };
  const segments = segmentBy ? world.population.values[segmentBy] : undefined;
  forEachSend(world, customers, 0, days, (i, _d, expected, prob, logAmount, unsub) => {
    const p = prob[f]!;
    const pu = unsub[f]!;
    const m = expected[f]!;
    // Value of the purchase V (0 without a conversion), then R = V − cost − penalty·[unsubscribed].
    const ev = money ? p * (1 - discount) * Math.exp(logAmount[f]! + (sigma * sigma) / 2) : p;
    const ev2 = money ? p * (1 - discount) ** 2 * Math.exp(2 * logAmount[f]! + 2 * sigma * sigma) : p;
    const variance = ev2 - ev * ev + penalty * penalty * pu * (1 - pu);
    const second = variance + m * m;
    add("*", m, second);
    if (segments) add(String(segments[i]), m, second);
  });
  const out: Record<string, SendStats> = {};
  for (const [key, a] of acc) {
    const mean = a.sum / a.n;
    out[key] = { mean, sd: Math.sqrt(Math.max(0, a.sumSq / a.n - mean * mean)), sends: a.n };
  }
  return out;
}
