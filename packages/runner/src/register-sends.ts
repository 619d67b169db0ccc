// The register step of a day, shared by the single-process runner (run-day.ts) and a shard of a distributed
// day (distributed/shard-jobs.ts): each send registered with the reward joiner as the ledger settled it,
// dated by its attempt's start, and the holdout customers at the day's median send.
import type { LedgerEntry } from "@kairos/braze-adapter";
import type { RewardJoiner } from "@kairos/rewards";
import type { SendEnd } from "./state/recording-ledger.js";

/** What registering needs of a decision. */
export interface DecisionToRegister {
  decisionId: string;
  externalId: string;
  action: Record<string, string | number> | null;
  actionIndex: number | null;
  propensity: number | null;
  policyVersion: number | null;
}

/** How a registered send settled, as the decision log records it. */
export interface Settled {
  status: "sent" | "failed";
  sentAt: number | null;
}

/** Registers a day's sends, then its holdout, with a joiner, counting them. */
export class SendRegistration<D extends DecisionToRegister> {
  sent = 0;
  failed = 0;
  held = 0;
  private readonly sentTimes: number[] = [];

  constructor(
    private readonly joiner: RewardJoiner,
    /** The context a decision was made on. */
    private readonly contextOf: (d: D) => unknown,
  ) {}

  /**
   * A send as it ended (`end`: the ledger's row or what this run's Activator settled; undefined if unsettled):
   * registered if sent. Returns how it settled, if it did; `now` dates a sent row without an attempt time.
   */
  send(d: D, end: SendEnd | LedgerEntry | undefined, now: number): Settled | undefined {
    if (end?.status === "failed") {
      this.failed++;
      return { status: "failed", sentAt: null };
    }
    if (end?.status !== "sent") return undefined;
    // The attempt's start: the message cannot have reached the customer earlier, while the row's sentAt may be
    // much later (a send confirmed by reconciliation), which would push early outcomes out.
    const at = end.attemptAt ?? ("sentAt" in end ? end.sentAt : undefined) ?? now;
    this.sent++;
    this.sentTimes.push(at);
    this.joiner.addDecision({
      decisionId: d.decisionId,
      userId: d.externalId,
      sentAt: at,
      action: d.action!,
      actionIndex: d.actionIndex ?? undefined,
      // The joiner needs a propensity; a policy told not to compute one (propensityDraws 0) logs none.
      propensity: d.propensity ?? 1,
      policyVersion: d.policyVersion ?? 0,
      context: this.contextOf(d),
    });
    return { status: "sent", sentAt: at };
  }

  /**
   * When the holdout's windows open (ask after every send): the median send, else `now`, so their outcomes
   * are counted over the same stretch of time as the others'.
   */
  holdoutAt(now: number): number {
    this.sentTimes.sort((a, b) => a - b);
    return this.sentTimes.length ? this.sentTimes[Math.floor(this.sentTimes.length / 2)]! : now;
  }

  /** Registers a holdout customer, whose window opens at `at`. */
  hold(d: D, at: number): void {
    this.held++;
    this.joiner.addDecision({
      decisionId: d.decisionId,
      userId: d.externalId,
      sentAt: at,
      action: {},
      propensity: 1,
      policyVersion: 0,
      context: this.contextOf(d),
    });
  }
}
