// A real-time decision service over a use case's state directory: `decide` picks an action for one customer
// now (their stored control group, the use case's policy and eligibility, a propensity), logs it in the
// decision log and registers it with the reward joiner; `feedback` gives the joiner an outcome of a decision,
// and final rewards are learned into the model exactly as the daily cycle learns them (snapshot and
// rewards in one transaction, then acknowledged). The joiner, the model and the decision log are the ones
// `kairos day` uses, so `runDay` can run in the same process over the same state (see `runDay` below).
//
// Every request is handled synchronously once its body is read (better-sqlite3 is synchronous), so requests
// never interleave with each other or with a step of the daily cycle; each one is durable before it is
// answered (the decision logged and the joiner checkpointed).
import { randomUUID } from "node:crypto";
import { type BrazeClient, type Clock, planFor, systemClock } from "@kairos/braze-adapter";
import {
  type ActionRecord,
  type BanditPolicy,
  ContextEncoder,
  KairosError,
  ValidationError,
} from "@kairos/core";
import { RewardJoiner } from "@kairos/rewards";
import { dayOf } from "../days.js";
import { groupPolicies } from "../decide.js";
import { eligibilityFor } from "../eligibility.js";
import { groupOf } from "../groups.js";
import { type LearnResult, learn } from "../learn.js";
import { loadPolicy } from "../policy-state.js";
import { type DayResult, type RunDayOptions, runDay } from "../run-day.js";
import type { Group, LoggedDecision } from "../state/decision-log.js";
import type { RunnerState } from "../state/open-state.js";
import { sendAction, type UseCase } from "../use-case/compile.js";
import { validationErrorOf } from "../use-case/issues.js";
import { decideRequestSchema, feedbackRequestSchema } from "./schemas.js";

/** A request the service refuses: the HTTP status and one line naming the problem. */
export class ServiceError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Options of {@link DecisionService}. */
export interface DecisionServiceOptions {
  useCase: UseCase;
  /** The use case's state directory, opened with its lock (one writer per directory). */
  state: RunnerState;
  clock?: Clock;
  /**
   * Learn final rewards at most this often, in ms (a model snapshot per learning step): default 60,000.
   * 0 learns right after each request that made a reward final, and `learnNow` does it on demand.
   */
  learnEveryMs?: number;
  /** Where a failure of the background learning goes (default: one line on stderr). */
  onError?: (error: unknown) => void;
}

/** What `decide` answers. */
export interface DecideResponse {
  decisionId: string;
  externalId: string;
  group: Group;
  /** The chosen action, one option per dimension; null for a holdout customer (show them nothing new). */
  action: ActionRecord | null;
  /** What to render: every dimension's option plus the Liquid properties mapped to it (as Braze gets them). */
  properties: ActionRecord | null;
  /** The Braze target the daily cycle would use for this action (`campaign:<id>`, `canvas:<id>`). */
  target: string | null;
  /** The probability the group's policy had of choosing this action (null for the holdout). */
  propensity: number | null;
  policyVersion: number | null;
  /** With `explain`: per dimension and option, the best score of an eligible action, and the runners-up. */
  explanation?: unknown;
  /** The decision id had been decided before: this is that decision, unchanged. */
  replayed: boolean;
}

/** What became of an outcome sent to `feedback`. */
export type FeedbackOutcome =
  | "counted"
  | "duplicate"
  | "late"
  | "outside_window"
  | "not_in_metric"
  | "expired";

/** What `feedback` answers. */
export interface FeedbackResponse {
  decisionId: string;
  outcome: FeedbackOutcome;
  /** The decision's reward, once final and learned (null while its window is open or learning waits). */
  reward: number | null;
  /** Rewards learned by the learning step this request triggered (0 when none ran). */
  learned: number;
}

/** The decision service; `startDecisionService` puts it on HTTP. */
export class DecisionService {
  readonly useCase: UseCase;
  readonly state: RunnerState;
  readonly clock: Clock;
  /** The joiner and the model, shared with `runDay` when the day runs in this process. */
  readonly joiner: RewardJoiner;
  readonly policy: BanditPolicy;
  private readonly controls: ReturnType<typeof groupPolicies>;
  private readonly encoder: ContextEncoder;
  private readonly buffer: Float64Array;
  private readonly features: string[];
  private readonly learnEveryMs: number;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(options: DecisionServiceOptions) {
    this.useCase = options.useCase;
    this.state = options.state;
    this.clock = options.clock ?? systemClock;
    this.joiner = RewardJoiner.open(this.useCase.metric, this.state.joinerStore);
    this.policy = loadPolicy(this.useCase, this.state.snapshots, this.clock.now());
    this.controls = groupPolicies(this.useCase, this.policy);
    this.encoder = new ContextEncoder({ features: this.useCase.file.features });
    this.buffer = new Float64Array(this.encoder.dimension);
    this.features = this.useCase.file.features.map((f) => f.name);
    this.learnEveryMs = options.learnEveryMs ?? 60_000;
    const onError =
      options.onError ??
      ((e: unknown) =>
        process.stderr.write(`kairos service: learning failed: ${e instanceof Error ? e.message : e}\n`));
    if (this.learnEveryMs > 0) {
      this.timer = setInterval(() => {
        try {
          this.learnNow();
        } catch (e) {
          onError(e);
        }
      }, this.learnEveryMs);
      this.timer.unref();
    }
  }

