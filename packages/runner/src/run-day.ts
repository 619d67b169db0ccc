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
  systemClock,
} from "@kairos/braze-adapter";
import { type BanditPolicy, KairosError, ValidationError } from "@kairos/core";
import { RewardJoiner } from "@kairos/rewards";
import { readAudience } from "./audience.js";
import { addDays, dayOf } from "./days.js";
import { decideDay, decisionIdOf } from "./decide.js";
import { assignGroups } from "./groups.js";
import { learn } from "./learn.js";
import { formatCursor, ingestOutcomes, parseCursor } from "./outcomes.js";
import { loadPolicy } from "./policy-state.js";
import type { ProgressListener } from "./progress.js";
import { sendTimes } from "./send-times.js";
import { type CycleSummary, reached } from "./state/cycles.js";
import type { DecisionStatus } from "./state/decision-log.js";
import type { RunnerState } from "./state/open-state.js";
import { sendAction, type UseCase } from "./use-case/compile.js";

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
    const insert = state.db.prepare(
      "INSERT OR IGNORE INTO audience (day, external_id, time_zone, attrs) VALUES (?, ?, ?, ?)",
    );
    state.db.transaction(() => {
      for (const m of read.members)
        insert.run(day, m.externalId, m.timeZone ?? null, JSON.stringify(m.attrs));
    })();
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

  if (!reached(cycle.step, "decided")) {
    const members = (
      state.db.prepare("SELECT external_id, time_zone, attrs FROM audience WHERE day = ?").all(day) as {
        external_id: string;
        time_zone: string | null;
        attrs: string;
      }[]
    ).map((r) => ({
      externalId: r.external_id,
      timeZone: r.time_zone ?? undefined,
      attrs: JSON.parse(r.attrs),
    }));
    progress({
      step: "decide",
      message: `deciding for ${members.length} customers`,
      done: 0,
      total: members.length,
    });
    const cap = useCase.file.frequencyCap;
    const counts = cap
      ? state.decisions.sendCounts(addDays(day, -(cap.days - 1)), day)
      : new Map<string, number>();
    const capped = new Set([...counts].filter(([, n]) => cap && n >= cap.messages).map(([id]) => id));
    const groups = assignGroups(
      state,
      useCase,
      members.map((m) => m.externalId),
      day,
    );
    const decided = decideDay(useCase, policy, members, groups, capped, day, options.explainSample);
    state.decisions.insert(decided.rows);
    const byGroup: Record<string, number> = {};
    for (const r of decided.rows) byGroup[r.group] = (byGroup[r.group] ?? 0) + 1;
    for (const example of Object.values(decided.examples))
      progress({ step: "decide", message: `skipped ${example}` });
    progress({
      step: "decide",
      message: `decided ${JSON.stringify(byGroup)}`,
      done: members.length,
      total: members.length,
    });
    step("decided", { decided: byGroup, skipped: decided.skipped });
  }

  if (!reached(cycle.step, "activated")) {
    const toSend = ownDecisions(useCase, state, day).filter((d) => d.group !== "holdout");
    let settled = 0;
    const activator = new Activator({
      client: braze,
      ledger: state.ledger,
      mapping: useCase.mapping,
      clock,
      ...options.activation,
      onOutcome: (o) => {
        if (o.status === "sent" || o.status === "failed") {
          settled += o.decisionIds.length;
          progress({ step: "activate", message: "sending", done: settled, total: toSend.length });
        }
      },
    });
    const due = sendTimes(useCase, clock.now());
    for (let i = 0; i < toSend.length; i += 5000) {
      await activator.enqueue(
        // The due time is computed here, so the recipient's zone need not travel (the Activator would check it
        // again, row by row).
        toSend.slice(i, i + 5000).map((d) => ({
          decision: {
            decisionId: d.decisionId,
            action: sendAction(useCase, d.action!),
            actionIndex: d.actionIndex ?? undefined,
            propensity: d.propensity ?? undefined,
            policyVersion: d.policyVersion ?? undefined,
          },
          recipient: { externalId: d.externalId },
          dueAt: due(d.action!, d.timeZone),
        })),
      );
    }
    progress({ step: "activate", message: `${toSend.length} sends queued`, done: 0, total: toSend.length });
    const counts = await activator.run({ signal: options.signal });
    step("activated", { sent: counts.sent, failed: counts.failed });
  }

  // Register what went out with the joiner, so tomorrow's outcomes are joined to today's decisions.
  const rows = ownDecisions(useCase, state, day);
  const updates: { decisionId: string; status: DecisionStatus; sentAt: number | null }[] = [];
  const sentTimes: number[] = [];
  let sent = 0;
  let failed = 0;
  for (const d of rows) {
    if (d.group === "holdout") continue;
    const entry = await state.ledger.get(d.decisionId);
    if (entry?.status === "sent") {
      // The attempt's start: the message cannot have reached the customer earlier, while the row's sentAt
      // may be much later (a send confirmed by reconciliation), which would push early outcomes out.
      const at = entry.attemptAt ?? entry.sentAt ?? clock.now();
      sent++;
      sentTimes.push(at);
      updates.push({ decisionId: d.decisionId, status: "sent", sentAt: at });
      joiner.addDecision({
        decisionId: d.decisionId,
        userId: d.externalId,
        sentAt: at,
        action: d.action!,
        actionIndex: d.actionIndex ?? undefined,
        // The joiner needs a propensity; a policy told not to compute one (propensityDraws 0) logs none.
        propensity: d.propensity ?? 1,
        policyVersion: d.policyVersion ?? 0,
        context: d.context,
      });
    } else if (entry?.status === "failed") {
      failed++;
      updates.push({ decisionId: d.decisionId, status: "failed", sentAt: null });
    }
  }
  // Holdout customers' windows open when the day's messages went out (the median send), so their outcomes
  // are counted over the same stretch of time as the others'.
  sentTimes.sort((a, b) => a - b);
  const holdoutAt = sentTimes.length ? sentTimes[Math.floor(sentTimes.length / 2)]! : clock.now();
  for (const d of rows) {
    if (d.group !== "holdout") continue;
    updates.push({ decisionId: d.decisionId, status: "held", sentAt: holdoutAt });
    joiner.addDecision({
      decisionId: d.decisionId,
      userId: d.externalId,
      sentAt: holdoutAt,
      action: {},
      propensity: 1,
      policyVersion: 0,
      context: d.context,
    });
  }
  joiner.checkpoint();
  state.decisions.settle(updates);
  progress({
    step: "register",
    message: `${sent} sent, ${failed} failed, ${rows.length - sent - failed} held`,
  });
  step("done", { sent, failed });
  return { day, alreadyDone: false, resumed: existing !== undefined, summary: cycle.summary };
}

/** The day's decisions made by the cycle (not those of a decision service on the same state, sent already). */
function ownDecisions(useCase: UseCase, state: RunnerState, day: string) {
  return state.decisions.forDay(day).filter((d) => d.decisionId === decisionIdOf(useCase, day, d.externalId));
}
