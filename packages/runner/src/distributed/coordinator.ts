// `kairos day --redis URL`: the coordinator of a distributed day. It stages the day (audience and new outcome
// records split by shard, see stage.ts), then adds the day's two BullMQ flows (ingest per shard → learn;
// decide-and-activate per shard → finish) and follows each until its last job ends, reporting progress summed
// over the shards. Run again after a crash (of the coordinator, a worker or Redis), it picks the day up where
// it stands: a finished step is skipped, jobs already queued are followed rather than added twice, and a flow
// that failed is replaced. The use case's local state gets what the single-process runner keeps there, for
// `kairos status`, `kairos report` and `kairos export-log`: the day's learned model and rewards once learned
// (learned-log.ts), its decisions and cycle once done (decision-rows.ts; a run also logs an earlier finished
// day a killed coordinator had not logged). Then the shards' ledgers drop the sends settled more than
// `ledgerDays` ago, and the day's data_series is pulled into the local state, as one process does.
import type { BrazeClient, Clock } from "@kairos/braze-adapter";
import { systemClock } from "@kairos/braze-adapter";
import { KairosError, ValidationError } from "@kairos/core";
import { FlowProducer, type Job, Queue } from "bullmq";
import { Redis } from "ioredis";
import { pullDataSeries } from "../data-series/pull.js";
import { dayOf } from "../days.js";
import { loadPolicy } from "../policy-state.js";
import type { ProgressListener } from "../progress.js";
import type { RunnerState } from "../state/open-state.js";
import type { UseCase } from "../use-case/compile.js";
import type { DistributedDaySummary, LearnedDay } from "./day-jobs.js";
import { logFinishedDays } from "./decision-rows.js";
import { UseCaseKeys } from "./keys.js";
import { logLearnedDay } from "./learned-log.js";
import { bullPrefix, connectionOf, type DayJobData, type DayJobName, jobIdOf, QUEUE } from "./queue.js";
import { RedisSendLedger } from "./redis-ledger.js";
import { withRedisLock } from "./redis-lock.js";
import { stageDay } from "./stage.js";

/** Options of {@link runDistributedDay}. */
export interface DistributedDayOptions {
  redisUrl: string;
  /** The use case's local state (open, locked): the finished days' decisions and cycles are written there. */
  state: RunnerState;
  /** Key prefix (default "kairos"); the workers' must match. */
  prefix: string;
  /** Audience shards (default 16); fixed for a use case by its first day. */
  shards?: number;
  day?: string;
  clock?: Clock;
  /**
   * For a segment audience (the export runs in the coordinator), and to pull the day's data_series into the
   * local state once the day is done (Braze vs Kairos in status and report; skipped without a client).
   */
  braze?: BrazeClient;
  audienceFile?: string;
  outcomesFolder?: string;
  onProgress?: ProgressListener;
  /**
   * Days a settled send stays in the shards' ledgers (default 2, at least 1): once a day is done, rows settled
   * longer ago are pruned (README, "Scale out": why a day is more than the exactly-once rules need).
   */
  ledgerDays?: number;
  /** How often the flows are polled (default 500 ms). */
  pollMs?: number;
}

/** What a distributed day did. */
export interface DistributedDayResult {
  day: string;
  alreadyDone: boolean;
  summary: DistributedDaySummary;
}

const DEFAULT_SHARDS = 16;
const DEFAULT_LEDGER_DAYS = 2;
const DAY_MS = 86_400_000;

/** Runs (or finishes) one day of a use case on the workers; see the file comment. */
export async function runDistributedDay(
  useCase: UseCase,
  options: DistributedDayOptions,
): Promise<DistributedDayResult> {
  const ledgerDays = options.ledgerDays ?? DEFAULT_LEDGER_DAYS;
  if (!(Number.isInteger(ledgerDays) && ledgerDays >= 1))
    throw new ValidationError("ledgerDays", `must be an integer of at least 1, got ${ledgerDays}`);
  const connection = connectionOf(options.redisUrl);
  const redis = new Redis({ ...(connection as object), maxRetriesPerRequest: 20 });
  const keys = new UseCaseKeys(options.prefix, useCase.id);
  const flows = new FlowProducer({ connection, prefix: bullPrefix(options.prefix) });
  const queue = new Queue<DayJobData>(QUEUE, { connection, prefix: bullPrefix(options.prefix) });
  try {
    return await withRedisLock(redis, `${keys.base}:coordinator`, 60_000, () =>
      coordinate(useCase, options, redis, keys, flows, queue),
    );
  } finally {
    await flows.close();
    await queue.close();
    redis.disconnect();
  }
}

