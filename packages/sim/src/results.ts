import { type JobResult, unitLabel } from "./experiment.js";
import type { GroupName } from "./groups.js";
import type { GroupRun } from "./loop.js";
import { type Interval, mean, overSeeds, relativeUplift } from "./stats.js";

/** Control groups uplift is measured against. */
export type ControlGroup = Exclude<GroupName, "kairos">;

/** Learning curves, averaged over replications, one value per day. */
export interface Curves {
  /** Cumulative realised reward. */
  cumulativeReward: number[];
  /** Cumulative regret against the oracle (expected rewards). */
  cumulativeRegret: number[];
  /** Expected reward per decision that day. */
  rewardPerDecision: number[];
  /** Per dimension: share of that day's decisions using the truly best option. */
  bestOptionShare: Record<string, number[]>;
}

/** Results of one policy (run on the kairos group) or one control group, over replications. */
export interface UnitResult {
  label: string;
  /** "policy" or "group". */
  type: "policy" | "group";
  customers: number;
  decisions: Interval;
  cumulativeReward: Interval;
  meanRewardPerDay: Interval;
  /** Total reward per customer of the group: the quantity uplift compares. */
  rewardPerCustomer: Interval;
  regret: Interval;
  /** Expected reward as a share of the oracle's on the same decisions. */
  oracleShare: Interval;
  conversions: Interval;
  unsubscribes: Interval;
  /** Uplift of this policy's reward per customer over each control group (empty for groups). */
  uplift: Partial<Record<ControlGroup, Interval>>;
  /** Per dimension: share of decisions whose option equals the truly best one's. */
  bestOptionShare: Record<string, Interval>;
  /** Per segment, per dimension, share of decisions using each option (pooled over replications). */
  preferences: Record<string, Record<string, Record<string, number>>>;
  curves: Curves;
}

/** Everything `kairos-sim run` produces (results.json). */
export interface SimulationResults {
  format: "kairos-sim-results/v1";
  scenario: string;
  description?: string;
  metric: string;
  days: number;
  populationSize: number;
  replications: number;
  policies: UnitResult[];
  groups: UnitResult[];
  seconds: number;
}

const sum = (xs: readonly number[]): number => xs.reduce((s, v) => s + v, 0);

function cumulative(xs: readonly number[]): number[] {
  let acc = 0;
  return xs.map((v) => (acc += v));
}

function averageCurves(series: number[][]): number[] {
  if (series.length === 0) return [];
  return series[0]!.map((_, d) => mean(series.map((s) => s[d] ?? 0)));
}

