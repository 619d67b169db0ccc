// The learning benchmark: every policy replays every problem, round by round and in batches, over several
// seeds; regret is exact (expected reward of the best feasible action minus that of the action taken).
import { execFileSync } from "node:child_process";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { policyKinds } from "../../packages/core/src/index.js";
import { type Interval, overSeeds } from "../../packages/sim/src/index.js";
import { createKairos, FullInfoLearner, KairosLearner, type Learner, OracleLearner } from "./learner.js";
import { peerConfigs } from "./peers/index.js";
import { makeProblem, PROBLEM_IDS } from "./problems.js";
import { makeStream, type Stream } from "./stream.js";

export const FORMAT = "kairos-bench-learn/v1";

export interface LearnOptions {
  mode: "full" | "quick";
  problems: string[];
  batchSizes: number[];
  seeds: number[];
  /** Rounds per replay; undefined: each problem's own horizon. */
  horizon?: number;
  /** Points of each cumulative-regret curve. */
  checkpoints: number;
  /** Only Kairos presets and peers whose id contains one of these (all when empty; references and random always run). */
  only: string[];
  /** Compute Thompson propensities (the presets' default) instead of passing propensityDraws: 0. */
  propensities: boolean;
  /** Worker threads (1: in this thread). */
  workers: number;
  log: (line: string) => void;
}

export function defaultOptions(mode: "full" | "quick"): LearnOptions {
  const quick = mode === "quick";
  return {
    mode,
    problems: [...PROBLEM_IDS],
    batchSizes: [1, 100],
    seeds: quick ? [1, 2] : [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    horizon: quick ? 500 : undefined,
    checkpoints: quick ? 10 : 50,
    only: [],
    propensities: false,
    workers: quick ? 1 : Math.max(1, Math.min(2, os.availableParallelism())),
    log: () => {},
  };
}

export type PolicyGroup = "reference" | "kairos" | "peer";

export interface PolicySpec {
  id: string;
  label: string;
  group: PolicyGroup;
  library?: string;
  family?: string;
  settings?: Record<string, number | string | boolean>;
  /** For peers: the library's default settings. */
  isDefault?: boolean;
}

export interface Job {
  problem: string;
  seed: number;
  batch: number;
  policy: string;
  horizon?: number;
  checkpoints: number;
  propensities: boolean;
}

export interface JobResult {
  job: Job;
  status: "ok" | "n/a";
  reason?: string;
  rounds: number;
  regret: number;
  reward: number;
  oracleReward: number;
  randomReward: number;
  /** Cumulative regret after each of `checkpoints` equal slices of the horizon. */
  curve: number[];
  decideMs: number;
  updateMs: number;
}

/** The policies run on a problem: references, every Kairos preset but `fixed`, the peers' grid. */
export function policiesFor(problemId: string): PolicySpec[] {
  const problem = makeProblem(problemId, 1);
  const out: PolicySpec[] = [{ id: "ref:oracle", label: "oracle", group: "reference" }];
  for (const r of problem.references) out.push({ id: `ref:${r.id}`, label: r.label, group: "reference" });
  for (const kind of policyKinds) {
    // `fixed` needs an action: it is business as usual, not a learner.
    if (kind === "fixed") continue;
    out.push({ id: `kairos:${kind}`, label: kind, group: "kairos", library: "Kairos" });
  }
  for (const p of peerConfigs(problem)) {
    out.push({
      id: p.id,
      label: p.label,
      group: "peer",
      library: p.library,
      family: p.family,
      settings: p.settings,
      isDefault: p.isDefault,
    });
  }
  return out;
}

function selected(spec: PolicySpec, only: readonly string[]): boolean {
  if (spec.group === "reference" || spec.id === "kairos:random" || only.length === 0) return true;
  return only.some((o) => spec.id.includes(o));
}

/** Every job of a run, heaviest problems first (so the workers finish together). */
export function jobsOf(opts: LearnOptions): Job[] {
  const order = [...opts.problems].sort(
    (a, b) => Number(b.startsWith("marketing")) - Number(a.startsWith("marketing")),
  );
  const jobs: Job[] = [];
  for (const problem of order) {
    const policies = policiesFor(problem).filter((p) => selected(p, opts.only));
    for (const seed of opts.seeds) {
      for (const batch of opts.batchSizes) {
        for (const p of policies) {
          jobs.push({
            problem,
            seed,
            batch,
            policy: p.id,
            horizon: opts.horizon,
            checkpoints: opts.checkpoints,
            propensities: opts.propensities,
          });
        }
      }
    }
  }
  return jobs;
}

/** Streams are rebuilt per (problem, seed, horizon); a worker keeps the last few. */
const streams = new Map<string, Stream>();
function streamFor(job: Job): Stream {
  const key = `${job.problem}/${job.seed}/${job.horizon ?? ""}`;
  let s = streams.get(key);
  if (!s) {
    s = makeStream(job.problem, job.seed, job.horizon);
    streams.set(key, s);
    while (streams.size > 3) streams.delete(streams.keys().next().value!);
  }
  return s;
}

function learnerFor(job: Job, stream: Stream): Learner {
  const id = job.policy;
  if (id === "ref:oracle") return new OracleLearner(stream);
  if (id.startsWith("ref:")) {
    const ref = stream.problem.references.find((r) => `ref:${r.id}` === id);
    if (!ref) throw new Error(`no reference ${id} on ${job.problem}`);
    return new FullInfoLearner(stream, ref.form, job.seed);
  }
  if (id.startsWith("kairos:")) {
    return new KairosLearner(createKairos(id.slice(7), stream.problem, job.seed, job.propensities), stream);
  }
  const peer = peerConfigs(stream.problem).find((p) => p.id === id);
  if (!peer) throw new Error(`unknown policy ${id}`);
  return peer.make(stream, job.seed);
}

function message(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0]!.slice(0, 200);
}

