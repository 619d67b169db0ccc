import type { ContextSchemaConfig } from "@kairos/core";
import { importPresetModules, ValidationError } from "@kairos/core";
import type { Job, Unit } from "./experiment.js";
import type { GroupName } from "./groups.js";
import type { LoggedDecision } from "./loop.js";
import { runJobs } from "./parallel.js";
import { checkLoggable, type PolicySpec, parsePolicyList } from "./policies.js";
import { aggregate, type SimulationResults, scenarioFacts } from "./results.js";
import type { Scenario } from "./scenario/schema.js";

/** Policies compared when neither the caller nor the scenario names any. */
export const DEFAULT_POLICIES =
  "random,bau,ab-test,segment-ab-test,auto,factorised-thompson,factorised-ucb,squarecb";

/** Options of {@link simulate}. */
export interface SimulateRunOptions {
  /** Policies to compare (specs or a comma-separated list); default: the scenario's list, else DEFAULT_POLICIES. */
  policies?: string | PolicySpec[];
  /** Replication numbers (1-based) or a count. Default 1. */
  replications?: number | number[];
  /** Override the scenario's horizon. */
  days?: number;
  /** Override the population size. */
  populationSize?: number;
  /** Worker threads (0/1 = inline). Default: available cores. */
  workers?: number;
  /** Progress in [0, 1] after each simulated day of any job. */
  onProgress?: (fraction: number) => void;
  /**
   * Log the decisions of one policy (its label) in the first replication: `onLog` receives them, with
   * propensities, once the run is done. Only that job pays for propensities; results are the same.
   */
  log?: { policy: string; onLog: (log: PolicyDecisions) => void };
}

/** The decisions of one policy in one replication, with what a decision-log header needs. */
export interface PolicyDecisions {
  policy: string;
  replication: number;
  /** The replication's seed. */
  seed: string;
  /** The context schema the policy saw. */
  context: ContextSchemaConfig;
  decisions: LoggedDecision[];
}

/**
 * Runs the experiment of a scenario: per replication, every policy on the kairos group plus the random,
 * business-as-usual and holdout control groups, in parallel on worker threads; then aggregates.
 */
export async function simulate(
  scenario: Scenario,
  options: SimulateRunOptions = {},
): Promise<SimulationResults> {
  const started = performance.now();
  // Presets other packages register (the scenario's presetModules) before policy names are checked.
  await importPresetModules(scenario.presetModules);
  const specs =
    typeof options.policies === "object"
      ? options.policies
      : parsePolicyList(options.policies ?? scenario.policies?.join(",") ?? DEFAULT_POLICIES);
  const reps =
    typeof options.replications === "object"
      ? options.replications
      : Array.from({ length: options.replications ?? 1 }, (_, i) => i + 1);
  const logSpec = options.log && specs.find((s) => s.label === options.log!.policy);
  if (options.log && !logSpec) {
    throw new ValidationError(
      "log",
      `cannot log "${options.log.policy}": not among the policies run (${specs.map((s) => s.label).join(", ")})`,
    );
  }
  if (logSpec) checkLoggable(logSpec, scenario);
  const units: Unit[] = specs.map((spec) => ({ type: "policy", spec }));
  for (const g of ["random", "bau", "holdout"] as const satisfies readonly Exclude<GroupName, "kairos">[]) {
    if (scenario.groups[g] > 0) units.push({ type: "group", group: g });
  }
  const jobs: Job[] = [];
  for (const replication of reps) {
    for (const unit of units) {
      jobs.push({
        id: jobs.length,
        scenario,
        replication,
        unit,
        days: options.days,
        populationSize: options.populationSize,
        ...(unit.type === "policy" && unit.spec === logSpec && replication === reps[0] ? { log: true } : {}),
      });
    }
  }
  const days = options.days ?? scenario.days;
  const progress = new Float64Array(jobs.length);
  const results = await runJobs(jobs, {
    workers: options.workers,
    onDay: (id, day) => {
      progress[id] = day + 1;
      options.onProgress?.(progress.reduce((s, v) => s + v, 0) / (jobs.length * days));
    },
  });
  const logged = results.find((r) => r.log);
  if (options.log && logged?.log) {
    options.log.onLog({ policy: options.log.policy, replication: logged.replication, ...logged.log });
  }
  return aggregate(results, {
    scenario: scenario.name,
    description: scenario.description,
    metric: scenario.metric.kind,
    days,
    populationSize: options.populationSize ?? scenario.population.size,
    seconds: (performance.now() - started) / 1000,
    ...scenarioFacts(scenario),
  });
}
