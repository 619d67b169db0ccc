import {
  type Context,
  ContextEncoder,
  type ContextSchemaConfig,
  KairosError,
  type Policy,
} from "@kairos/core";
import { buildWorld, replicationSeed, type World } from "../experiment.js";
import { type LoggedDecision, simulateGroup } from "../loop.js";
import { buildPolicy, needsUnitRewards, ORACLE, type PolicySpec } from "../policies.js";
import { calendarOf } from "../response.js";
import type { Scenario } from "../scenario/schema.js";
import {
  emptyOpeData,
  estimatePolicyValue,
  type OpeData,
  type OpeEstimate,
  type OpeOptions,
} from "./estimators.js";

/** A policy that can say how likely each action is (every core policy and the A/B baselines). */
export type ProbabilisticPolicy = Policy & Required<Pick<Policy, "actionProbabilities">>;

/** Options of {@link evaluateOffPolicy}. */
export interface OffPolicyOptions extends OpeOptions {
  /** The policy whose log is used (it needs propensities; random or epsilon-greedy are typical). */
  logging: PolicySpec;
  /** The policy evaluated from that log. It is first trained by running it for `trainDays`. */
  target: PolicySpec;
  replication?: number;
  /** Days logged. Default: the scenario horizon. */
  days?: number;
  /** Days the target learns before it is frozen and evaluated. Default: the scenario horizon. */
  trainDays?: number;
  populationSize?: number;
}

/** An estimate next to the simulator's truth. */
export interface CheckedEstimate extends OpeEstimate {
  /** Estimate minus truth. */
  error: number;
  /** Whether the interval contains the truth. */
  covered: boolean | null;
}

/** Result of {@link evaluateOffPolicy}. */
export interface OffPolicyResult {
  /** True expected reward per decision of the target on the logged contexts. */
  truth: number;
  /** Realised reward per decision of the logging policy. */
  loggingValue: number;
  estimates: CheckedEstimate[];
  /** The log in estimator form (also writable as bandit-ope/v1), and the raw decisions. */
  data: OpeData;
  decisions: LoggedDecision[];
  numActions: number;
  /** The context schema the policies saw (for decision-log headers). */
  context: ContextSchemaConfig;
}

/**
 * Off-policy evaluation against ground truth: trains the target policy in the simulator, logs the logging
 * policy's decisions on the same customers, estimates the frozen target's value from that log, and
 * compares with the truth Σₐ π(a|x) E[r | x, a] averaged over the logged decisions.
 */
export function evaluateOffPolicy(scenario: Scenario, options: OffPolicyOptions): OffPolicyResult {
  const world = buildWorld(
    scenario,
    replicationSeed(scenario, options.replication ?? 1),
    options.populationSize,
  );
  const target = trainTarget(world, options.target, options.trainDays ?? scenario.days);
  const decisions: LoggedDecision[] = [];
  const logging = buildPolicy(options.logging, { ...envOf(world), propensities: true });
  if (logging === ORACLE) throw new KairosError("bad_policy", "the oracle has no propensities to log");
  simulateGroup({
    ...worldRun(world),
    policy: logging,
    days: options.days ?? scenario.days,
    clipRewards: needsUnitRewards(options.logging) ? [0, 1] : undefined,
    onDecision: (d) => decisions.push(d),
  });
  const kept = decisions.filter((d) => Number.isFinite(d.propensity) && d.propensity > 0);
  if (kept.length === 0)
    throw new KairosError("empty_log", "the logging policy made no decision with a usable propensity");
  const encoder = new ContextEncoder(world.context);
  const { model, space } = world;
  const ev = model.newEvaluation();
  const data = emptyOpeData();
  let truth = 0;
  for (const d of kept) {
    const pi = target.actionProbabilities(d.context as Context, {
      decisionId: `ope-${d.day}-${d.customer}`,
      ...(d.eligibility ? { eligibility: d.eligibility } : {}),
    });
    model.evaluate(d.customer, calendarOf(scenario, d.day), d.context.recentMessages as number, ev);
    for (let a = 0; a < pi.length; a++) if (pi[a]! > 0) truth += pi[a]! * ev.expected[model.positionOf[a]!]!;
    data.x.push(encoder.encode(d.context as Context));
    data.a.push(d.actionIndex);
    data.r.push(d.reward);
    data.pscore.push(d.propensity);
    data.pi.push(pi);
  }
  truth /= kept.length;
  const estimates = estimatePolicyValue(data, options).map((e) => ({
    ...e,
    error: e.estimate - truth,
    covered: e.ci ? e.ci[0] <= truth && truth <= e.ci[1] : null,
  }));
  return {
    truth,
    loggingValue: data.r.reduce((s, v) => s + v, 0) / data.r.length,
    estimates,
    data,
    decisions: kept,
    numActions: space.size,
    context: world.context,
  };
}

function envOf(world: World) {
  return { scenario: world.scenario, space: world.space, context: world.context, seed: world.seed };
}

function worldRun(world: World) {
  return {
    scenario: world.scenario,
    space: world.space,
    population: world.population,
    model: world.model,
    seed: world.seed,
    customers: world.groups.kairos,
  };
}

/** Builds the target and lets it learn on the kairos group for `days` days (no learning when 0). */
function trainTarget(world: World, spec: PolicySpec, days: number): ProbabilisticPolicy {
  // With propensities on, Thompson sampling reports its real action distribution (propensity draws or exact
  // integration); without them actionProbabilities would be the one-hot argmax of a single draw.
  const policy = buildPolicy(spec, {
    ...envOf(world),
    seed: `${world.seed}\u0000target`,
    propensities: true,
  });
  if (policy === ORACLE || !policy.actionProbabilities) {
    throw new KairosError("bad_policy", `${spec.label} cannot report action probabilities`);
  }
  if (days > 0) {
    simulateGroup({
      ...worldRun(world),
      policy,
      days,
      clipRewards: needsUnitRewards(spec) ? [0, 1] : undefined,
    });
  }
  return policy as ProbabilisticPolicy;
}
