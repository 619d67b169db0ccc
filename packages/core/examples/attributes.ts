// What declaring option attributes is worth: `auto` with and without them on a discount ladder, in daily
// batches of 100. Nine offers (0%, 5%, …, 40% off); a customer converts with probability
// 4% + (10% + 30%·affinity)·discount, where affinity (in [0, 1]) is the one context feature, and the reward
// is the margin kept, 1 − discount, on a conversion. Each customer's best discount rises with affinity
// (none below about 0.2, 27.5% at 1), so the policy must learn how the discount's worth depends on the
// customer. With attributes { discount, discountSquared } the expected reward is exactly the model's form,
// shared by every offer; without, each offer learns its own line. Then a 10th offer (12.5% off) is added
// halfway, as marketers do: with attributes it starts from its prediction.
// Prints regret (expected margin lost against the best offer per customer) per policy: mean over seeds,
// its standard error, and the paired difference; then each one's time per round.
// Usage: tsx --conditions=kairos-source packages/core/examples/attributes.ts [customers, default 6000] [seeds, default 20]
import {
  type ActionSpaceConfig,
  type BanditPolicy,
  createPolicy,
  createRng,
  type PolicyConfig,
} from "@kairos/core";

const customers = Number(process.argv[2] ?? 6000);
const seeds = Number(process.argv[3] ?? 20);
const ladder = [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4];
const added = 0.125;
const nameOf = (discount: number) => `${discount * 100}%`;

/** Expected reward of a discount for a customer: conversion probability × margin kept. */
const expected = (discount: number, affinity: number) =>
  (0.04 + (0.1 + 0.3 * affinity) * discount) * (1 - discount);

function spaceOf(discounts: number[], attributes: boolean): ActionSpaceConfig {
  const offer = discounts.map(nameOf);
  if (!attributes) return { dimensions: { offer } };
  const table = Object.fromEntries(
    discounts.map((d) => [nameOf(d), { discount: d, discountSquared: d * d }]),
  );
  return { dimensions: { offer }, attributes: { offer: table } };
}

function policyOver(discounts: number[], attributes: boolean, seed: number): BanditPolicy {
  return createPolicy({
    kind: "auto",
    actionSpace: spaceOf(discounts, attributes),
    context: { vectorLength: 1 },
    seed,
    rewardRange: [0, 1],
    propensityDraws: 0,
  } as PolicyConfig);
}

/** Regret of one run: before and after the 10th offer is added halfway. */
function regret(attributes: boolean, seed: number): { before: number; after: number } {
  let policy = policyOver(ladder, attributes, seed);
  const rng = createRng(`attributes-env-${seed}`);
  const lost = { before: 0, after: 0 };
  let discounts = ladder;
  for (let t = 0; t < customers; t += 100) {
    if (t === customers / 2) {
      // The new offer: restore yesterday's snapshot into the space with it.
      discounts = [...ladder, added];
      const next = policyOver(discounts, attributes, seed);
      next.restore(policy.snapshot());
      policy = next;
    }
    const xs = Array.from({ length: 100 }, () => [rng.next()]);
    const decisions = policy.decideBatch(xs);
    policy.update(
      decisions.map((d, i) => {
        const affinity = xs[i]![0]!;
        const discount = Number.parseFloat(String(d.action.offer)) / 100;
        const mean = expected(discount, affinity);
        const best = Math.max(...discounts.map((o) => expected(o, affinity)));
        if (t < customers / 2) lost.before += best - mean;
        else lost.after += best - mean;
        const converted = rng.next() < mean / (1 - discount);
        return { context: xs[i]!, action: d.action, reward: converted ? 1 - discount : 0 };
      }),
    );
  }
  return lost;
}

const stats = (values: number[]) => {
  const m = values.reduce((s, v) => s + v, 0) / values.length;
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / Math.max(1, values.length - 1));
  return { mean: m, se: sd / Math.sqrt(values.length) };
};
const show = (label: string, values: number[]) => {
  const { mean, se } = stats(values);
  return `${label} ${mean.toFixed(1)} ± ${se.toFixed(1)}`;
};

console.log(
  `auto on a discount ladder, ${customers} customers in batches of 100, ${seeds} seeds: regret (expected margin lost) mean ± se`,
);
const runs = {
  with: [] as { before: number; after: number }[],
  without: [] as { before: number; after: number }[],
};
const elapsed = { with: 0, without: 0 };
const timed = (attributes: boolean, seed: number) => {
  const start = performance.now();
  const lost = regret(attributes, seed);
  elapsed[attributes ? "with" : "without"] += performance.now() - start;
  return lost;
};
for (let seed = 1; seed <= seeds; seed++) {
  runs.with.push(timed(true, seed));
  runs.without.push(timed(false, seed));
  process.stderr.write(`\rseed ${seed}/${seeds}`);
}
process.stderr.write("\n");
// For scale: uniform random play over the nine offers (expected, over a fine grid of affinities).
const grid = Array.from({ length: 1001 }, (_, i) => i / 1000);
const randomLoss =
  grid.reduce((s, a) => {
    const best = Math.max(...ladder.map((o) => expected(o, a)));
    return s + ladder.reduce((l, o) => l + best - expected(o, a), 0) / ladder.length;
  }, 0) / grid.length;
console.log(`uniform random would lose ${((randomLoss * customers) / 2).toFixed(1)} per half`);
for (const part of ["before", "after"] as const) {
  const title = part === "before" ? "first half (9 offers)" : `second half (${nameOf(added)} added)`;
  const w = runs.with.map((r) => r[part]);
  const wo = runs.without.map((r) => r[part]);
  const difference = w.map((v, i) => v - wo[i]!);
  console.log(
    `${title.padEnd(28)} ${show("with attributes", w)} · ${show("without", wo)} · ${show("paired difference", difference)}`,
  );
}
const perRound = (ms: number) => ((ms * 1000) / (seeds * customers)).toFixed(1);
console.log(
  `time per round (decision and update, batches of 100): with attributes ${perRound(elapsed.with)} µs, without ${perRound(elapsed.without)} µs`,
);
