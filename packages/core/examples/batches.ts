// Every preset on one marketing problem in daily batches of 100: 576 combinations (offer 4 × subject 4 ×
// channel 6 × hour 6), additive conversion rates from 3% to 23%, the offer's effect scaled by one context
// feature. Prints the share of the gap between random and the best combination each preset closed over
// the last 1,000 decisions. Usage: tsx --conditions=kairos-source packages/core/examples/batches.ts [N]
import { createPolicy, createRng, type PolicyConfig, policyKinds } from "@kairos/core";

const dims = [
  ["o0", "o1", "o2", "o3"],
  ["s0", "s1", "s2", "s3"],
  ["c0", "c1", "c2", "c3", "c4", "c5"],
  ["h0", "h1", "h2", "h3", "h4", "h5"],
];
const effects = [
  [0, 0.02, 0.04, 0.06],
  [0.03, 0, 0.01, 0.02],
  [0, 0.01, 0.03, 0.02, 0.05, 0],
  [0.02, 0, 0.01, 0.04, 0, 0.01],
];
/** Conversion rate of an action (per-dimension codes) for a customer with feature x in [0, 1). */
const rate = (codes: number[], x: number) =>
  0.03 + codes.reduce((s, c, k) => s + effects[k]![c]! * (k === 0 ? (x > 0.5 ? 1.5 : 0.5) : 1), 0);
const best = [3, 0, 4, 3];
const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const randomRate = 0.03 + effects.reduce((s, e) => s + mean(e), 0);
const rounds = Number(process.argv[2] ?? 3000);
const space = { dimensions: dims.map((options, k) => ({ name: `d${k}`, options })) };

console.log(`share of the random→best gap closed, last 1,000 of ${rounds} decisions, batches of 100`);
for (const kind of policyKinds.filter((k) => k !== "fixed")) {
  const settings = /thompson|lints|auto/.test(kind) ? { propensityDraws: 0 } : {};
  const policy = createPolicy({
    kind,
    actionSpace: space,
    context: { vectorLength: 1 },
    seed: 7,
    rewardRange: [0, 1],
    ...settings,
  } as PolicyConfig);
  const rng = createRng("env");
  let chosen = 0;
  let optimal = 0;
  for (let t = 0; t < rounds; t += 100) {
    const xs = Array.from({ length: 100 }, () => [rng.next()]);
    const decisions = policy.decideBatch(xs);
    policy.update(
      decisions.map((d, i) => {
        const codes = Object.values(d.action).map((v, k) => dims[k]!.indexOf(String(v)));
        const r = rate(codes, xs[i]![0]!);
        if (t >= rounds - 1000) {
          chosen += r;
          optimal += rate(best, xs[i]![0]!);
        }
        return { context: xs[i]!, action: d.action, reward: rng.next() < r ? 1 : 0 };
      }),
    );
  }
  const closed = (chosen / 1000 - randomRate) / (optimal / 1000 - randomRate);
  console.log(`${kind.padEnd(20)} ${closed.toFixed(2)}`);
}
