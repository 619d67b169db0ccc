// One daily cycle: read the audience, ingest the outcomes that arrived, learn, decide for everyone in one
// batch with the control groups, activate through Braze trigger sends, and register what was sent with the
// reward joiner. Each step commits before the next starts and is skipped when a rerun finds it done; the
// send ledger makes activation exactly-once within the step. So a run killed at any point and started
// again for the same day finishes it with nothing sent twice and nothing lost.
import { resolve } from "node:path";
import {
  Activator,
  type ActivatorOptions,
  type BrazeClient,
  type Clock,
  MultiRowInsert,
  systemClock,
} from "@kairos/braze-adapter";
import { type BanditPolicy, KairosError, ValidationError } from "@kairos/core";
import { RewardJoiner } from "@kairos/rewards";
import { type AudienceMember, readAudience } from "./audience.js";
import { pullDataSeries } from "./data-series/pull.js";
import { dayOf } from "./days.js";
import { decisionIdOf } from "./decide.js";
import { type DecideStepOptions, type DecideStepResult, decideAndLog } from "./decide-step.js";
import { learn } from "./learn.js";
import { formatCursor, ingestOutcomes, parseCursor } from "./outcomes.js";
import { loadPolicy } from "./policy-state.js";
import type { ProgressListener } from "./progress.js";
import { SendRegistration } from "./register-sends.js";
import { startSendPlan } from "./send-plan-thread.js";
import { sendPlanner } from "./send-planner.js";
import { type CycleSummary, reached } from "./state/cycles.js";
import type { DecisionStatus, DecisionToSend } from "./state/decision-log.js";
import type { RunnerState } from "./state/open-state.js";
import { RecordingLedger } from "./state/recording-ledger.js";
import type { UseCase } from "./use-case/compile.js";

/** Activator settings a caller may tune (tests shorten the delays; production keeps the defaults). */
export type ActivationSettings = Pick<
  ActivatorOptions,
  | "reconcileDelayMs"
  | "retryDelayMs"
  | "clockSkewMs"
  | "maxAttempts"
  | "parallelBatches"
  | "pollIntervalMs"
  | "logger"
>;

/** Options of {@link runDay}. */
export interface RunDayOptions {
  /** The day to run, YYYY-MM-DD (default: today, UTC, on the clock). */
  day?: string;
  /** Time source and sleeper (default: the wall clock); share a ManualClock with the fake Braze in tests. */
  clock?: Clock;
  /** Audience file to read instead of the use case's audience. */
  audienceFile?: string;
  /** Outcome folder to read instead of the use case's `outcomes.folder`. */
  outcomesFolder?: string;
  /** Kairos decisions per day stored with their explanation (option scores, runners-up); default 20. */
  explainSample?: number;
  /** Worker threads for the decisions of large audiences, and the page size (see `decideAndLog`). */
  decide?: Pick<DecideStepOptions, "workers" | "parallelFrom" | "pageSize">;
  activation?: ActivationSettings;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  /**
   * The reward joiner and policy a process already holds open on this state (the decision service), used
   * instead of opening new ones from it, so real-time requests and the day share one joiner and one model.
   */
  shared?: { joiner: RewardJoiner; policy: BanditPolicy };
}

/** What a day did. */
export interface DayResult {
  day: string;
  /** The day had already finished: nothing was done. */
  alreadyDone: boolean;
  /** The day had been started by an earlier run, which this one finished. */
  resumed: boolean;
  summary: CycleSummary;
}

