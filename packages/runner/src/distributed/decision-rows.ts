// A distributed day's decisions into the coordinator's decision log, so `kairos status`, `kairos report` and
// `kairos export-log` see distributed days as they see single-process ones. Each shard's decide-and-activate
// job stages its decisions, settled (sent, failed, held), as decision-log rows in a Redis list, replaced
// whole by a rerun; the finish job adds the day to the set of days to log in the MULTI that marks it done.
// The coordinator then writes each listed day's rows (INSERT OR IGNORE: a row already logged is kept) and
// its cycle (once) into the use case's SQLite state, and only then drops the lists and the day from the set:
// a coordinator killed midway writes the same rows again on its next run, with nothing logged twice.
import type { Redis } from "ioredis";
import type { CycleSummary } from "../state/cycles.js";
import { type DecisionRow, decisionRow, type LoggedDecision } from "../state/decision-log.js";
import type { RunnerState } from "../state/open-state.js";
import type { DistributedDaySummary } from "./day-jobs.js";
import type { UseCaseKeys } from "./keys.js";
import { execAll } from "./model.js";
import type { StagedDay } from "./stage.js";

/** Rows per RPUSH and per LRANGE (and per SQLite transaction). */
const CHUNK = 10_000;

/** Stages a shard's settled decisions under `key` (replacing what a killed run staged). */
export async function stageDecisions(
  redis: Redis,
  key: string,
  decisions: readonly LoggedDecision[],
): Promise<void> {
  const actions = new Map<number, string>();
  const rows = decisions.map((d) => JSON.stringify(decisionRow(d, actions)));
  const multi = redis.multi().del(key);
  for (let i = 0; i < rows.length; i += CHUNK) multi.rpush(key, ...rows.slice(i, i + CHUNK));
  await execAll(multi);
}

/** A distributed day's summary as the cycles table keeps it. */
export function cycleSummaryOf(s: DistributedDaySummary): CycleSummary {
  return {
    audience: s.audience,
    events: s.learned?.events,
    quarantined: s.learned?.quarantined,
    learned: s.learned?.learned,
    policyVersion: s.learned?.policyVersion,
    decided: s.decided,
    skipped: s.skipped,
    queued: s.queued,
    sent: s.sent,
    failed: s.failed,
  };
}

/**
 * Writes every finished day not logged yet into `state` (decisions and cycle) and drops its staged rows from
 * Redis; returns the days and how many decision rows were new.
 */
export async function logFinishedDays(
  redis: Redis,
  keys: UseCaseKeys,
  state: RunnerState,
  shards: number,
  now: number,
): Promise<{ day: string; logged: number }[]> {
  const out: { day: string; logged: number }[] = [];
  for (const day of (await redis.smembers(keys.toLog)).sort()) {
    let logged = 0;
    for (let s = 0; s < shards; s++)
      for (let from = 0; ; from += CHUNK) {
        const page = await redis.lrange(keys.decisions(day, s), from, from + CHUNK - 1);
        if (page.length > 0)
          logged += state.decisions.insertRows(page.map((r) => JSON.parse(r) as DecisionRow));
        if (page.length < CHUNK) break;
      }
    if (state.cycles.get(day)?.step !== "done") {
      const staged = JSON.parse((await redis.get(keys.staged(day))) ?? "null") as StagedDay | null;
      const summary = JSON.parse((await redis.get(keys.result(day)))!) as DistributedDaySummary;
      state.cycles.start(day, staged?.at ?? now);
      state.cycles.advance(day, "done", cycleSummaryOf(summary), now);
    }
    const lists = Array.from({ length: shards }, (_, s) => keys.decisions(day, s));
    await execAll(
      redis
        .multi()
        .del(...lists)
        .srem(keys.toLog, day),
    );
    out.push({ day, logged });
  }
  return out;
}
