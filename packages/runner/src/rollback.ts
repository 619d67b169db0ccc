// `kairos rollback`: return to an earlier model. The chosen snapshot is appended as the newest one (history
// is never rewritten, so a rollback can itself be rolled back). Rewards learned after it are not learned
// again: the model forgets them, as asked.
import { KairosError } from "@kairos/core";
import type { RunnerState } from "./state/open-state.js";

/** Makes snapshot `id` the current model again; returns the new snapshot's id. */
export function rollback(state: RunnerState, id: number, now: number): number {
  const target = state.snapshots.get(id);
  if (!target) throw new KairosError("no_snapshot", `no snapshot #${id} (kairos rollback --list shows them)`);
  const latest = state.snapshots.latest()!;
  return state.snapshots.append({
    createdAt: now,
    day: latest.day,
    reason: `rollback to #${id}`,
    policyVersion: target.policyVersion,
    learnedThrough: latest.learnedThrough,
    learned: 0,
    json: target.json,
  });
}
