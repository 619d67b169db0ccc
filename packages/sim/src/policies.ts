import {
  type ActionRecord,
  type ActionSpace,
  type ContextSchemaConfig,
  createPolicy,
  type Policy,
  type PolicyConfig,
  type PolicyKind,
  presetHasSetting,
  registeredPresets,
  ValidationError,
} from "@kairos/core";
import { FullFactorialAbTest } from "./baselines/ab-test.js";
import { SequentialAbTest } from "./baselines/sequential-ab-test.js";
import { combinationValues, sendStats } from "./baselines/truth.js";
import { rewardScaleOf } from "./loop.js";
import type { Scenario } from "./scenario/schema.js";
import { closest } from "./suggest.js";
import { buildWorld, type World } from "./world.js";

/** A policy named on the command line: `linucb`, `epsilon-greedy:epsilon=0.05`, `ab-test:days=14`. */
export interface PolicySpec {
  /** Label in tables and reports (the spec text as written). */
  label: string;
  kind: string;
  params: Record<string, unknown>;
}

/** Baselines the simulator itself provides (besides core's `random` and `fixed`). */
export const simBaselines = ["bau", "ab-test", "segment-ab-test", "best-single", "oracle"] as const;

/** Every name `--policies` accepts: the baselines, core's presets and those registered with core. */
export function knownPolicyNames(): string[] {
  return [...simBaselines, ...Object.keys(registeredPresets())];
}

/**
 * A setting's value as written after `=`: JSON when it parses as JSON (numbers, booleans, arrays such as
 * `[["channel","hour"]]`, objects such as `{"alpha":2,"beta":5}`), else the text itself. `interactions` also
 * reads `channel*hour|offer*channel`.
 */
export function parseSettingValue(key: string, text: string): unknown {
  const t = text.trim();
  let value: unknown = t;
  try {
    value = JSON.parse(t);
  } catch {
    // `.5` or `1e3 ` are numbers to a person, if not to JSON.
    if (t !== "" && Number.isFinite(Number(t))) value = Number(t);
  }
  if (key === "interactions" && typeof value === "string")
    return value.split("|").map((group) => group.split("*").map((d) => d.trim()));
  return value;
}

/**
 * Splits `text` at `separator` where it is outside brackets, braces and double quotes (so JSON setting values
 * may contain it).
 */
