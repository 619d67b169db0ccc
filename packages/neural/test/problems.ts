import { type BanditPolicy, createRng, type Rng } from "@kairos/core";

export const actionSpace = {
  dimensions: { offer: ["none", "10%", "free-shipping"], channel: ["email", "push"] },
};
export const context = {
  features: [
    { name: "spend", type: "numeric" as const },
    { name: "priceSensitive", type: "boolean" as const },
    { name: "tenure", type: "numeric" as const },
  ],
};

export interface Customer {
  spend: number;
  priceSensitive: boolean;
  tenure: number;
  [key: string]: unknown;
}

export function customer(rng: Rng): Customer {
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  return { spend: gauss(), priceSensitive: rng.next() < 0.5, tenure: gauss() };
}

/**
 * Conversion probability. The discount pays only for price-sensitive low spenders (a threshold AND), free
 * shipping only for price-sensitive newcomers or insensitive veterans (an XOR of two traits); push adds a
 * little for everyone. A linear model in (spend, priceSensitive, tenure) per option can represent neither
 * interaction.
 */
export function nonLinearMean(c: Customer, action: Record<string, unknown>): number {
  let p = 0.3 + (action.channel === "push" ? 0.05 : 0);
  if (action.offer === "10%") p += c.priceSensitive && c.spend < 0 ? 0.3 : -0.1;
  if (action.offer === "free-shipping") p += c.priceSensitive !== c.tenure > 0 ? 0.2 : -0.1;
  return p;
}

/** A linear response (for "stays close to linear Thompson sampling"). */
export function linearMean(c: Customer, action: Record<string, unknown>): number {
  let p = 0.4 + (action.channel === "push" ? 0.05 : 0);
  if (action.offer === "10%") p += 0.08 * c.spend + (c.priceSensitive ? 0.1 : -0.05);
  if (action.offer === "free-shipping") p += -0.08 * c.tenure;
  return Math.min(1, Math.max(0, p));
}

export const allActions = actionSpace.dimensions.offer.flatMap((offer) =>
  actionSpace.dimensions.channel.map((channel) => ({ offer, channel })),
);

export interface RunResult {
  /** Mean expected regret per decision over the last `tail` decisions. */
  tailRegret: number;
  /** Mean expected regret per decision over all decisions. */
  regret: number;
  /** Per-decision expected regrets (for standard errors). */
  tailRegrets: number[];
  seconds: number;
}

/** Daily batches: decide for `batch` customers, then learn their Bernoulli outcomes. */
export function run(
  policy: BanditPolicy,
  mean: (c: Customer, a: Record<string, unknown>) => number,
  { batches, batch, tail, seed }: { batches: number; batch: number; tail: number; seed: number },
): RunResult {
  const rng = createRng(`problem-${seed}`);
  const regrets: number[] = [];
  const started = performance.now();
  for (let day = 0; day < batches; day++) {
    const customers = Array.from({ length: batch }, () => customer(rng));
    const decisions = policy.decideBatch(
      customers,
      customers.map((_, i) => ({ decisionId: `d${day}-${i}` })),
    );
    const feedback = decisions.map((d, i) => {
      const c = customers[i]!;
      const p = mean(c, d.action);
      regrets.push(Math.max(...allActions.map((a) => mean(c, a))) - p);
      return { context: c, action: d.action, reward: rng.next() < p ? 1 : 0 };
    });
    policy.update(feedback);
  }
  const tailRegrets = regrets.slice(-tail);
  return {
    tailRegret: tailRegrets.reduce((s, r) => s + r, 0) / tailRegrets.length,
    regret: regrets.reduce((s, r) => s + r, 0) / regrets.length,
    tailRegrets,
    seconds: (performance.now() - started) / 1000,
  };
}
