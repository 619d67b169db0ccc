import type { Job, Unit } from "./experiment.js";
import type { GroupName } from "./groups.js";
import { runJobs } from "./parallel.js";
import { type PolicySpec, parsePolicyList } from "./policies.js";
import { aggregate, type SimulationResults } from "./results.js";
import type { Scenario } from "./scenario/schema.js";

/** Policies compared when neither the caller nor the scenario names any. */
export const DEFAULT_POLICIES =
  "random,bau,ab-test,segment-ab-test,factorised-thompson,factorised-ucb,squarecb";

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
  const specs =
    typeof options.policies === "object"
      ? options.policies
      : parsePolicyList(options.policies ?? scenario.policies?.join(",") ?? DEFAULT_POLICIES);
  const reps =
    typeof options.replications === "object"
      ? options.replications
      : Array.from({ length: options.replications ?? 1 }, (_, i) => i + 1);
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
  return aggregate(results, {
    scenario: scenario.name,
    description: scenario.description,
    metric: scenario.metric.kind,
    days,
    populationSize: options.populationSize ?? scenario.population.size,
    seconds: (performance.now() - started) / 1000,
  });
}