/** Runs (or finishes) one day of a use case; see the file comment for the guarantees. */
export async function runDay(
  useCase: UseCase,
  state: RunnerState,
  braze: BrazeClient,
  options: RunDayOptions = {},
): Promise<DayResult> {
  const clock = options.clock ?? systemClock;
  const progress = options.onProgress ?? (() => {});
  const day = options.day ?? dayOf(clock.now());
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(day)))
    throw new ValidationError("day", `must be YYYY-MM-DD, got "${day}"`);
  const earlier = state.cycles.unfinishedBefore(day);
  if (earlier)
    throw new KairosError(
      "unfinished_day",
      `day ${earlier.day} did not finish: run it again first (kairos day --date ${earlier.day})`,
    );
  const existing = state.cycles.get(day);
  if (existing?.step === "done") return { day, alreadyDone: true, resumed: false, summary: existing.summary };
  let cycle = existing ?? state.cycles.start(day, clock.now());
  const step = (name: Parameters<typeof reached>[1], summary: CycleSummary) => {
    state.cycles.advance(day, name, summary, clock.now());
    cycle = state.cycles.get(day)!;
  };

  if (!reached(cycle.step, "audience")) {
    progress({ step: "audience", message: "reading the audience" });
    const read = await readAudience(useCase, braze, options.audienceFile);
    storeAudience(state, day, read.members);
    progress({
      step: "audience",
      message: `${read.members.length} customers (${read.duplicates} duplicates dropped)`,
    });
    step("audience", { audience: read.members.length });
  }

  const joiner = options.shared?.joiner ?? RewardJoiner.open(useCase.metric, state.joinerStore);
  const policy = options.shared?.policy ?? loadPolicy(useCase, state.snapshots, clock.now());

  if (!reached(cycle.step, "learned")) {
    const folder =
      options.outcomesFolder ??
      (useCase.file.outcomes ? resolve(useCase.baseDir, useCase.file.outcomes.folder) : undefined);
    let cursor = parseCursor(joiner.savedCursor);
    let records = 0;
    if (folder) {
      const read = ingestOutcomes(joiner, folder, cursor, clock.now());
      cursor = read.cursor;
      records = read.records;
      progress({ step: "ingest", message: `${read.records} outcome records from ${read.files} files` });
    }
    joiner.advanceTo(clock.now());
    joiner.checkpoint(formatCursor(cursor));
    const learned = learn(useCase, state, joiner, policy, day, clock.now());
    progress({
      step: "learn",
      message: `${learned.rewards} rewards final, ${learned.learned} learned; model version ${learned.policyVersion}`,
    });
    step("learned", {
      events: records,
      quarantined: joiner.quarantine.total,
      learned: learned.learned,
      policyVersion: learned.policyVersion,
    });
  }

  // Sends go to the Activator's ledger as each page of decisions is logged (while the next pages are being
  // decided); the Activator runs in the next step. Requeueing is a no-op (one ledger row per decision id).
  let settled = 0;
  const ledger = new RecordingLedger(state.ledger);
  const activator = new Activator({
    client: braze,
    ledger,
    mapping: useCase.mapping,
    clock,
    ...options.activation,
    onOutcome: (o) => {
      if (o.status === "sent" || o.status === "failed") {
        settled += o.decisionIds.length;
        progress({ step: "activate", message: "sending", done: settled, total: cycle.summary.queued ?? 0 });
      }
    },
  });

  if (!reached(cycle.step, "decided")) {
    const total = state.db.prepare("SELECT COUNT(*) FROM audience WHERE day = ?").pluck().get(day) as number;
    progress({ step: "decide", message: `deciding for ${total} customers`, done: 0, total });
    const plan = startSendPlan(useCase, state, activator, day, clock.now(), {
      audience: total,
      ...options.decide,
    });
    let decided: DecideStepResult;
    let queued: number;
    try {
      decided = await decideAndLog(useCase, state, policy, day, {
        explainSample: options.explainSample,
        ...options.decide,
        afterPage: (first, last, rows) => plan.queue(first, last, rows),
        onProgress: options.onProgress,
      });
      queued = await plan.finish();
    } finally {
      await plan.close();
    }
    for (const example of Object.values(decided.examples))
      progress({ step: "decide", message: `skipped ${example}` });
    progress({
      step: "decide",
      message: `decided ${JSON.stringify(decided.byGroup)}${decided.workers > 0 ? ` on ${decided.workers} threads` : ""}`,
      done: total,
      total,
    });
    step("decided", { decided: decided.byGroup, skipped: decided.skipped, queued });
  }

  if (!reached(cycle.step, "activated")) {
    // A day decided by an earlier version of the runner had not queued its sends yet.
    if (cycle.summary.queued === undefined) {
      const queued = await queueSends(useCase, state, activator, day, clock.now());
      cycle.summary.queued = queued;
    }
    const toSend = cycle.summary.queued;
    progress({ step: "activate", message: `${toSend} sends queued`, done: 0, total: toSend });
    const counts = await activator.run({ signal: options.signal });
    step("activated", { sent: counts.sent, failed: counts.failed });
  }

  // Register what went out with the joiner, so tomorrow's outcomes are joined to today's decisions.
  const registration = new SendRegistration<DecisionToSend>(joiner, (d) => JSON.parse(d.contextJson));
  for (const page of ownPages(useCase, state, day)) {
    const updates: { decisionId: string; status: DecisionStatus; sentAt: number | null }[] = [];
    for (const d of page) {
      if (d.group === "holdout") continue;
      // How the send ended: as this run's Activator settled it, else (a resumed run) as the ledger says.
      const end = ledger.ends.get(d.decisionId) ?? (await state.ledger.get(d.decisionId));
      const settled = registration.send(d, end, clock.now());
      if (settled) updates.push({ decisionId: d.decisionId, ...settled });
    }
    state.decisions.settle(updates);
  }
  const holdoutAt = registration.holdoutAt(clock.now());
  for (const page of ownPages(useCase, state, day)) {
    const updates: { decisionId: string; status: DecisionStatus; sentAt: number | null }[] = [];
    for (const d of page) {
      if (d.group !== "holdout") continue;
      registration.hold(d, holdoutAt);
      updates.push({ decisionId: d.decisionId, status: "held", sentAt: holdoutAt });
    }
    state.decisions.settle(updates);
  }
  const { sent, failed, held } = registration;
  joiner.checkpoint();
  progress({
    step: "register",
    message: `${sent} sent, ${failed} failed, ${held} held`,
  });
  // Braze's own counts of the trailing days, for the Braze-vs-Kairos reconciliation (never learned from).
  progress({ step: "data_series", message: (await pullDataSeries(useCase, state, braze, clock.now())).note });
  step("done", { sent, failed });
  return { day, alreadyDone: false, resumed: existing !== undefined, summary: cycle.summary };
}

