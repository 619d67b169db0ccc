import type { ActionRecord, ActionSpace, ContextSchemaConfig, Eligibility } from "@kairos/core";
import type { LoggedDecision } from "./loop.js";
import { LineError, parseJsonLines } from "./ope/format.js";
import type { Scenario } from "./scenario/schema.js";

/** Header line of a Kairos decision log. */
export interface DecisionLogHeader {
  format: "kairos-decision-log/v1";
  /** Policy that made the decisions (the logging policy). */
  policy: string;
  /** The action space: dimensions with options, constraints and option attributes. */
  actionSpace: {
    dimensions: Record<string, (string | number)[]>;
    constraints?: unknown[];
    attributes?: Record<string, Record<string, Record<string, number>>>;
  };
  /** The context schema (feature names and types), as core's ContextEncoder takes it. */
  context: ContextSchemaConfig;
  scenario?: string;
  /** The production use case the decisions come from (`kairos export-log`). */
  useCase?: string;
  /** Seed of the simulated replication the decisions come from. */
  seed?: string;
}

/** The header of a simulator decision log: the scenario's action space and the context the policy saw. */
export function decisionLogHeader(
  scenario: Scenario,
  policy: string,
  context: ContextSchemaConfig,
  seed?: string,
): DecisionLogHeader {
  return {
    format: "kairos-decision-log/v1",
    policy,
    scenario: scenario.name,
    ...(seed === undefined ? {} : { seed }),
    actionSpace: {
      dimensions: scenario.actions.dimensions,
      constraints: scenario.actions.constraints,
      ...(scenario.actions.attributes ? { attributes: scenario.actions.attributes } : {}),
    },
    context,
  };
}

/** Whether a logged propensity is usable (the format requires one in (0, 1]). */
export function isValidPropensity(p: number): boolean {
  return p > 0 && p <= 1;
}

/** One logged decision: what a production system can write for every send. */
export interface DecisionLogRow {
  decisionId: string;
  /** Customer features at decision time. */
  context: Record<string, unknown>;
  action: ActionRecord;
  /** Probability the logging policy had of choosing this action. */
  propensity: number;
  /** Reward attributed to the decision (after its attribution window). */
  reward: number;
  eligibility?: Eligibility;
  /** The simulated day, or the date a production system decided on (`2026-03-02`). */
  day?: number | string;
  customer?: string;
  /**
   * The logging policy's whole distribution over the action space (its index order) for this decision, when
   * it was logged: `ope --target logging` evaluates the logging policy itself from it.
   */
  probabilities?: number[];
}

/** Serialises simulator decisions as a `kairos-decision-log/v1` JSON Lines text (header first). */
export function formatDecisionLog(header: DecisionLogHeader, decisions: readonly LoggedDecision[]): string {
  const lines = [JSON.stringify(header)];
  for (const d of decisions) {
    const row: DecisionLogRow = {
      decisionId: `${d.day}-${d.customer}`,
      day: d.day,
      customer: String(d.customer),
      context: d.context,
      action: d.action,
      propensity: d.propensity,
      reward: d.reward,
      ...(d.eligibility ? { eligibility: d.eligibility } : {}),
    };
    lines.push(JSON.stringify(row));
  }
  return `${lines.join("\n")}\n`;
}

/** Parses a `kairos-decision-log/v1` text; errors name the line. */
export function parseDecisionLog(
  text: string,
  space?: ActionSpace,
): { header: DecisionLogHeader; rows: DecisionLogRow[] } {
  const lines = parseJsonLines(text);
  if (lines.length === 0) throw new LineError(1, "empty log: expected a kairos-decision-log/v1 header");
  const header = lines[0]!.value as DecisionLogHeader;
  if (header?.format !== "kairos-decision-log/v1")
    throw new LineError(lines[0]!.line, 'header must have "format":"kairos-decision-log/v1"');
  const rows: DecisionLogRow[] = [];
  for (const { line, value } of lines.slice(1)) {
    const r = value as DecisionLogRow;
    if (!r || typeof r !== "object") throw new LineError(line, "expected an object");
    if (typeof r.decisionId !== "string") throw new LineError(line, "decisionId must be a string");
    if (!r.context || typeof r.context !== "object") throw new LineError(line, "context must be an object");
    if (!r.action || typeof r.action !== "object") throw new LineError(line, "action must be an object");
    if (space) {
      try {
        space.indexOf(r.action);
      } catch (e) {
        throw new LineError(line, (e as Error).message);
      }
    }
    if (typeof r.propensity !== "number" || !isValidPropensity(r.propensity)) {
      throw new LineError(line, "propensity must be a number in (0, 1]");
    }
    if (typeof r.reward !== "number" || !Number.isFinite(r.reward))
      throw new LineError(line, "reward must be a finite number");
    if (r.probabilities !== undefined) checkProbabilities(line, r.probabilities, space?.size);
    rows.push(r);
  }
  return { header, rows };
}

/** A logged distribution: finite, non-negative, summing to 1 (over `size` actions when the space is known). */
function checkProbabilities(line: number, p: unknown, size: number | undefined): void {
  if (!Array.isArray(p) || p.some((v) => typeof v !== "number" || !(v >= 0) || !Number.isFinite(v)))
    throw new LineError(line, "probabilities must be an array of non-negative numbers");
  if (size !== undefined && p.length !== size)
    throw new LineError(line, `probabilities must have one entry per action (${size}), got ${p.length}`);
  const total = (p as number[]).reduce((a, v) => a + v, 0);
  if (Math.abs(total - 1) > 1e-3) throw new LineError(line, `probabilities must sum to 1 (sum to ${total})`);
}