  /** Decides for one customer now (POST /decide). Throws ServiceError for a bad request. */
  decide(body: unknown): DecideResponse {
    const parsed = decideRequestSchema.safeParse(body);
    if (!parsed.success) throw new ServiceError(400, validationErrorOf("", parsed.error).message);
    const req = parsed.data;
    const now = this.clock.now();
    const day = dayOf(now);
    if (req.decisionId !== undefined && isDailyId(this.useCase, req.decisionId, req.externalId))
      throw new ServiceError(
        400,
        `decisionId: "${req.decisionId}" has the form of the daily cycle's ids (<use case>:<day>:<external id>)`,
      );
    const decisionId = req.decisionId ?? `${this.useCase.id}:${day}:${req.externalId}:rt-${randomUUID()}`;
    const known = this.state.decisions.get(decisionId);
    if (known) {
      if (known.externalId !== req.externalId)
        throw new ServiceError(
          409,
          `decisionId: "${decisionId}" was decided for another customer (${known.externalId})`,
        );
      // A retry: the decision stands. Register it again in case the first request died before the joiner
      // committed it (a duplicate is ignored by the joiner).
      if (known.status === "sent" || known.status === "held") this.register(known);
      return this.response(known, true);
    }
    const context: Record<string, unknown> = {};
    for (const f of this.features) {
      const v = req.attributes[f];
      if (v !== undefined && v !== null) context[f] = v;
    }
    try {
      this.encoder.encode(context, this.buffer, "attributes");
    } catch (e) {
      if (e instanceof KairosError) throw new ServiceError(400, e.message);
      throw e;
    }
    const attrs = Object.fromEntries(Object.entries(req.attributes).filter(([, v]) => v !== null));
    const group = groupOf(this.state, this.useCase, req.externalId, day);
    let row: LoggedDecision;
    if (group === "holdout") {
      row = {
        decisionId,
        day,
        externalId: req.externalId,
        group,
        action: null,
        actionIndex: null,
        propensity: null,
        policyVersion: null,
        context,
        timeZone: null,
        status: "held",
        sentAt: now,
        explanation: null,
      };
    } else {
      const policy = this.controls[group] ?? this.policy;
      let d: ReturnType<BanditPolicy["decide"]>;
      try {
        d = policy.decide(context, {
          decisionId,
          eligibility: eligibilityFor(this.useCase.file.eligibility, attrs),
          topK: req.explain ? 3 : 1,
        });
      } catch (e) {
        if (e instanceof ValidationError) throw new ServiceError(400, e.message);
        if (e instanceof KairosError) throw new ServiceError(422, e.message);
        throw e;
      }
      row = {
        decisionId,
        day,
        externalId: req.externalId,
        group,
        action: d.action,
        actionIndex: d.actionIndex,
        propensity: Number.isFinite(d.propensity) ? d.propensity : null,
        policyVersion: d.policyVersion,
        context,
        timeZone: null,
        // The answer is the delivery: the decision counts as sent when it is returned.
        status: "sent",
        sentAt: now,
        explanation: req.explain
          ? { scores: d.scores, ranked: d.ranked.map((r) => ({ action: r.action, score: r.score })) }
          : null,
      };
    }
    this.state.decisions.insert([row]);
    this.register(row);
    if (this.learnEveryMs === 0) this.learnIfFinal();
    return this.response(row, false);
  }