/** Summarises the runs of one unit over replications; `controls` are the control runs per replication. */
function summarise(
  label: string,
  type: "policy" | "group",
  runs: GroupRun[],
  controls: Map<number, Partial<Record<ControlGroup, GroupRun>>>,
  replications: number[],
): UnitResult {
  const dims = Object.keys(runs[0]!.daily.bestMatch);
  const decisions = runs.map((r) =>
    type === "group" && r.daily.oracle.every((v) => v === 0) ? 0 : sum(r.daily.opportunities),
  );
  const sends = runs.map((r) => sum(r.daily.opportunities));
  const uplift: Partial<Record<ControlGroup, Interval>> = {};
  if (type === "policy") {
    for (const g of ["random", "bau", "holdout"] as const) {
      const per = runs.flatMap((r, s) => {
        const c = controls.get(replications[s]!)?.[g];
        if (!c || c.customers === 0) return [];
        return [
          relativeUplift(
            r.perCustomer.mean,
            r.perCustomer.variance / Math.max(1, r.customers),
            c.perCustomer.mean,
            c.perCustomer.variance / Math.max(1, c.customers),
          ),
        ];
      });
      if (per.length === 0) continue;
      // Replications are independent experiments: average the uplifts and combine their standard errors.
      const estimate = mean(per.map((u) => u.estimate));
      const se = Math.sqrt(sum(per.map((u) => ((u.high - u.low) / (2 * 1.96)) ** 2))) / per.length;
      uplift[g] = { estimate, low: estimate - 1.96 * se, high: estimate + 1.96 * se };
    }
  }
  const preferences: UnitResult["preferences"] = {};
  for (const r of runs) {
    for (const [segment, byDim] of Object.entries(r.preferences)) {
      const target = (preferences[segment] ??= {});
      for (const [dim, counts] of Object.entries(byDim)) {
        const t = (target[dim] ??= {});
        for (const [option, n] of Object.entries(counts)) t[option] = (t[option] ?? 0) + n;
      }
    }
  }
  for (const byDim of Object.values(preferences)) {
    for (const counts of Object.values(byDim)) {
      const total = sum(Object.values(counts)) || 1;
      for (const k of Object.keys(counts)) counts[k] = counts[k]! / total;
    }
  }
  return {
    label,
    type,
    customers: runs[0]!.customers,
    decisions: overSeeds(decisions),
    cumulativeReward: overSeeds(runs.map((r) => sum(r.daily.reward))),
    meanRewardPerDay: overSeeds(runs.map((r) => sum(r.daily.reward) / r.days)),
    rewardPerCustomer: overSeeds(runs.map((r) => r.perCustomer.mean)),
    regret: overSeeds(runs.map((r, s) => (decisions[s] ? sum(r.daily.oracle) - sum(r.daily.expected) : 0))),
    oracleShare: overSeeds(
      runs.map((r, s) => (decisions[s] ? sum(r.daily.expected) / sum(r.daily.oracle) : Number.NaN)),
    ),
    conversions: overSeeds(runs.map((r) => sum(r.daily.conversions))),
    unsubscribes: overSeeds(runs.map((r) => sum(r.daily.unsubscribes))),
    uplift,
    bestOptionShare: Object.fromEntries(
      dims.map((d) => [
        d,
        overSeeds(runs.map((r, s) => (decisions[s] ? sum(r.daily.bestMatch[d]!) / sends[s]! : Number.NaN))),
      ]),
    ),
    preferences,
    curves: {
      cumulativeReward: averageCurves(runs.map((r) => cumulative(r.daily.reward))),
      cumulativeRegret: averageCurves(
        runs.map((r) => cumulative(r.daily.oracle.map((o, d) => o - r.daily.expected[d]!))),
      ),
      rewardPerDecision: averageCurves(
        runs.map((r) => r.daily.expected.map((e, d) => e / Math.max(1, r.daily.opportunities[d]!))),
      ),
      bestOptionShare: Object.fromEntries(
        dims.map((dim) => [
          dim,
          averageCurves(
            runs.map((r) =>
              r.daily.bestMatch[dim]!.map((m, d) => m / Math.max(1, r.daily.opportunities[d]!)),
            ),
          ),
        ]),
      ),
    },
  };
}

/** Aggregates job results into per-policy and per-group results with intervals over replications. */
export function aggregate(
  results: readonly JobResult[],
  meta: {
    scenario: string;
    description?: string;
    metric: string;
    days: number;
    populationSize: number;
    seconds: number;
  },
): SimulationResults {
  const replications = [...new Set(results.map((r) => r.replication))].sort((a, b) => a - b);
  const controls = new Map<number, Partial<Record<ControlGroup, GroupRun>>>();
  for (const r of results) {
    if (r.unit.type !== "group") continue;
    const entry = controls.get(r.replication) ?? {};
    entry[r.unit.group] = r.run;
    controls.set(r.replication, entry);
  }
  const byLabel = new Map<string, JobResult[]>();
  for (const r of results) {
    const label = unitLabel(r.unit);
    byLabel.set(label, [...(byLabel.get(label) ?? []), r]);
  }
  const policies: UnitResult[] = [];
  const groups: UnitResult[] = [];
  for (const [label, rs] of byLabel) {
    rs.sort((a, b) => a.replication - b.replication);
    const type = rs[0]!.unit.type;
    const out = summarise(
      type === "group" ? label.slice("group:".length) : label,
      type,
      rs.map((r) => r.run),
      controls,
      rs.map((r) => r.replication),
    );
    (type === "policy" ? policies : groups).push(out);
  }
  return { format: "kairos-sim-results/v1", ...meta, replications: replications.length, policies, groups };
}