function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === "\\") i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === "[" || c === "{") depth++;
    else if (c === "]" || c === "}") depth = Math.max(0, depth - 1);
    else if (c === separator && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/**
 * Parses `kind:key=value;key=value` (values: see {@link parseSettingValue}):
 * `factorised-thompson:interactions=[["channel","hour"]];propensityDraws=50`.
 */
export function parsePolicySpec(text: string): PolicySpec {
  const [kind, rest] = text.split(/:(.*)/s, 2) as [string, string | undefined];
  const params: Record<string, unknown> = {};
  for (const part of rest ? splitTopLevel(rest, ";") : []) {
    const eq = part.indexOf("=");
    const k = eq < 0 ? "" : part.slice(0, eq).trim();
    if (!k) throw new ValidationError("policies", `"${text}": expected key=value after ":"`);
    params[k] = parseSettingValue(k, part.slice(eq + 1));
  }
  const aliases: Record<string, string> = {
    "segment-ab": "segment-ab-test",
    ab: "ab-test",
    "a/b": "ab-test",
  };
  const resolved = aliases[kind] ?? kind;
  if (!knownPolicyNames().includes(resolved)) {
    const hint = closest(kind, knownPolicyNames());
    throw new ValidationError(
      "policies",
      hint !== undefined
        ? `unknown policy "${kind}" (did you mean "${hint}"?)`
        : `unknown policy "${kind}" (known: ${knownPolicyNames().join(", ")})`,
    );
  }
  return { label: text, kind: resolved, params };
}

/** Splits a `--policies` list; `;` separates parameters inside one spec so `,` can separate policies. */
export function parsePolicyList(text: string): PolicySpec[] {
  const specs = splitTopLevel(text, ",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map(parsePolicySpec);
  if (specs.length === 0) throw new ValidationError("policies", "no policy named");
  const labels = new Set<string>();
  for (const s of specs) {
    if (labels.has(s.label)) throw new ValidationError("policies", `"${s.label}" is listed twice`);
    labels.add(s.label);
  }
  return specs;
}

/** The oracle marker: the loop picks the truly best action itself (it needs the ground truth). */
export const ORACLE = "oracle" as const;

/** What the simulator needs to build a policy. */
export interface PolicyEnv {
  scenario: Scenario;
  space: ActionSpace;
  context: ContextSchemaConfig;
  seed: string | number;
  /** Whether decisions need propensities (decision logs, OPE). */
  propensities?: boolean;
  /**
   * The replication's world and the customers the policy will serve, over `days` days: the A/B test plans
   * from the current campaign's figures on them, `best-single` ranks combinations on them with the true
   * model. Without it those two use a world drawn from the same scenario (same distributions, other customers).
   */
  world?: World;
  customers?: Int32Array;
  days?: number;
}

/** Whether a registered preset estimates Thompson propensities (it has a `propensityDraws` setting). */
function isThompson(kind: string): boolean {
  return presetHasSetting(kind, "propensityDraws");
}

/** Builds the policy a spec names: a sim baseline or any core preset via `createPolicy`. */
export function buildPolicy(spec: PolicySpec, env: PolicyEnv): Policy | typeof ORACLE {
  const { scenario, space } = env;
  const seed = `${env.seed}\u0000${spec.label}`;
  switch (spec.kind) {
    case "oracle":
      return ORACLE;
    case "bau":
      return createPolicy({
        kind: "fixed",
        actionSpace: space,
        context: env.context,
        seed,
        id: spec.label,
        action: scenario.bau,
        fallbacks: bauFallbacks(scenario, space),
      });
    case "ab-test":
    case "segment-ab-test":
      return buildAbTest(spec, env, seed);
    case "best-single": {
      // The best single combination in hindsight: ranked by the true model on these customers over the
      // horizon; a customer who cannot get it gets the best one they can.
      const { world, customers } = truthOf(env);
      const values = combinationValues(world, customers, env.days ?? scenario.days);
      const ranked = Array.from(values.keys())
        .sort((a, b) => values[b]! - values[a]! || a - b)
        .map((f) => space.recordOf(world.model.feasible[f]!));
      return createPolicy({
        kind: "fixed",
        actionSpace: space,
        context: env.context,
        seed,
        id: spec.label,
        action: ranked[0]!,
        fallbacks: ranked.slice(1),
      });
    }
    default: {
      const kind = spec.kind as PolicyKind;
      const params: Record<string, unknown> = { ...scenario.policySettings[kind], ...spec.params };
      // Thompson sampling's propensities cost work (exact integration for linear models when it applies,
      // else 100 extra posterior draws); the simulator only needs them when it writes a decision log, so
      // it skips them otherwise (propensityDraws=0: NaN propensity).
      // A log cannot do without them: an explicit propensityDraws=0 there is an error.
      if (env.propensities) checkLoggable(spec, scenario);
      if (isThompson(kind) && !("propensityDraws" in params))
        params.propensityDraws = env.propensities ? 100 : 0;
      // Scenario settings may write interactions as on the command line, `channel*hour|offer*channel`.
      if (typeof params.interactions === "string")
        params.interactions = parseSettingValue("interactions", params.interactions);
      if (kind === "fixed" && !("action" in params)) params.action = scenario.bau;
      // Scenario files are JSON: createPolicy validates the settings of whichever kind they name.
      return createPolicy({
        ...params,
        kind,
        actionSpace: space,
        context: env.context,
        seed,
        id: spec.label,
      } as PolicyConfig);
    }
  }
}

/** The world and customers the ground truth is read on (the job's, else a world drawn for the purpose). */
function truthOf(env: PolicyEnv): { world: World; customers: ArrayLike<number> } {
  if (env.world) return { world: env.world, customers: env.customers ?? env.world.groups.kairos };
  const world = buildWorld(
    env.scenario,
    `${env.seed}\u0000history`,
    Math.min(env.scenario.population.size, 2000),
  );
  return { world, customers: world.groups.kairos };
}

const AB_SETTINGS = ["design", "days", "mde", "power", "alpha", "order", "n", "segment"] as const;

/**
 * The A/B test baselines: settings from the spec over the scenario's `abTest`. The sequential design plans
 * its first stage from the business-as-usual campaign's reward per send over the first week (per segment
 * for the segment-level test).
 */
function buildAbTest(spec: PolicySpec, env: PolicyEnv, seed: string): Policy {
  const { scenario, space } = env;
  for (const key of Object.keys(spec.params)) {
    if (!(AB_SETTINGS as readonly string[]).includes(key))
      throw new ValidationError(
        `policy.${key}`,
        `unknown setting (${spec.kind} takes ${AB_SETTINGS.join(", ")})`,
      );
  }
  const p = spec.params;
  const segmentBy =
    spec.kind === "segment-ab-test"
      ? String(p.segment ?? scenario.population.segmentFeature ?? "")
      : undefined;
  if (segmentBy === "")
    throw new ValidationError("policies", "segment-ab-test needs population.segmentFeature or segment=");
  const design = String(p.design ?? scenario.abTest.design);
  // A setting of the other design would be silently ignored: refuse it.
  const foreign = (design === "full-factorial" ? ["mde", "power", "alpha", "order", "n"] : ["days"]).find(
    (k) => k in p,
  );
  if (foreign !== undefined && (design === "full-factorial" || design === "sequential"))
    throw new ValidationError(
      `policy.${foreign}`,
      design === "sequential"
        ? `applies to design=full-factorial; the sequential test's stages last as long as its power calculation says (set mde, power, alpha or n)`
        : "applies to the sequential design, not design=full-factorial",
    );
  if (design === "full-factorial") {
    return new FullFactorialAbTest({
      actionSpace: space,
      exploreDays: Number(p.days ?? scenario.abTest.days),
      arms: scenario.abTest.arms,
      segmentBy,
      seed,
      id: spec.label,
    });
  }
  if (design !== "sequential")
    throw new ValidationError("policy.design", `must be "sequential" or "full-factorial", got "${design}"`);
  const order = p.order ?? scenario.abTest.order;
  const n = p.n === undefined ? undefined : Number(p.n);
  let baseline: Record<string, { mean: number; sd: number }> | undefined;
  if (n === undefined) {
    const { world, customers } = truthOf(env);
    // In the units the policy learns in (rewards divided by the reward scale).
    const scale = rewardScaleOf(scenario);
    const stats = sendStats(
      world,
      customers,
      scenario.bau,
      Math.min(7, env.days ?? scenario.days),
      segmentBy,
    );
    baseline = Object.fromEntries(
      Object.entries(stats).map(([k, v]) => [k, { mean: v.mean / scale, sd: v.sd / scale }]),
    );
  }
  return new SequentialAbTest({
    actionSpace: space,
    start: scenario.bau,
    order:
      typeof order === "string" ? order.split("|").map((d) => d.trim()) : (order as string[] | undefined),
    mde: Number(p.mde ?? scenario.abTest.mde),
    power: Number(p.power ?? scenario.abTest.power),
    alpha: Number(p.alpha ?? scenario.abTest.alpha),
    ...(baseline ? { baseline } : {}),
    ...(n !== undefined ? { samplesPerArm: n } : {}),
    attributionDays: scenario.delays.length - 1,
    segmentBy,
    seed,
    id: spec.label,
  });
}

/**
 * Throws unless the policy can log its decisions with propensities: not the oracle (it has none), and no
 * Thompson sampling with an explicit `propensityDraws` of 0 (the spec's or the scenario's setting).
 */
export function checkLoggable(spec: PolicySpec, scenario: Scenario): void {
  if (spec.kind === "oracle") throw new ValidationError("log", "the oracle has no propensities to log");
  if (!isThompson(spec.kind)) return;
  const params: Record<string, unknown> = {
    ...scenario.policySettings[spec.kind as PolicyKind],
    ...spec.params,
  };
  if ("propensityDraws" in params && !(Number(params.propensityDraws) > 0)) {
    throw new ValidationError(
      "log",
      `"${spec.label}": a decision log needs propensities, so propensityDraws must be > 0 (got ${params.propensityDraws})`,
    );
  }
}

/** Whether a core preset only accepts rewards in [0, 1] (the simulator clips what it feeds it). */
export function needsUnitRewards(spec: PolicySpec): boolean {
  return spec.kind === "beta-thompson";
}

/**
 * Business as usual for a customer who unsubscribed from the usual channel: the same message on the
 * other options of the unsubscribe dimension, in declaration order (feasible ones only).
 */
function bauFallbacks(scenario: Scenario, space: ActionSpace): ActionRecord[] {
  const dim = scenario.unsubscribe?.dimension;
  if (dim === undefined) return [];
  return scenario.actions.dimensions[dim]!.filter((o) => o !== scenario.bau[dim])
    .map((o) => ({ ...scenario.bau, [dim]: o }))
    .filter((a) => space.isFeasible(space.codesOfRecord(a)));
}
