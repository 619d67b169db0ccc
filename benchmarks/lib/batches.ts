// Rounds in daily batches: `decideBatch` of B customers (each decision with its propensity, as the policy
// is configured), then `update` with their B outcomes; timed per round, with the decide and update shares.
import { performance } from "node:perf_hooks";
import { createPolicy, createRng, type Feedback, type PolicyConfig } from "../../packages/core/src/index.js";
import { options } from "./spaces.js";

/** One batched workload: a preset on a space of one dimension (arms), context length d, batch size B. */
export interface BatchCase {
  id: string;
  label: string;
  kind: PolicyConfig["kind"];
  settings: Record<string, unknown>;
  arms: number;
  d: number;
  batch: number;
  /** How feedback names its action: the decision's index, or its record (`decision.action`). */
  feedback: "index" | "record";
}

/** Microseconds per round of one case: the best of three repetitions, and its split. */
export interface BatchRow {
  id: string;
  label: string;
  kind: string;
  settings: Record<string, unknown>;
  arms: number;
  d: number;
  batch: number;
  /** Rounds (decisions) timed, all repetitions. */
  rounds: number;
  /** Wall-clock µs per round (decide + its share of the update), best repetition: the headline number. */
  usPerRound: number;
  usPerRoundMedian: number;
  /** Of the best repetition: µs per round in decideBatch and in update. */
  decideUsPerRound: number;
  updateUsPerRound: number;
  /** CPU µs of this process per round, all repetitions (less sensitive to other load on the machine). */
  cpuUsPerRound: number;
}

/**
 * The batched workload (MABWiser's vectorised LinTS takes 13 µs a round on it), with and without
 * propensities; then without them and with feedback naming actions by record, as most callers write it.
 */
export const FULL_BATCH_CASES: BatchCase[] = [
  ...[100, 0].map(
    (draws): BatchCase => ({
      id: `lints@draws${draws}:arms-8:d17:b100`,
      label: `lints [propensityDraws ${draws}${draws === 100 ? ", default" : ""}], 8 arms, d = 17, batches of 100`,
      kind: "lints",
      settings: { propensityDraws: draws },
      arms: 8,
      d: 17,
      batch: 100,
      feedback: "index",
    }),
  ),
  {
    id: "lints@draws0:arms-8:d17:b100:records",
    label: "lints [propensityDraws 0], 8 arms, d = 17, batches of 100, feedback actions as records",
    kind: "lints",
    settings: { propensityDraws: 0 },
    arms: 8,
    d: 17,
    batch: 100,
    feedback: "record",
  },
];

export const QUICK_BATCH_CASES: BatchCase[] = FULL_BATCH_CASES.map((c) => ({
  ...c,
  id: c.id.replace(":b100", ":b10"),
  label: c.label.replace("100", "10"),
  arms: 3,
  d: 4,
  batch: 10,
}));

/**
 * Times rounds of one case: the policy learns as it goes (rewards Bernoulli(0.25)); warm-up for
 * `warmupMs`, then three repetitions of at least `budgetMs`/3 each. Contexts are drawn outside the timed
 * regions; building the feedback items is not timed either.
 */
export function benchBatch(c: BatchCase, seed: number, budgetMs: number, warmupMs: number): BatchRow {
  const policy = createPolicy({
    kind: c.kind,
    actionSpace: { dimensions: { arm: options("arm", c.arms) } },
    context: { vectorLength: c.d, intercept: false },
    rewardRange: [0, 1],
    seed,
    ...c.settings,
  } as PolicyConfig);
  const rng = createRng(`${seed}:${c.id}`);
  const scale = 1 / Math.sqrt(c.d);
  const pool = Array.from({ length: 16 }, () =>
    Array.from({ length: c.batch }, () => {
      const x = new Float64Array(c.d);
      for (let i = 0; i < c.d; i++) x[i] = (2 * rng.next() - 1) * scale;
      return x;
    }),
  );
  const rewards = Float64Array.from({ length: 4096 }, () => (rng.next() < 0.25 ? 1 : 0));
  let k = 0;
  /** Runs batches for at least `ms`; returns [decide ms, update ms, rounds]. */
  const run = (ms: number): [number, number, number] => {
    let decide = 0;
    let update = 0;
    let rounds = 0;
    while (decide + update < ms) {
      const contexts = pool[k % pool.length]!;
      const t0 = performance.now();
      const decisions = policy.decideBatch(contexts);
      const t1 = performance.now();
      const feedback: Feedback[] = decisions.map((d, i) => ({
        context: contexts[i]!,
        action: c.feedback === "record" ? d.action : d.actionIndex,
        reward: rewards[(k * c.batch + i) % rewards.length]!,
      }));
      const t2 = performance.now();
      policy.update(feedback);
      update += performance.now() - t2;
      decide += t1 - t0;
      rounds += c.batch;
      k++;
    }
    return [decide, update, rounds];
  };
  run(warmupMs);
  const cpu0 = process.cpuUsage();
  const reps = [0, 1, 2].map(() => run(budgetMs / 3));
  const cpu = process.cpuUsage(cpu0);
  const perRound = reps.map(([d, u, n]) => ((d + u) * 1000) / n).sort((a, b) => a - b);
  const best = reps.find(([d, u, n]) => ((d + u) * 1000) / n === perRound[0])!;
  const rounds = reps.reduce((s, r) => s + r[2], 0);
  return {
    id: c.id,
    label: c.label,
    kind: c.kind,
    settings: c.settings,
    arms: c.arms,
    d: c.d,
    batch: c.batch,
    rounds,
    usPerRound: perRound[0]!,
    usPerRoundMedian: perRound[1]!,
    decideUsPerRound: (best[0] * 1000) / best[2],
    updateUsPerRound: (best[1] * 1000) / best[2],
    cpuUsPerRound: Math.max(cpu.user + cpu.system, 1) / rounds,
  };
}
