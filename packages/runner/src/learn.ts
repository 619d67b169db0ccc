// Overnight learning, exactly once: rewards that became final are taken from the joiner's outbox, learned,
// and saved with the new snapshot in one transaction that records the last reward inside the model; only
// then are they acknowledged. A crash before the acknowledgement redelivers rewards the snapshot already
// holds, and they are skipped.
import type { BanditPolicy, Feedback } from "@kairos/core";
import type { EmittedReward, RewardJoiner } from "@kairos/rewards";
import type { Group } from "./state/decision-log.js";
import type { RunnerState } from "./state/open-state.js";
import type { UseCase } from "./use-case/compile.js";

/** What a learning step did. */
export interface LearnResult {
  /** Rewards that became final (every group). */
  rewards: number;
  /** Of those, learned by the policy (Kairos, random and business-as-usual sends; not the holdout). */
  learned: number;
  policyVersion: number;
}

/** Learns every committed, unacknowledged reward of the joiner into `policy` and saves a snapshot. */
export function learn(
  useCase: UseCase,
  state: RunnerState,
  joiner: RewardJoiner,
  policy: BanditPolicy,
  day: string,
  now: number,
): LearnResult {
  const batch = joiner.takeBatch();
  const inModel = state.snapshots.latest()?.learnedThrough ?? 0;
  const fresh = batch.rewards.filter((r) => r.seq > inModel);
  let learned = 0;
  if (fresh.length > 0) {
    const groups = state.decisions.groupsOf(fresh.map((r) => r.decisionId));
    const feedback = feedbackToLearn(useCase, fresh, (r) => groups.get(r.decisionId));
    if (feedback.length > 0) policy.update(feedback);
    learned = feedback.length;
    const snapshot = policy.snapshot();
    state.snapshots.append(
      {
        createdAt: now,
        day,
        reason: "learned",
        policyVersion: snapshot.version,
        learnedThrough: batch.through,
        learned,
        json: JSON.stringify(snapshot),
      },
      fresh.map((r) => ({
        decisionId: r.decisionId,
        seq: r.seq,
        reward: r.reward,
        countedAt: r.countedAt,
      })),
    );
  }
  if (batch.through > 0) joiner.ack(batch.through);
  return { rewards: fresh.length, learned, policyVersion: policy.snapshot().version };
}

/**
 * What the policy learns from final rewards: those of the Kairos, random and business-as-usual sends (data
 * about their actions too; the holdout got no action), clamped to the policy's `rewardRange` when it has one.
 */
export function feedbackToLearn(
  useCase: UseCase,
  rewards: readonly EmittedReward[],
  groupOf: (reward: EmittedReward) => Group | undefined,
): Feedback[] {
  const range = (useCase.policyConfig as { rewardRange?: [number, number] }).rewardRange;
  return rewards
    .filter((r) => {
      const g = groupOf(r);
      return g !== undefined && g !== "holdout";
    })
    .map((r) =>
      range
        ? { ...r.feedback, reward: Math.min(range[1], Math.max(range[0], r.feedback.reward)) }
        : r.feedback,
    );
}
