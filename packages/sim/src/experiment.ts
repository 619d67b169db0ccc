import type { ActionRecord, ContextSchemaConfig } from "@kairos/core";
import { FullFactorialAbTest } from "./baselines/ab-test.js";
import { type ProgrammeRecord, SequentialAbTest } from "./baselines/sequential-ab-test.js";
import { combinationValues } from "./baselines/truth.js";
import type { GroupName } from "./groups.js";
import { type GroupRun, type LoggedDecision, rewardScaleOf, simulateGroup } from "./loop.js";
import { buildPolicy, needsUnitRewards, type PolicySpec } from "./policies.js";
import type { Scenario } from "./scenario/schema.js";
import { buildWorld } from "./world.js";

export { buildWorld, type World } from "./world.js";

/** The seed of replication `r` (1-based) of a scenario. */
export function replicationSeed(scenario: Scenario, r: number): string {
  return `${scenario.seed}-${r}`;
}

/** What one job simulates: a policy on the kairos group, or one of the control groups with its own treatment. */
export type Unit =
  | { type: "policy"; spec: PolicySpec }
  | { type: "group"; group: Exclude<GroupName, "kairos"> };

/** One unit of work for a worker thread. */
export interface Job {
  id: number;
  scenario: Scenario;
  replication: number;
  unit: Unit;
  days?: number;
  populationSize?: number;
  /** Collect the decisions (with propensities) for a decision log. */
  log?: boolean;
}

/** A job's result. */
export interface JobResult {
  id: number;
  replication: number;
  unit: Unit;
  run: GroupRun;
  /** The decisions, when the job was asked to log them, and the context schema the policy saw. */
  log?: { seed: string; context: ContextSchemaConfig; decisions: LoggedDecision[] };
  /** What an A/B test baseline did. */
  abTest?: AbTestOutcome;
}

/** What an A/B test baseline did in one replication. */
export interface AbTestOutcome {
  /** The design and its settings. */
  design:
    | {
        kind: "sequential";
        mde: number;
        power: number;
        alpha: number;
        order: string[];
        attributionDays: number;
      }
    | { kind: "full-factorial"; exploreDays: number; arms: number };
  /** The combination each segment ("*": everyone) had at the end of the horizon. */
  shipped: Record<string, ActionRecord>;
  /**
   * Rank (1 = best) of the combination everyone had at the end among the feasible combinations, by true
   * expected reward per send over the horizon on these customers (absent for segment-level tests).
   */
  shippedRank?: number;
  combinations: number;
  /** The sequential design's stages per segment (absent for the full-factorial design). */
  programmes?: ProgrammeRecord[];
}

/** The label a unit has in results: the policy label, or `group:<name>`. */
export function unitLabel(unit: Unit): string {
  return unit.type === "policy" ? unit.spec.label : `group:${unit.group}`;
}

/**
 * Runs one job to completion (in a worker or inline). Decisions carry propensities only when they are
 * logged (`job.log` or `onDecision`): Thompson sampling pays extra posterior draws for them.
 */
export function runJob(
  job: Job,
  onDay?: (day: number) => void,
  onDecision?: (d: LoggedDecision) => void,
): JobResult {
  const logged: LoggedDecision[] | undefined = job.log ? [] : undefined;
  const record =
    logged || onDecision
      ? (d: LoggedDecision) => {
          logged?.push(d);
          onDecision?.(d);
        }
      : undefined;
  const world = buildWorld(job.scenario, replicationSeed(job.scenario, job.replication), job.populationSize);
  const { scenario, groups } = world;
  const perDay = scenario.audience.perDay;
  let customers: Int32Array;
  let policy: ReturnType<typeof buildPolicy> | null;
  let clip: [number, number] | undefined;
  let share: number;
  if (job.unit.type === "policy") {
    customers = groups.kairos;
    share = scenario.groups.kairos;
    policy = buildPolicy(job.unit.spec, {
      scenario,
      space: world.space,
      context: world.context,
      seed: world.seed,
      propensities: record !== undefined,
      world,
      customers,
      days: job.days ?? scenario.days,
    });
    if (needsUnitRewards(job.unit.spec)) clip = [0, 1];
  } else {
    const g = job.unit.group;
    customers = groups[g];
    share = scenario.groups[g];
    policy =
      g === "holdout"
        ? null
        : buildPolicy(
            { label: g === "random" ? "random" : "bau", kind: g === "random" ? "random" : "bau", params: {} },
            { scenario, space: world.space, context: world.context, seed: world.seed },
          );
  }
  const run = simulateGroup({
    scenario,
    space: world.space,
    population: world.population,
    model: world.model,
    seed: world.seed,
    customers,
    policy,
    days: job.days,
    capacity: perDay === undefined ? undefined : Math.max(1, Math.round(perDay * share)),
    clipRewards: clip,
    onDay,
    onDecision: record,
  });
  let abTest: AbTestOutcome | undefined;
  if (policy instanceof SequentialAbTest || policy instanceof FullFactorialAbTest) {
    const shipped = policy.winnersByRecord();
    abTest = {
      design:
        policy instanceof SequentialAbTest
          ? { kind: "sequential", ...policy.settings() }
          : { kind: "full-factorial", ...policy.settings() },
      shipped,
      combinations: world.model.feasibleCount,
    };
    if (shipped["*"] && Object.keys(shipped).length === 1) {
      const values = combinationValues(world, customers, job.days ?? scenario.days);
      const mine = values[world.model.positionOf[world.space.indexOf(shipped["*"])]!]!;
      abTest.shippedRank = 1 + values.filter((v) => v > mine).length;
    }
    if (policy instanceof SequentialAbTest) {
      // Back from the units the policy learns in to the scenario's.
      const scale = rewardScaleOf(scenario);
      abTest.programmes = policy.record().map((p) => ({
        ...p,
        stages: p.stages.map((s) => ({
          ...s,
          plannedFrom: { mean: s.plannedFrom.mean * scale, sd: s.plannedFrom.sd * scale },
          // Means of a stage still open are partial: conversions arrive before non-conversions.
          means: s.means.map((m) => (s.decidedDay === undefined ? Number.NaN : m * scale)),
        })),
      }));
    }
  }
  return {
    id: job.id,
    replication: job.replication,
    unit: job.unit,
    run,
    ...(logged ? { log: { seed: world.seed, context: world.context, decisions: logged } } : {}),
    ...(abTest ? { abTest } : {}),
  };
}
