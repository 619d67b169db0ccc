import type { ActionRecord } from "@kairos/core";
import type { ProgrammeRecord } from "./baselines/sequential-ab-test.js";
import { type AbTestOutcome, type JobResult, unitLabel } from "./experiment.js";
import type { GroupName } from "./groups.js";
import type { GroupRun } from "./loop.js";
import { categoriesOf } from "./population.js";
import type { Scenario } from "./scenario/schema.js";
import {
  combineReplications,
  type Interval,
  type IntervalBasis,
  mean,
  overSeeds,
  relativeUplift,
} from "./stats.js";

/** Control groups uplift is measured against. */
export type ControlGroup = Exclude<GroupName, "kairos">;

/** A daily series with a 95% band over replications (the band is the estimate itself with one replication). */
export interface Band {
  estimate: number[];
  low: number[];
  high: number[];
}

/** Learning curves, averaged over replications, one value per day. */
export interface Curves {
  /** Cumulative realised reward per customer of the group, with its band: comparable across groups. */
  rewardPerCustomer: Band;
  /** Cumulative realised reward of the group (a total: depends on the group's size). */
  cumulativeReward: number[];
  /** Cumulative regret against the oracle (expected rewards, a total). */
  cumulativeRegret: number[];
  /** Cumulative regret per customer of the group, with its band. */
  regretPerCustomer: Band;
  /** Expected reward per decision that day, with its band. */
  rewardPerDecision: Band;
  /** Per dimension: share of that day's decisions using the truly best option. */
  bestOptionShare: Record<string, number[]>;
}

/**
 * What a row is: a Kairos policy, a baseline marketers use (random, business as usual, A/B tests), a
 * ceiling no real policy reaches (the oracle, the best single combination in hindsight), or a control group.
 */
export type Role = "kairos" | "baseline" | "ceiling" | "group";

/** What an A/B test baseline did, over replications. */
export interface AbTestSummary {
  design: AbTestOutcome["design"];
  /** Per replication: the combination each segment ("*": everyone) had at the end of the horizon. */
  shipped: Record<string, ActionRecord>[];
  /** Rank (1 = best of `combinations`, by true value) of what everyone had at the end, per replication. */
  shippedRank?: number[];
  combinations: number;
  /** The sequential design's stages in the first replication. */
  programmes?: ProgrammeRecord[];
}

/** Results of one policy (run on the kairos group) or one control group, over replications. */
export interface UnitResult {
  label: string;
  /** "policy" or "group". */
  type: "policy" | "group";
  /** Policy kind (`ab-test`, `factorised-thompson`…), or the group name. */
  kind: string;
  role: Role;
  customers: number;
  decisions: Interval;
  cumulativeReward: Interval;
  meanRewardPerDay: Interval;
  /**
   * Total reward per customer of the group over the horizon: the quantity uplift compares. Interval from
   * the variation between replications (see {@link SimulationResults.intervals}).
   */
  rewardPerCustomer: Interval;
  regret: Interval;
  /** Expected reward lost against the oracle, per customer of the group. */
  regretPerCustomer: Interval;
  /** Expected reward as a share of the oracle's on the same decisions. */
  oracleShare: Interval;
  conversions: Interval;
  unsubscribes: Interval;
  /** Messages sent, conversions and unsubscribes per customer of the group. */
  sendsPerCustomer: Interval;
  conversionsPerCustomer: Interval;
  unsubscribesPerCustomer: Interval;
  /** Uplift of this policy's reward per customer over each control group (empty for groups). */
  uplift: Partial<Record<ControlGroup, Interval>>;
  /** Per dimension: share of decisions whose option equals the truly best one's. */
  bestOptionShare: Record<string, Interval>;
  /** Per segment, per dimension, share of decisions using each option (pooled over replications). */
  preferences: Record<string, Record<string, Record<string, number>>>;
  curves: Curves;
  /** A/B test baselines: what they shipped. */
  abTest?: AbTestSummary;
}

/**
 * A paired comparison of two policies run on the same customers with the same outcome draws: the
 * difference in reward per customer (policy − versus) and its ratio to `versus`'s, per replication, then
 * a t-interval over replications (no interval with one replication).
 */
export interface Comparison {
  policy: string;
  versus: string;
  difference: Interval;
  relative: Interval;
}

/** How the 95% intervals of a results file were built. */
export interface IntervalInfo {
  basis: IntervalBasis;
  replications: number;
  note: string;
}

/** What reports need to know about the scenario besides the results. */
export interface ScenarioFacts {
  /** Currency of money metrics, when the scenario names one. */
  currency?: string;
  /** Options of each dimension in the scenario's order. */
  dimensions?: Record<string, string[]>;
  /** The segment feature and its values in the scenario's order. */
  segmentFeature?: string;
  segments?: string[];
  /** Days after a send its outcome may still arrive. */
  attributionDays?: number;
  /** Shares of customers in each group. */
  groupShares?: Record<GroupName, number>;
  /** The business-as-usual combination. */
  bau?: ActionRecord;
}