/** The coordinator's work, holding the use case's coordinator lock. */
async function coordinate(
  useCase: UseCase,
  options: DistributedDayOptions,
  redis: Redis,
  keys: UseCaseKeys,
  flows: FlowProducer,
  queue: Queue<DayJobData>,
): Promise<DistributedDayResult> {
  const clock = options.clock ?? systemClock;
  const progress = options.onProgress ?? (() => {});
  const day = options.day ?? dayOf(clock.now());
  // The prior every worker starts from, as the single-process runner saves it: the first decisions' model.
  if (!options.state.snapshots.latest()) loadPolicy(useCase, options.state.snapshots, clock.now());
  const log = async (shards: number) => {
    for (const l of await logFinishedDays(redis, keys, options.state, shards, clock.now()))
      progress({ step: "register", message: `${l.day}: ${l.logged} decisions written to the decision log` });
  };
  // Days a killed coordinator finished on the workers but did not log.
  const known = await redis.get(`${keys.base}:shards`);
  if (known !== null) await log(Number(known));
  const days = await redis.hgetall(keys.days);
  const earlier = Object.keys(days)
    .filter((d) => d < day && days[d] !== "done")
    .sort()[0];
  if (earlier)
    throw new KairosError(
      "unfinished_day",
      `day ${earlier} did not finish: run it again first (kairos day --redis … --date ${earlier})`,
    );
  if (days[day] === "done")
    return {
      day,
      alreadyDone: true,
      summary: JSON.parse((await redis.get(keys.result(day)))!) as DistributedDaySummary,
    };
  const wanted = options.shards ?? DEFAULT_SHARDS;
  await redis.set(`${keys.base}:shards`, String(wanted), "NX");
  const shards = Number(await redis.get(`${keys.base}:shards`));
  if (options.shards !== undefined && shards !== options.shards)
    throw new ValidationError(
      "--shards",
      `${useCase.id} runs on ${shards} shards (fixed by its first day: customers' joiner state and ledger live in their shard)`,
    );

  progress({ step: "audience", message: "staging the audience and outcomes by shard" });
  const staged = await stageDay(redis, keys, useCase, options.braze, day, shards, clock.now(), {
    audienceFile: options.audienceFile,
    outcomesFolder: options.outcomesFolder,
  });
  progress({
    step: "audience",
    message: `${staged.customers} customers, ${staged.events} outcome records on ${shards} shards`,
  });

  const data = (extra: Partial<DayJobData> = {}): DayJobData => ({
    useCase: useCase.file,
    baseDir: useCase.baseDir,
    prefix: options.prefix,
    day,
    shards,
    ...extra,
  });
  const follow = async (parent: DayJobName, child: DayJobName, extra: Partial<DayJobData>) => {
    const parentId = jobIdOf(useCase.id, day, parent);
    const childIds = Array.from({ length: shards }, (_, s) => jobIdOf(useCase.id, day, child, s));
    const old = await queue.getJob(parentId);
    if (old && (await old.getState()) === "failed") await old.remove({ removeChildren: true });
    if (!old || (await queue.getJob(parentId)) === undefined)
      await flows.add({
        name: parent,
        queueName: QUEUE,
        data: data(extra),
        opts: { jobId: parentId, attempts: 5, backoff: { type: "fixed", delay: 1_000 } },
        children: childIds.map((jobId, shard) => ({
          name: child,
          queueName: QUEUE,
          data: data({ shard }),
          opts: { jobId, attempts: 5, backoff: { type: "fixed", delay: 1_000 }, failParentOnFailure: true },
        })),
      });
    return waitFor(queue, parentId, childIds, parent, progress, options.pollMs ?? 500);
  };

  if (days[day] !== "learned") {
    progress({ step: "ingest", message: `ingesting and learning on ${shards} shards` });
    await follow("learn", "ingest", {});
  }
  const learned = JSON.parse((await redis.get(keys.learned(day)))!) as LearnedDay;
  await logLearnedDay(redis, keys, options.state, day, shards, clock.now());
  progress({
    step: "learn",
    message: `${learned.rewards} rewards final, ${learned.learned} learned; model version ${learned.policyVersion}`,
  });
  progress({ step: "decide", message: `deciding and sending on ${shards} shards` });
  await follow("finish", "decide", { learned });
  const summary = JSON.parse((await redis.get(keys.result(day)))!) as DistributedDaySummary;
  progress({
    step: "register",
    message: `${summary.sent} sent, ${summary.failed} failed, ${summary.held} held`,
  });
  await log(shards);
  let pruned = 0;
  const before = clock.now() - (options.ledgerDays ?? DEFAULT_LEDGER_DAYS) * DAY_MS;
  for (let s = 0; s < shards; s++) pruned += await new RedisSendLedger(redis, keys.ledger(s)).prune(before);
  if (pruned > 0)
    progress({
      step: "register",
      message: `${pruned} ledger rows settled before ${new Date(before).toISOString()} pruned`,
    });
  progress({
    step: "data_series",
    message: options.braze
      ? (await pullDataSeries(useCase, options.state, options.braze, clock.now())).note
      : "not pulled: no Braze credentials in the coordinator's environment",
  });
  return { day, alreadyDone: false, summary };
}

/** Polls a flow until its parent job ends, reporting the children's summed progress; returns its value. */
async function waitFor(
  queue: Queue<DayJobData>,
  parentId: string,
  childIds: readonly string[],
  step: DayJobName,
  progress: ProgressListener,
  pollMs: number,
): Promise<void> {
  let last = "";
  for (;;) {
    const parent = (await queue.getJob(parentId)) as Job<DayJobData> | undefined;
    if (!parent) throw new KairosError("flow_lost", `job ${parentId} disappeared from the queue: run again`);
    const state = await parent.getState();
    if (state === "completed") return;
    if (state === "failed")
      throw new KairosError("job_failed", `${parentId} failed: ${parent.failedReason} (run again to resume)`);
    let done = 0;
    let total = 0;
    for (const id of childIds) {
      const p = (await queue.getJob(id))?.progress as { done?: number; total?: number } | undefined;
      done += p?.done ?? 0;
      total += p?.total ?? 0;
    }
    const line = `${done}/${total}`;
    if (line !== last && total > 0) {
      progress({ step: step === "finish" ? "decide" : "ingest", message: "shards working", done, total });
      last = line;
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
