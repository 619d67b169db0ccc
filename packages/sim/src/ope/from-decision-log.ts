import {
  ActionSpace,
  type Context,
  ContextEncoder,
  createPolicy,
  type PolicyConfig,
  type PolicyKind,
  policyKinds,
  ValidationError,
} from "@kairos/core";
import { type DecisionLogHeader, type DecisionLogRow, parseDecisionLog } from "../decision-log.js";
import { parsePolicySpec } from "../policies.js";
import { emptyOpeData, type OpeDataBuilder } from "./estimators.js";
import { LineError } from "./format.js";

/** Options of {@link opeFromDecisionLog}. */
export interface DecisionLogOpeOptions {
  /**
   * The target policy: a core kind with settings (`factorised-thompson`, `linucb:alpha=0.5`), or `logging`:
   * the logging policy itself, from each row's logged `probabilities` (an on-policy check of the log).
   */
  target: string;
  /** A `kairos-policy/v1` snapshot (object or JSON text) the target is restored from: what production learned. */
  snapshot?: unknown;
  /** Seed of the target's draws (Thompson sampling's probabilities are keyed by it and the decision id). */
  seed?: string | number;
}

/**
 * Turns a `kairos-decision-log/v1` log (what the simulator writes and production can write) into the
 * estimators' input: contexts encoded with the header's context schema, logged actions indexed in the
 * header's action space, the logged propensity and reward, and per row the target's whole action
 * distribution π(·|x) under that row's eligibility (Thompson sampling with its propensity draws, so rows are
 * not one-hot), or with target `logging` the distribution each row logged (`probabilities`).
 * `formatBanditOpe` writes the result as `bandit-ope/v1`.
 */
export function opeFromDecisionLog(
  text: string,
  options: DecisionLogOpeOptions,
): { header: DecisionLogHeader; data: OpeDataBuilder; numActions: number } {
  const { header, rows } = parseDecisionLog(text);
  let space: ActionSpace;
  let encoder: ContextEncoder;
  try {
    space = new ActionSpace(header.actionSpace as ConstructorParameters<typeof ActionSpace>[0]);
    encoder = new ContextEncoder(header.context);
  } catch (e) {
    throw new LineError(1, `header: ${(e as Error).message}`);
  }
  const targetOf = options.target === "logging" ? loggedDistribution : targetPolicy(options, space, header);
  const data = emptyOpeData();
  rows.forEach((row, i) => {
    const line = i + 2;
    let a: number;
    let x: Float64Array;
    let pi: Float64Array;
    try {
      a = space.indexOf(row.action);
      x = encoder.encode(row.context as Context);
      pi = targetOf(row, space.size);
    } catch (e) {
      throw new LineError(line, (e as Error).message);
    }
    data.x.push(x);
    data.a.push(a);
    data.r.push(row.reward);
    data.pscore.push(row.propensity);
    data.pi.push(pi);
  });
  if (data.a.length === 0) throw new LineError(2, "no decisions after the header");
  return { header, data, numActions: space.size };
}

/** The logging policy's own distribution, as the row logged it (`--target logging`). */
function loggedDistribution(row: DecisionLogRow, size: number): Float64Array {
  if (!row.probabilities)
    throw new ValidationError(
      "probabilities",
      "the target is the logging policy, but this row has no logged probabilities",
    );
  if (row.probabilities.length !== size)
    throw new ValidationError(
      "probabilities",
      `one entry per action (${size}), got ${row.probabilities.length}`,
    );
  return Float64Array.from(row.probabilities);
}

/** π(·|x) of a core policy built (and restored) from the options, under each row's eligibility. */
function targetPolicy(
  options: DecisionLogOpeOptions,
  space: ActionSpace,
  header: DecisionLogHeader,
): (row: DecisionLogRow) => Float64Array {
  const spec = parsePolicySpec(options.target);
  if (!policyKinds.includes(spec.kind as PolicyKind))
    throw new ValidationError(
      "target",
      `the target must be a core policy (${policyKinds.join(", ")}) or logging`,
    );
  const params: Record<string, unknown> = { ...spec.params };
  const target = createPolicy({
    ...params,
    kind: spec.kind as PolicyKind,
    actionSpace: space,
    context: header.context,
    seed: options.seed ?? 0,
    id: spec.label,
  } as PolicyConfig);
  if (options.snapshot !== undefined) target.restore(options.snapshot);
  return (row) =>
    target.actionProbabilities(row.context as Context, {
      decisionId: `ope-${row.decisionId}`,
      ...(row.eligibility ? { eligibility: row.eligibility } : {}),
    });
}
