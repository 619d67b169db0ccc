// The send plan: each page of logged decisions queued in the send ledger (through the Activator, which
// validates and writes the rows), at each customer's local send time, with the trigger properties of the
// action. The rows queued are the rows the decision log holds, so a rerun queues what was logged first.
import type { ActivationRequest } from "@kairos/braze-adapter";
import type { ActionRecord } from "@kairos/core";
import { decisionIdOf } from "./decide.js";
import { sendAction } from "./send-action.js";
import { sendTimes } from "./send-times.js";
import type { DecisionRow } from "./state/decision-log.js";
import type { RunnerState } from "./state/open-state.js";
import type { UseCase } from "./use-case/compile.js";

/** Queues the sends of a day's decisions as their pages are logged. */
export interface SendPlan {
  /**
   * Queues the sends of the customers from `first` to `last` (external ids, inclusive): `rows` when they are
   * what the log holds, else the log's rows read back.
   */
  queue(first: string, last: string, rows?: readonly DecisionRow[]): Promise<void>;
  /** Sends queued so far. */
  queued(): number;
  /** Waits until every page given is queued; the number of sends queued. */
  finish(): Promise<number>;
}

/**
 * Queues the sends of the day's decisions with `activator` (an Activator, or what writes its ledger rows), a
 * range of customers at a time (one ledger transaction per range), each at its local send time, with the
 * trigger properties of its action.
 */
export function sendPlanner(
  useCase: Pick<UseCase, "id" | "file">,
  state: Pick<RunnerState, "decisions">,
  activator: { enqueue(requests: readonly ActivationRequest[]): Promise<unknown> },
  day: string,
  now: number,
): SendPlan {
  const due = sendTimes(useCase, now);
  // Many customers share a handful of actions: each action's record and trigger properties once.
  const actions = new Map<number, { action: ActionRecord; properties: ActionRecord }>();
  const actionOf = (index: number | null, action: ActionRecord | string) => {
    let a = index === null ? undefined : actions.get(index);
    if (!a) {
      const record = typeof action === "string" ? (JSON.parse(action) as ActionRecord) : action;
      a = { action: record, properties: sendAction(useCase, record) };
      if (index !== null) actions.set(index, a);
    }
    return a;
  };
  let queued = 0;
  const queue = async (first: string, last: string, rows?: readonly DecisionRow[]): Promise<void> => {
    const requests: ActivationRequest[] = [];
    const add = (
      decisionId: string,
      externalId: string,
      a: { action: ActionRecord; properties: ActionRecord },
      actionIndex: number | null,
      propensity: number | null,
      policyVersion: number | null,
      timeZone: string | null,
    ) =>
      requests.push({
        decision: {
          decisionId,
          action: a.properties,
          actionIndex: actionIndex ?? undefined,
          propensity: propensity ?? undefined,
          policyVersion: policyVersion ?? undefined,
        },
        recipient: { externalId },
        // The due time is computed here, so the recipient's zone need not travel (the Activator would check
        // it again, row by row).
        dueAt: due(a.action, timeZone),
      });
    // The page's rows as logged: those just written (every one the cycle's own), else read back (a rerun
    // keeps what was logged first; a decision service's decisions in the range are not the cycle's to send).
    if (rows)
      for (const [decisionId, , externalId, group, json, index, propensity, version, , zone] of rows) {
        if (group !== "holdout" && json !== null)
          add(decisionId, externalId, actionOf(index, json), index, propensity, version, zone);
      }
    else
      for (const d of state.decisions.range(
        decisionIdOf(useCase, day, first),
        decisionIdOf(useCase, day, last),
      )) {
        if (d.group === "holdout" || d.action === null) continue;
        if (d.decisionId !== decisionIdOf(useCase, day, d.externalId)) continue;
        const a = actionOf(d.actionIndex, d.action);
        add(d.decisionId, d.externalId, a, d.actionIndex, d.propensity, d.policyVersion, d.timeZone);
      }
    if (requests.length > 0) await activator.enqueue(requests);
    queued += requests.length;
  };
  return { queue, queued: () => queued, finish: async () => queued };
}