/** Everything `kairos-sim run` produces (results.json). */
export interface SimulationResults extends ScenarioFacts {
  format: "kairos-sim-results/v1";
  scenario: string;
  description?: string;
  metric: string;
  days: number;
  populationSize: number;
  replications: number;
  intervals: IntervalInfo;
  policies: UnitResult[];
  groups: UnitResult[];
  comparisons: Comparison[];
  seconds: number;
}

/** The facts about a scenario a report uses (currency, option and segment order…). */
export function scenarioFacts(scenario: Scenario): ScenarioFacts {
  const seg = scenario.population.segmentFeature;
  const f = seg === undefined ? undefined : scenario.features[seg];
  const segments =
    f?.type === "categorical" ? categoriesOf(f) : f?.type === "boolean" ? ["true", "false"] : undefined;
  return {
    ...(scenario.metric.currency ? { currency: scenario.metric.currency } : {}),
    dimensions: Object.fromEntries(
      Object.entries(scenario.actions.dimensions).map(([d, options]) => [d, options.map(String)]),
    ),
    ...(seg !== undefined && segments ? { segmentFeature: seg, segments } : {}),
    attributionDays: scenario.delays.length - 1,
    groupShares: { ...scenario.groups },
    bau: scenario.bau,
  };
}

/** Kinds of the baselines marketers use, and of the ceilings. */
const BASELINES = new Set(["random", "bau", "ab-test", "segment-ab-test", "fixed"]);
const CEILINGS = new Set(["oracle", "best-single"]);

