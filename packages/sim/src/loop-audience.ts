import type { ActionSpace, Eligibility } from "@kairos/core";
import type { FeatureValue, Population } from "./population.js";
import type { Calendar } from "./response.js";
import { keyedStream } from "./streams.js";

/** Today's audience of a group: the customers due, and what the policy sees about each. */
export interface Audience {
  customers: number[];
  /** Per customer: messages received within the fatigue window. */
  recents: number[];
  /** Per customer: the context the policy sees (population context, weekend, recent messages). */
  contexts: Record<string, FeatureValue>[];
  /** Per customer: the options they unsubscribed from, denied (undefined when none). */
  eligibilities: (Eligibility | undefined)[];
}

/** Whether customer `i`'s cadence brings them back on `day` (every `cadence` days from their offset). */
export function isDue(population: Population, i: number, day: number): boolean {
  const offset = population.offset[i]!;
  return day >= offset && (day - offset) % population.cadence[i]! === 0;
}

/** The context a policy sees for customer `i` on a day: their features, the weekend flag, recent messages. */
export function contextOf(
  population: Population,
  i: number,
  cal: Calendar,
  recentMessages: number,
): Record<string, FeatureValue> {
  return { ...population.contexts[i], weekend: cal.weekend, recentMessages };
}

/**
 * What the simulator remembers about each customer of a group from one day to the next: the days of their
 * recent sends, the options they unsubscribed from (when unsubscribing is per option) and who left.
 */
export class CustomerHistory {
  private readonly sends = new Map<number, number[]>();
  private readonly denied = new Map<number, Set<number>>();
  private readonly gone = new Set<number>();

  /**
   * @param window fatigue window in days
   * @param unsubDim the dimension an unsubscribe applies to, or -1 (an unsubscribe then removes the customer)
   */
  constructor(
    private readonly space: ActionSpace,
    private readonly window: number,
    readonly unsubDim: number,
  ) {}

  /** Whether the customer unsubscribed from everything. */
  isGone(i: number): boolean {
    return this.gone.has(i);
  }

  /** Messages the customer was sent on days `day − window` to `day`. */
  recentCount(i: number, day: number): number {
    const history = this.sends.get(i);
    if (!history) return 0;
    let n = 0;
    for (const d of history) if (d >= day - this.window) n++;
    return n;
  }

  /** Codes (in the unsubscribe dimension) of the options the customer unsubscribed from. */
  blocked(i: number): Set<number> | undefined {
    return this.denied.get(i);
  }

  /** The eligibility denying the customer's unsubscribed options; undefined when there are none. */
  eligibility(i: number): Eligibility | undefined {
    const blocked = this.denied.get(i);
    if (!blocked || blocked.size === 0) return undefined;
    const dim = this.unsubDim;
    return { deny: { [this.space.dimensions[dim]!]: [...blocked].map((c) => this.space.options[dim]![c]!) } };
  }

  /** Remembers a send (only the last `window` sends are kept). */
  recordSend(i: number, day: number): void {
    let history = this.sends.get(i);
    if (!history) this.sends.set(i, (history = []));
    history.push(day);
    if (history.length > this.window) history.shift();
  }

  /** Remembers an unsubscribe from the chosen action's option; the customer leaves once every option is gone. */
  recordUnsubscribe(i: number, chosenCodes: Int32Array): void {
    if (this.unsubDim < 0) {
      this.gone.add(i);
      return;
    }
    let set = this.denied.get(i);
    if (!set) this.denied.set(i, (set = new Set()));
    set.add(chosenCodes[this.unsubDim]!);
    if (set.size >= this.space.optionCount(this.unsubDim)) this.gone.add(i);
  }
}

/**
 * Today's audience: the group's customers due by their cadence, minus those who left; when more are due
 * than `capacity`, a seeded uniform sample of `capacity` of them (in customer order).
 */
export function audienceOf(
  customers: Int32Array,
  population: Population,
  history: CustomerHistory,
  day: number,
  cal: Calendar,
  capacity: { limit: number | undefined; hash: number },
): Audience {
  let due: number[] = [];
  for (const i of customers) if (!history.isGone(i) && isDue(population, i, day)) due.push(i);
  if (capacity.limit !== undefined && due.length > capacity.limit)
    due = sample(due, capacity.limit, keyedStream(capacity.hash, day));
  const recents = due.map((i) => history.recentCount(i, day));
  return {
    customers: due,
    recents,
    contexts: due.map((i, j) => contextOf(population, i, cal, recents[j]!)),
    eligibilities: due.map((i) => history.eligibility(i)),
  };
}

/** A uniform subset of `k` items (partial Fisher–Yates), in original order. */
function sample(items: number[], k: number, rng: { next(): number }): number[] {
  const copy = items.slice();
  for (let j = 0; j < k; j++) {
    const r = j + Math.floor(rng.next() * (copy.length - j));
    [copy[j], copy[r]] = [copy[r]!, copy[j]!];
  }
  return copy.slice(0, k).sort((a, b) => a - b);
}
