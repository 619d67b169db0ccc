// A worker of the distributed mode (`kairos worker --redis URL`): a plain process taking day jobs from the
// queue one at a time, for any use case (each job carries its file). Run as many as you like, on as many
// machines; a worker killed mid-job has its job taken over by another once its lock expires (BullMQ's
// stalled-job check), and the shard's ledger and joiner make the rerun send and learn nothing twice.
import { randomUUID } from "node:crypto";
import { BrazeClient, type BrazeClientOptions, type BucketName, systemClock } from "@kairos/braze-adapter";
import { createRng } from "@kairos/core";
import { type Job, Worker } from "bullmq";
import { Redis } from "ioredis";
import { brazeCredentials } from "../credentials.js";
import type { ActivationSettings } from "../run-day.js";
import { compileUseCase, type UseCase } from "../use-case/compile.js";
import { importUseCasePresets } from "../use-case/preset-modules.js";
import { finishDay, learnDay } from "./day-jobs.js";
import { UseCaseKeys } from "./keys.js";
import { bullPrefix, connectionOf, type DayJobData, type DayJobName, QUEUE } from "./queue.js";
import { bucketKey, RedisBucketLimiter } from "./redis-limiter.js";
import { withRedisLock } from "./redis-lock.js";
import { decideShard, ingestShard, type ShardDayResult } from "./shard-jobs.js";
import type { StagedDay } from "./stage.js";

/** Options of {@link startWorker}. */
export interface WorkerOptions {
  redisUrl: string;
  /** Key prefix (default "kairos"); the coordinator's must match. */
  prefix: string;
  env: NodeJS.ProcessEnv;
  /**
   * How long a job stays a worker's without renewal (default 30 s): a killed worker's job is taken over after
   * about this long. The event loop must never block longer (the shard jobs yield between pages).
   */
  lockDurationMs?: number;
  activation?: ActivationSettings;
  /** The Braze client's retry delays (tests shorten them). */
  retry?: BrazeClientOptions["retry"];
  /** Called when a job starts, completes or fails. */
  log?: (line: string) => void;
}

/** A running worker. */
export interface RunningWorker {
  /** Waits for the current job (if any) and stops. */
  close(): Promise<void>;
}

/** Starts a worker; see the file comment. */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const connection = connectionOf(options.redisUrl);
  const redis = new Redis({ ...(connection as object), maxRetriesPerRequest: 20 });
  const credentials = brazeCredentials(options.env);
  const limiters = new Map<BucketName, RedisBucketLimiter>();
  const braze = new BrazeClient({
    ...credentials,
    retry: options.retry,
    limiterFor: (bucket) => {
      const limiter = new RedisBucketLimiter(
        bucket,
        redis,
        bucketKey(options.prefix, bucket),
        systemClock,
        createRng(randomUUID()),
      );
      limiters.set(bucket, limiter);
      return limiter;
    },
  });
  const useCases = new Map<string, UseCase>();
  const lockDurationMs = options.lockDurationMs ?? 30_000;
  const log = options.log ?? (() => {});

  const handle = async (job: Job<DayJobData>): Promise<unknown> => {
    const data = job.data;
    const text = JSON.stringify([data.useCase, data.baseDir]);
    let useCase = useCases.get(text);
    if (!useCase) {
      await importUseCasePresets(data.useCase, data.baseDir);
      useCases.set(text, (useCase = compileUseCase(data.useCase, data.baseDir)));
    }
    const keys = new UseCaseKeys(data.prefix, useCase.id);
    const staged = JSON.parse((await redis.get(keys.staged(data.day))) ?? "null") as StagedDay | null;
    if (!staged) throw new Error(`${useCase.id} ${data.day}: not staged`);
    const name = job.name as DayJobName;
    log(`${name} ${useCase.id} ${data.day}${data.shard === undefined ? "" : ` shard ${data.shard}`}`);
    const ctx = {
      redis,
      keys,
      useCase,
      day: data.day,
      shard: data.shard ?? 0,
      staged,
      progress: (done: number, total: number) => job.updateProgress({ done, total }),
    };
    // Three job locks: a takeover after a kill waits about that long more, a stalled worker never overlaps.
    const locked = <T>(work: () => Promise<T>) =>
      withRedisLock(redis, `${keys.base}:lock:${job.id}`, 3 * lockDurationMs, work);
    switch (name) {
      case "ingest": {
        // The statistics stay in Redis for the learn job; the job's value is what the coordinator shows.
        const delta = await locked(() => ingestShard(ctx));
        return { rewards: delta.rewards, learned: delta.learned };
      }
      case "learn":
        return learnDay(redis, keys, useCase, data.day, data.shards);
      case "decide": {
        const result = await locked(() => decideShard(ctx, braze, options.activation));
        await Promise.all([...limiters.values()].map((l) => l.flush()));
        return result;
      }
      case "finish": {
        const children = Object.values(await job.getChildrenValues()) as ShardDayResult[];
        return finishDay(redis, keys, data.day, data.shards, children, data.learned);
      }
    }
  };

  const worker = new Worker<DayJobData>(QUEUE, handle, {
    connection,
    prefix: bullPrefix(options.prefix),
    concurrency: 1,
    lockDuration: lockDurationMs,
    stalledInterval: Math.max(1_000, Math.floor(lockDurationMs / 2)),
    // A job is taken over after each kill of its worker; give up only on one that keeps killing workers.
    maxStalledCount: 10,
  });
  worker.on("completed", (job) => log(`completed ${job.name} ${job.id}`));
  worker.on("failed", (job, error) => log(`failed ${job?.name} ${job?.id}: ${error.message}`));
  await worker.waitUntilReady();
  return {
    async close() {
      await worker.close();
      await braze.close();
      redis.disconnect();
    },
  };
}