/** The day's decisions made by the cycle, page by page in id order (not those of a decision service on the
 * same state, which were delivered by their answers). */
function* ownPages(
  useCase: UseCase,
  state: RunnerState,
  day: string,
  size = 50_000,
): Generator<DecisionToSend[]> {
  const prefix = `${useCase.id}:${day}:`;
  let after: string | undefined;
  for (;;) {
    const page = state.decisions.page(prefix, after, size);
    if (page.length === 0) return;
    after = page[page.length - 1]!.decisionId;
    yield page.filter((d) => d.decisionId === decisionIdOf(useCase, day, d.externalId));
  }
}

/** Stores the day's audience (in external-id order, so the table's B-tree is appended to, not shuffled). */
export function storeAudience(state: RunnerState, day: string, members: readonly AudienceMember[]): void {
  const insert = new MultiRowInsert(
    state.db,
    "INSERT OR IGNORE INTO audience (day, external_id, time_zone, attrs)",
    "(?, ?, ?, ?)",
  );
  const sorted = [...members].sort((a, b) =>
    a.externalId < b.externalId ? -1 : a.externalId > b.externalId ? 1 : 0,
  );
  state.db.transaction(() => {
    for (let start = 0; start < sorted.length; start += 10_000)
      insert.run(
        sorted
          .slice(start, start + 10_000)
          .map((m) => [day, m.externalId, m.timeZone ?? null, JSON.stringify(m.attrs)]),
      );
  })();
}

/** Queues the sends of all the day's decisions (see `sendPlanner`); returns how many. */
export async function queueSends(
  useCase: UseCase,
  state: RunnerState,
  activator: Activator,
  day: string,
  now: number,
): Promise<number> {
  const plan = sendPlanner(useCase, state, activator, day, now);
  for (const page of ownPages(useCase, state, day))
    if (page.length > 0) await plan.queue(page[0]!.externalId, page[page.length - 1]!.externalId);
  return plan.queued();
}
