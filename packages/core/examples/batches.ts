// Every preset on one marketing problem in daily batches of 100: 576 combinations (offer 4 × subject 4 ×
// channel 6 × hour 6), additive conversion rates from 3% to 23%, the offer's effect scaled by one context
// feature. Prints the share of the gap between random and the best combination each preset closed over
// the last 1,000 decisions, as a mean over seeds (each seed draws its own customers, rewards and policy
// draws) with the seeds' standard deviation.
// Usage: tsx --conditions=kairos-source packages/core/examples/batches.ts [N] [seeds, default 5]
import { createPolicy, createRng, type PolicyConfig, policyKinds, presetHasSetting } from "@kairos/core";
import { best, codesOf, effects, rate, space } from "./marketing-576.js";

/** The offer matters 1.5× for customers with x > 0.5 and half as much for the others. */
const rateFor = (codes: number[], x: number) => rate(codes, x > 0.5 ? 1.5 : 0.5);
const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const randomRate = 0.03 + effects.reduce((s, e) => s + mean(e), 0);
const rounds = Number(process.argv[2] ?? 3000);
const seeds = Number(process.argv[3] ?? 5);

/** Share of the random→best gap one preset closed over the last 1,000 decisions, for one seed. */
function gapClosed(kind: PolicyConfig["kind"], seed: number): number {
  // Thompson presets skip their propensities: they never change a decision.
  const settings = presetHasSetting(kind, "propensityDraws") ? { propensityDraws: 0 } : {};
  const policy = createPolicy({
    kind,
    actionSpace: space,
    context: { vectorLength: 1 },
    seed,
    rewardRange: [0, 1],
    ...settings,
  } as PolicyConfig);
  const rng = createRng(`env-${seed}`);
  let chosen = 0;
  let optimal = 0;
  for (let t = 0; t < rounds; t += 100) {
    const xs = Array.from({ length: 100 }, () => [rng.next()]);
    const decisions = policy.decideBatch(xs);
    policy.update(
      decisions.map((d, i) => {
        const r = rateFor(codesOf(d.action), xs[i]![0]!);
        if (t >= rounds - 1000) {
          chosen += r;
          optimal += rateFor(best, xs[i]![0]!);
        }
        return { context: xs[i]!, action: d.action, reward: rng.next() < r ? 1 : 0 };
      }),
    );
  }
  return (chosen / 1000 - randomRate) / (optimal / 1000 - randomRate);
}

console.log(
  `share of the random→best gap closed, last 1,000 of ${rounds} decisions, batches of 100: mean ± sd over ${seeds} seeds`,
);
for (const kind of policyKinds.filter((k) => k !== "fixed")) {
  const shares = Array.from({ length: seeds }, (_, s) => gapClosed(kind, s + 1));
  const m = mean(shares);
  const sd = Math.sqrt(shares.reduce((acc, v) => acc + (v - m) ** 2, 0) / Math.max(1, seeds - 1));
  console.log(`${kind.padEnd(20)} ${m.toFixed(2)} ± ${sd.toFixed(2)}`);
}