/** Replays one policy on one problem instance. */
export function runJob(job: Job): JobResult {
  const stream = streamFor(job);
  const T = stream.rounds;
  const base: JobResult = {
    job,
    status: "ok",
    rounds: T,
    regret: 0,
    reward: 0,
    oracleReward: 0,
    randomReward: 0,
    curve: [],
    decideMs: 0,
    updateMs: 0,
  };
  for (let t = 0; t < T; t++) {
    base.oracleReward += stream.best[t]!;
    base.randomReward += stream.average[t]!;
  }
  let learner: Learner;
  try {
    learner = learnerFor(job, stream);
  } catch (e) {
    return { ...base, status: "n/a", reason: message(e) };
  }
  const feasible = new Set(stream.problem.feasible);
  const every = T / job.checkpoints;
  let next = 1;
  let regret = 0;
  let reward = 0;
  let t0 = 0;
  try {
    for (; t0 < T; t0 += job.batch) {
      const n = Math.min(job.batch, T - t0);
      const a = performance.now();
      const actions = learner.decide(t0, n);
      const b = performance.now();
      base.decideMs += b - a;
      const rewards = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const t = t0 + i;
        const action = actions[i]!;
        if (!feasible.has(action)) throw new Error(`chose a forbidden or unknown action (${action})`);
        const mean = stream.mean(t, action);
        regret += stream.best[t]! - mean;
        reward += mean;
        rewards[i] = stream.reward(t, action);
        while (next <= job.checkpoints && t + 1 >= Math.round(next * every)) {
          base.curve.push(regret);
          next++;
        }
      }
      const c = performance.now();
      learner.update(t0, n, actions, rewards);
      base.updateMs += performance.now() - c;
    }
  } catch (e) {
    return { ...base, status: "n/a", reason: `failed at round ${t0}: ${message(e)}`, curve: [] };
  }
  return { ...base, regret, reward };
}

// ---------------------------------------------------------------------------------------------------------
// Aggregation

export interface Cell {
  problem: string;
  batch: number;
  policy: string;
  status: "ok" | "n/a";
  reason?: string;
  /** Mean cumulative regret at the horizon over seeds, with a 95% t-interval. */
  regret?: Interval;
  perSeed?: number[];
  /** Mean regret ÷ the best tuned peer's mean regret on this problem and batch size. */
  ratioToBestPeer?: number;
  /**
   * The same ratio seed by seed (same customers, same noise, same problem instance), mean and 95%
   * t-interval over seeds: the paired comparison, tighter than comparing the two regret intervals.
   */
  pairedRatio?: Interval;
  /** Expected reward earned ÷ the oracle's. */
  oracleShare?: number;
  /** Wall-clock microseconds per round (decide + update), and the decide share of it. */
  usPerRound?: number;
  decideShare?: number;
  /** Mean cumulative regret at each checkpoint. */
  curve?: number[];
}

