import type { ActionSpace, ContextSchemaConfig } from "@kairos/core";
import { assignGroups, type GroupAssignment, type GroupName } from "./groups.js";
import { type GroupRun, type LoggedDecision, simulateGroup } from "./loop.js";
import { buildPolicy, needsUnitRewards, type PolicySpec } from "./policies.js";
import { contextSchemaOf, generatePopulation, type Population } from "./population.js";
import { ResponseModel } from "./response.js";
import { actionSpaceOf } from "./scenario/load.js";
import type { Scenario } from "./scenario/schema.js";

/** The seed of replication `r` (1-based) of a scenario. */
export function replicationSeed(scenario: Scenario, r: number): string {
  return `${scenario.seed}-${r}`;
}

/** One replication's world: customers, their groups, and the true response model. */
export interface World {
  scenario: Scenario;
  seed: string;
  space: ActionSpace;
  population: Population;
  groups: GroupAssignment;
  model: ResponseModel;
  context: ContextSchemaConfig;
}

/** Builds the world of one replication; deterministic in (scenario, seed, size). */
export function buildWorld(scenario: Scenario, seed: string, size?: number): World {
  const space = actionSpaceOf(scenario);
  const population = generatePopulation(scenario, seed, size);
  return {
    scenario,
    seed,
    space,
    population,
    groups: assignGroups(scenario, population.size, seed),
    model: new ResponseModel(scenario, space, population),
    context: contextSchemaOf(scenario, population),
  };
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
  return {
    id: job.id,
    replication: job.replication,
    unit: job.unit,
    run,
    ...(logged ? { log: { seed: world.seed, context: world.context, decisions: logged } } : {}),
  };
}
