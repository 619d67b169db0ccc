// The policy as the use case declares it, with the current snapshot restored: options are matched by name,
// so an offer added to the file starts at the prior while everything learned about the others is kept.
import { type BanditPolicy, createPolicy, SnapshotMismatchError } from "@kairos/core";
import type { SnapshotHistory } from "./state/snapshots.js";
import type { UseCase } from "./use-case/compile.js";

/** The current model; a fresh policy (and an "initial" snapshot, unless `save` is false) when none exists. */
export function loadPolicy(
  useCase: UseCase,
  snapshots: SnapshotHistory,
  now: number,
  save = true,
): BanditPolicy {
  const policy = createPolicy(useCase.policyConfig);
  const latest = snapshots.latest();
  if (latest) {
    try {
      policy.restore(latest.json, { rename: useCase.file.renames });
    } catch (e) {
      if (e instanceof SnapshotMismatchError)
        throw new SnapshotMismatchError(
          `the saved model (snapshot #${latest.id}) does not fit the use-case file: ${e.message} (restore the file's policy and features, or start a new state directory)`,
        );
      throw e;
    }
  } else if (save) {
    snapshots.append({
      createdAt: now,
      day: null,
      reason: "initial",
      policyVersion: policy.snapshot().version,
      learnedThrough: 0,
      learned: 0,
      json: JSON.stringify(policy.snapshot()),
    });
  }
  return policy;
}