export interface Comparison {
  problem: string;
  batch: number;
  bestPeer: { policy: string; regret: number } | null;
  bestDefaultPeer: { policy: string; regret: number } | null;
  bestKairos: { policy: string; regret: number; ratio: number } | null;
  random: number | null;
}

export interface ProblemInfo {
  id: string;
  label: string;
  description: string;
  dimensions: { name: string; options: (string | number)[] }[];
  actions: number;
  feasibleActions: number;
  contextFeatures: number;
  horizon: number;
  reward: "Bernoulli";
  /** Mean expected reward per round of the oracle and of uniform random play (over seeds). */
  oracleMean: number;
  randomMean: number;
  checkpointRounds: number[];
}

export interface LearnResults {
  format: typeof FORMAT;
  meta: {
    date: string;
    mode: "full" | "quick";
    node: string;
    v8: string;
    cpuModel: string;
    cores: number;
    platform: string;
    arch: string;
    workers: number;
    durationSeconds: number;
    loadAverage: { start: number; end: number };
    /** Git commit of the run, and whether packages/core had uncommitted changes. */
    commit?: string;
    coreModified?: boolean;
  };
  settings: {
    seeds: number[];
    batchSizes: number[];
    checkpoints: number;
    propensities: boolean;
    only: string[];
  };
  problems: ProblemInfo[];
  policies: PolicySpec[];
  cells: Cell[];
  comparisons: Comparison[];
}

/** Regrets are sums of thousands of expected rewards: 3 decimals are plenty (and keep the JSON small). */
function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

function roundInterval(i: Interval): Interval {
  return { estimate: round(i.estimate), low: round(i.low), high: round(i.high) };
}