  /** Gives the joiner one outcome of a decision (POST /feedback). Throws ServiceError for a bad request. */
  feedback(body: unknown): FeedbackResponse {
    const parsed = feedbackRequestSchema.safeParse(body);
    if (!parsed.success) throw new ServiceError(400, validationErrorOf("", parsed.error).message);
    const f = parsed.data;
    const decision = this.state.decisions.get(f.decisionId);
    if (!decision) throw new ServiceError(404, `decisionId: no decision "${f.decisionId}"`);
    if (decision.status !== "sent" && decision.status !== "held")
      throw new ServiceError(409, `decisionId: "${f.decisionId}" was not sent (${decision.status})`);
    const line = {
      id: f.id ?? `${f.decisionId}/${f.type}/${f.name ?? ""}`,
      user_id: decision.externalId,
      time: f.time ?? this.clock.now(),
      type: f.type,
      decision_id: f.decisionId,
      ...(f.name !== undefined ? { name: f.name } : {}),
      ...(f.value !== undefined ? { value: f.value } : {}),
      ...(f.productId !== undefined ? { product_id: f.productId } : {}),
      ...(f.currency !== undefined ? { currency: f.currency } : {}),
      ...(f.price !== undefined ? { price: f.price } : {}),
      ...(f.quantity !== undefined ? { quantity: f.quantity } : {}),
      ...(f.properties !== undefined ? { properties: f.properties } : {}),
    };
    const before = this.joiner.tallies;
    const quarantined = this.joiner.quarantine.total;
    this.joiner.ingestJsonLines([JSON.stringify(line)]);
    const after = this.joiner.tallies;
    if (this.joiner.quarantine.total > quarantined) {
      // Not counted (a currency other than the metric's, a time that cannot be read, a decision the joiner
      // has forgotten): commit the quarantine record, so it shows in `kairos status`, and refuse.
      this.joiner.checkpoint();
      const record = this.joiner.quarantine.list().at(-1);
      // The detail names the field of the JSON Lines record the request became ("line 1.currency: …").
      throw new ServiceError(422, record?.detail.replace(/^line \d+\./, "") ?? "the outcome was quarantined");
    }
    const outcome: FeedbackOutcome =
      after.duplicates > before.duplicates
        ? "duplicate"
        : after.late > before.late
          ? "late"
          : after.unattributed > before.unattributed
            ? "outside_window"
            : after.irrelevant > before.irrelevant || after.ignored > before.ignored
              ? "not_in_metric"
              : after.expired > before.expired
                ? "expired"
                : "counted";
    this.joiner.advanceTo(this.clock.now());
    this.joiner.checkpoint();
    const learned = this.learnEveryMs === 0 ? this.learnIfFinal() : 0;
    const reward = this.state.db
      .prepare("SELECT reward FROM rewards WHERE decision_id = ?")
      .pluck()
      .get(f.decisionId) as number | undefined;
    return { decisionId: f.decisionId, outcome, reward: reward ?? null, learned };
  }

  /**
   * Closes the attribution windows that ended, and learns every final reward not learned yet (a model
   * snapshot with the rewards, in one transaction; then acknowledged). What the timer runs.
   */
  learnNow(): LearnResult {
    const now = this.clock.now();
    this.joiner.advanceTo(now);
    this.joiner.checkpoint();
    return learn(this.useCase, this.state, this.joiner, this.policy, dayOf(now), now);
  }

  /**
   * Runs (or finishes) a day of the use case in this process, sharing this service's joiner and model;
   * requests keep being answered while it waits on sends. (`kairos day` from another process is refused
   * while the service holds the state directory.)
   */
  runDay(braze: BrazeClient, options: Omit<RunDayOptions, "shared"> = {}): Promise<DayResult> {
    return runDay(this.useCase, this.state, braze, {
      clock: this.clock,
      ...options,
      shared: { joiner: this.joiner, policy: this.policy },
    });
  }

  /** The model and what the service has seen (GET /health). */
  health(): { useCase: string; modelVersion: number; snapshot: number | null; pendingRewards: number } {
    const latest = this.state.snapshots.latest();
    return {
      useCase: this.useCase.id,
      modelVersion: latest?.policyVersion ?? 0,
      snapshot: latest?.id ?? null,
      pendingRewards: this.joiner.pendingCount,
    };
  }

  /** Stops the background learning (the state stays open: its owner closes it). */
  close(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Hands a sent (or held) decision to the joiner, closes the windows that ended, and commits. */
  private register(d: LoggedDecision): void {
    this.joiner.addDecision({
      decisionId: d.decisionId,
      userId: d.externalId,
      sentAt: d.sentAt!,
      action: d.action ?? {},
      ...(d.actionIndex !== null ? { actionIndex: d.actionIndex } : {}),
      propensity: d.propensity ?? 1,
      policyVersion: d.policyVersion ?? 0,
      context: d.context,
    });
    this.joiner.advanceTo(this.clock.now());
    this.joiner.checkpoint();
  }

  /**
   * Learns the rewards waiting in the joiner's outbox, if any (a request that made none final costs no
   * snapshot); the joiner was checkpointed by the request.
   */
  private learnIfFinal(): number {
    if (this.joiner.takeBatch(1).through === 0) return 0;
    const now = this.clock.now();
    return learn(this.useCase, this.state, this.joiner, this.policy, dayOf(now), now).learned;
  }

  private response(d: LoggedDecision, replayed: boolean): DecideResponse {
    const action = d.action;
    return {
      decisionId: d.decisionId,
      externalId: d.externalId,
      group: d.group,
      action,
      properties: action ? sendAction(this.useCase, action) : null,
      target: action
        ? planFor(this.useCase.mapping, d.decisionId, sendAction(this.useCase, action)).targetKey
        : null,
      propensity: d.propensity,
      policyVersion: d.policyVersion,
      ...(d.explanation !== null && d.explanation !== undefined ? { explanation: d.explanation } : {}),
      replayed,
    };
  }
}

/** Whether `id` has the form of a daily-cycle decision id, `<use case>:<YYYY-MM-DD>:<external id>`. */
function isDailyId(useCase: UseCase, id: string, externalId: string): boolean {
  const prefix = `${useCase.id}:`;
  const suffix = `:${externalId}`;
  return (
    id.startsWith(prefix) &&
    id.endsWith(suffix) &&
    /^\d{4}-\d{2}-\d{2}$/.test(id.slice(prefix.length, id.length - suffix.length))
  );
}