/** The role of a policy kind. */
export function roleOf(kind: string): Role {
  return BASELINES.has(kind) ? "baseline" : CEILINGS.has(kind) ? "ceiling" : "kairos";
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

/** A daily band: per day, the mean over replications and its 95% t-interval. */
function band(series: number[][]): Band {
  const days = series[0]?.length ?? 0;
  const out: Band = { estimate: [], low: [], high: [] };
  for (let d = 0; d < days; d++) {
    const i = overSeeds(series.map((s) => s[d] ?? 0));
    out.estimate.push(i.estimate);
    out.low.push(i.low);
    out.high.push(i.high);
  }
  return out;
}

/** Within-run standard error of a group's reward per customer. */
const withinSe = (r: GroupRun): number => Math.sqrt(r.perCustomer.variance / Math.max(1, r.customers));

/** Drops the `basis` field combineReplications adds (it is the same for the whole file). */
function interval(estimates: number[], se: number[]): Interval {
  const { basis: _basis, ...i } = combineReplications(estimates, se);
  return i;
}

/** Summarises the runs of one unit over replications; `controls` are the control runs per replication. */
function summarise(
  label: string,
  kind: string,
  type: "policy" | "group",
  runs: GroupRun[],
  controls: Map<number, Partial<Record<ControlGroup, GroupRun>>>,
  replications: number[],
  abTests: (AbTestOutcome | undefined)[],
): UnitResult {
  const dims = Object.keys(runs[0]!.daily.bestMatch);
  const decisions = runs.map((r) =>
    type === "group" && r.daily.oracle.every((v) => v === 0) ? 0 : sum(r.daily.opportunities),
  );
  const sends = runs.map((r) => sum(r.daily.opportunities));
  const perCustomer = (f: (r: GroupRun, s: number) => number) =>
    overSeeds(runs.map((r, s) => f(r, s) / Math.max(1, r.customers)));
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
      // Each replication is an independent experiment (its own customers, groups, outcomes and learning
      // path): the interval comes from how much the uplift varies between them, floored by the delta-method
      // error within them.
      uplift[g] = interval(
        per.map((u) => u.estimate),
        per.map((u) => (u.high - u.low) / (2 * 1.96)),
      );
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
  const regret = (r: GroupRun, s: number) => (decisions[s] ? sum(r.daily.oracle) - sum(r.daily.expected) : 0);
  const tests = abTests.filter((t): t is AbTestOutcome => t !== undefined);
  const ranks = tests.flatMap((t) => (t.shippedRank === undefined ? [] : [t.shippedRank]));
  return {
    label,
    type,
    kind,
    role: type === "group" ? "group" : roleOf(kind),
    customers: runs[0]!.customers,
    decisions: overSeeds(decisions),
    cumulativeReward: overSeeds(runs.map((r) => sum(r.daily.reward))),
    meanRewardPerDay: overSeeds(runs.map((r) => sum(r.daily.reward) / r.days)),
    rewardPerCustomer: interval(
      runs.map((r) => r.perCustomer.mean),
      runs.map(withinSe),
    ),
    regret: overSeeds(runs.map(regret)),
    regretPerCustomer: perCustomer(regret),
    oracleShare: overSeeds(
      runs.map((r, s) => (decisions[s] ? sum(r.daily.expected) / sum(r.daily.oracle) : Number.NaN)),
    ),
    conversions: overSeeds(runs.map((r) => sum(r.daily.conversions))),
    unsubscribes: overSeeds(runs.map((r) => sum(r.daily.unsubscribes))),
    sendsPerCustomer: perCustomer((_r, s) => decisions[s]!),
    conversionsPerCustomer: perCustomer((r) => sum(r.daily.conversions)),
    unsubscribesPerCustomer: perCustomer((r) => sum(r.daily.unsubscribes)),
    uplift,
    bestOptionShare: Object.fromEntries(
      dims.map((d) => [
        d,
        overSeeds(runs.map((r, s) => (decisions[s] ? sum(r.daily.bestMatch[d]!) / sends[s]! : Number.NaN))),
      ]),
    ),
    preferences,
    curves: {
      rewardPerCustomer: band(
        runs.map((r) => cumulative(r.daily.reward).map((v) => v / Math.max(1, r.customers))),
      ),
      cumulativeReward: averageCurves(runs.map((r) => cumulative(r.daily.reward))),
      cumulativeRegret: averageCurves(
        runs.map((r) => cumulative(r.daily.oracle.map((o, d) => o - r.daily.expected[d]!))),
      ),
      regretPerCustomer: band(
        runs.map((r) =>
          cumulative(r.daily.oracle.map((o, d) => o - r.daily.expected[d]!)).map(
            (v) => v / Math.max(1, r.customers),
          ),
        ),
      ),
      rewardPerDecision: band(
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
    ...(tests.length
      ? {
          abTest: {
            design: tests[0]!.design,
            shipped: tests.map((t) => t.shipped),
            ...(ranks.length === tests.length ? { shippedRank: ranks } : {}),
            combinations: tests[0]!.combinations,
            ...(tests[0]!.programmes ? { programmes: tests[0]!.programmes } : {}),
          },
        }
      : {}),
  };
}

/**
 * Paired comparisons of every Kairos policy with every baseline and ceiling run beside it, and with auto:
 * both ran on the same customers with the same outcome draws in each replication, so their difference is
 * far less noisy than either result; the interval is a t-interval over replications of that difference.
 */
function compare(
  byLabel: Map<string, JobResult[]>,
  policies: UnitResult[],
  replications: number[],
): Comparison[] {
  const out: Comparison[] = [];
  const runsOf = (label: string) => {
    const m = new Map(byLabel.get(label)!.map((r) => [r.replication, r.run.perCustomer.mean]));
    return replications.map((r) => m.get(r));
  };
  for (const p of policies.filter((u) => u.role === "kairos")) {
    const a = runsOf(p.label);
    // And with auto, core's default, so the summary can say when another preset pays more here.
    for (const v of policies.filter((u) => u.role !== "kairos" || (u.kind === "auto" && p.kind !== "auto"))) {
      const b = runsOf(v.label);
      const pairs = a.flatMap((x, i) => (x !== undefined && b[i] !== undefined ? [[x, b[i]!] as const] : []));
      if (pairs.length === 0) continue;
      const point = (xs: number[]) =>
        pairs.length > 1 ? overSeeds(xs) : { estimate: xs[0]!, low: Number.NaN, high: Number.NaN };
      out.push({
        policy: p.label,
        versus: v.label,
        difference: point(pairs.map(([x, y]) => x - y)),
        relative: point(pairs.map(([x, y]) => (y !== 0 ? x / y - 1 : Number.NaN))),
      });
    }
  }
  return out;
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
  } & ScenarioFacts,
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
    const unit = rs[0]!.unit;
    const out = summarise(
      unit.type === "group" ? label.slice("group:".length) : label,
      unit.type === "group" ? unit.group : unit.spec.kind,
      unit.type,
      rs.map((r) => r.run),
      controls,
      rs.map((r) => r.replication),
      rs.map((r) => r.abTest),
    );
    (unit.type === "policy" ? policies : groups).push(out);
  }
  const many = replications.length > 1;
  const intervals: IntervalInfo = {
    basis: many ? "between-replications" : "within-run",
    replications: replications.length,
    note: many
      ? `95% intervals from the variation between the ${replications.length} replications (t-interval; reward per customer and uplift: between-replication variance, at least the within-run one)`
      : "one replication: reward-per-customer and uplift intervals are within-run only (customer and outcome sampling); they ignore how much a learning policy's result varies from one run to the next, so they are too narrow; run 3 or more replications (--seeds 3) for intervals over replications",
  };
  return {
    format: "kairos-sim-results/v1",
    ...meta,
    replications: replications.length,
    intervals,
    policies,
    groups,
    comparisons: compare(byLabel, policies, replications),
  };
}