export function aggregate(
  opts: LearnOptions,
  results: readonly JobResult[],
  meta: LearnResults["meta"],
): LearnResults {
  const problems: ProblemInfo[] = [];
  const policies: PolicySpec[] = [];
  const cells: Cell[] = [];
  const comparisons: Comparison[] = [];
  const seen = new Set<string>();
  for (const problemId of opts.problems) {
    const specs = policiesFor(problemId).filter((p) => selected(p, opts.only));
    for (const s of specs) {
      if (!seen.has(s.id)) {
        seen.add(s.id);
        policies.push(s);
      }
    }
    const mine = results.filter((r) => r.job.problem === problemId);
    const any = mine[0];
    const problem = makeProblem(problemId, 1, opts.horizon);
    const T = any?.rounds ?? problem.horizon;
    const seeds = opts.seeds.length;
    const oracleRows = mine.filter(
      (r) => r.job.policy === "ref:oracle" && r.job.batch === opts.batchSizes[0],
    );
    problems.push({
      id: problemId,
      label: problem.label,
      description: problem.description,
      dimensions: problem.dimensions,
      actions: problem.actionCount,
      feasibleActions: problem.feasible.length,
      contextFeatures: problem.featureNames.length,
      horizon: T,
      reward: "Bernoulli",
      oracleMean:
        oracleRows.reduce((s, r) => s + r.oracleReward / r.rounds, 0) / Math.max(1, oracleRows.length),
      randomMean:
        oracleRows.reduce((s, r) => s + r.randomReward / r.rounds, 0) / Math.max(1, oracleRows.length),
      checkpointRounds: Array.from({ length: opts.checkpoints }, (_, i) =>
        Math.round(((i + 1) * T) / opts.checkpoints),
      ),
    });
    for (const batch of opts.batchSizes) {
      const rows: Cell[] = [];
      for (const spec of specs) {
        const runs = mine
          .filter((r) => r.job.batch === batch && r.job.policy === spec.id)
          .sort((a, b) => a.job.seed - b.job.seed);
        const na = runs.find((r) => r.status === "n/a");
        if (na || runs.length < seeds) {
          rows.push({
            problem: problemId,
            batch,
            policy: spec.id,
            status: "n/a",
            reason: na?.reason ?? "not run",
          });
          continue;
        }
        const perSeed = runs.map((r) => round(r.regret));
        const rounds = runs.reduce((s, r) => s + r.rounds, 0);
        const decide = runs.reduce((s, r) => s + r.decideMs, 0);
        const update = runs.reduce((s, r) => s + r.updateMs, 0);
        const curve = runs[0]!.curve.map((_, i) =>
          round(runs.reduce((s, r) => s + r.curve[i]!, 0) / runs.length),
        );
        rows.push({
          problem: problemId,
          batch,
          policy: spec.id,
          status: "ok",
          regret: roundInterval(overSeeds(perSeed)),
          perSeed,
          oracleShare: runs.reduce((s, r) => s + r.reward, 0) / runs.reduce((s, r) => s + r.oracleReward, 0),
          usPerRound: ((decide + update) * 1000) / rounds,
          decideShare: decide + update > 0 ? decide / (decide + update) : 0,
          curve,
        });
      }
      const ok = (group: PolicyGroup, filter: (s: PolicySpec) => boolean = () => true) =>
        rows
          .filter((c) => c.status === "ok")
          .filter((c) => {
            const s = specs.find((p) => p.id === c.policy)!;
            return s.group === group && filter(s);
          })
          .sort((a, b) => a.regret!.estimate - b.regret!.estimate);
      const bestPeer = ok("peer")[0];
      const bestDefault = ok("peer", (s) => s.isDefault === true)[0];
      for (const c of rows) {
        if (c.status === "ok" && bestPeer && bestPeer.regret!.estimate > 0) {
          c.ratioToBestPeer = c.regret!.estimate / bestPeer.regret!.estimate;
          const base = bestPeer.perSeed!;
          if (base.every((v) => v > 0))
            c.pairedRatio = roundInterval(overSeeds(c.perSeed!.map((v, i) => v / base[i]!)));
        }
      }
      const bestKairos = ok("kairos", (s) => s.id !== "kairos:random")[0];
      const random = rows.find((c) => c.policy === "kairos:random" && c.status === "ok");
      comparisons.push({
        problem: problemId,
        batch,
        bestPeer: bestPeer ? { policy: bestPeer.policy, regret: bestPeer.regret!.estimate } : null,
        bestDefaultPeer: bestDefault
          ? { policy: bestDefault.policy, regret: bestDefault.regret!.estimate }
          : null,
        bestKairos: bestKairos
          ? {
              policy: bestKairos.policy,
              regret: bestKairos.regret!.estimate,
              ratio: bestKairos.ratioToBestPeer ?? Number.NaN,
            }
          : null,
        random: random ? random.regret!.estimate : null,
      });
      cells.push(...rows);
    }
  }
  return {
    format: FORMAT,
    meta,
    settings: {
      seeds: opts.seeds,
      batchSizes: opts.batchSizes,
      checkpoints: opts.checkpoints,
      propensities: opts.propensities,
      only: opts.only,
    },
    problems,
    policies,
    cells,
    comparisons,
  };
}

function git(args: string[]): string | undefined {
  try {
    return execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
}

/** The git commit and whether packages/core differs from it: call it before the run (workers load the code then). */
export function codeVersion(): { commit?: string; coreModified?: boolean } {
  const commit = git(["rev-parse", "HEAD"]);
  if (!commit) return {};
  return { commit, coreModified: (git(["status", "--porcelain", "--", "packages/core"]) ?? "").length > 0 };
}

export function machineMeta(
  opts: LearnOptions,
  started: number,
  loadStart: number,
  version: { commit?: string; coreModified?: boolean } = {},
): LearnResults["meta"] {
  const cpus = os.cpus();
  return {
    ...version,
    date: new Date().toISOString(),
    mode: opts.mode,
    node: process.version,
    v8: process.versions.v8,
    cpuModel: cpus[0]?.model.trim() || "unknown",
    cores: cpus.length,
    platform: os.platform(),
    arch: os.arch(),
    workers: opts.workers,
    durationSeconds: (performance.now() - started) / 1000,
    loadAverage: { start: loadStart, end: os.loadavg()[0]! },
  };
}
