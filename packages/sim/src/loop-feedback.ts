import type { Feedback, Policy } from "@kairos/core";

/**
 * Outcomes on their way to the policy: each reaches it on its arrival day (a conversion after its delay,
 * a non-conversion once the attribution window closes), scaled and optionally clipped, and the policy
 * learns every night from what arrived that day. Outcomes arriving after the horizon are never delivered.
 */
export class FeedbackQueue {
  private readonly pending: Feedback[][];

  constructor(
    private readonly days: number,
    private readonly rewardScale: number,
    private readonly clip: [number, number] | undefined,
  ) {
    this.pending = Array.from({ length: days }, () => []);
  }

  /** The reward as the policy sees it: divided by the scale, then clipped. */
  policyReward(reward: number): number {
    const scaled = reward / this.rewardScale;
    return this.clip ? Math.min(this.clip[1], Math.max(this.clip[0], scaled)) : scaled;
  }

  /** Queues the feedback of one decision for its arrival day. */
  schedule(
    arrival: number,
    decision: {
      context: Feedback["context"];
      action: number;
      reward: number;
      decisionId: string;
      propensity: number;
    },
  ): void {
    if (arrival >= this.days) return;
    this.pending[arrival]!.push({
      context: decision.context,
      action: decision.action,
      reward: this.policyReward(decision.reward),
      decisionId: decision.decisionId,
      ...(Number.isFinite(decision.propensity) ? { propensity: decision.propensity } : {}),
    });
  }

  /** Overnight: the policy learns from everything that arrived on `day` (an empty batch still ends the day). */
  deliver(day: number, policy: Policy): void {
    policy.update(this.pending[day]!);
    this.pending[day] = [];
  }
}
