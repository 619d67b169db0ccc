// The day-wide jobs of a distributed day, each the parent of the shard jobs in a BullMQ flow:
// - learn (after every shard's ingest job): adds each shard's statistics to the model with core's `merge`, so
//   the model is the one a single process learning every reward would have (exactly, for the models that
//   keep sufficient statistics), and stores it with each shard's last reward in one MULTI;
// - finish (after every shard's decide-and-activate job): adds up the shards' results and marks the day done,
//   listing it for the coordinator's decision log (decision-rows.ts).
import { type BanditPolicy, createPolicy } from "@kairos/core";
import type { Redis } from "ioredis";
import type { UseCase } from "../use-case/compile.js";
import type { UseCaseKeys } from "./keys.js";
import { execAll, policyOf, readModel, type SharedModel } from "./model.js";
import type { ShardDayResult, ShardDelta } from "./shard-jobs.js";

/** What the learn job did. */
export interface LearnedDay {
  rewards: number;
  learned: number;
  events: number;
  quarantined: number;
  /** The model's version after the merge. */
  policyVersion: number;
}

/** What a distributed day did. */
export interface DistributedDaySummary extends Omit<ShardDayResult, "byGroup" | "skipped"> {
  decided: Record<string, number>;
  skipped: ShardDayResult["skipped"];
  learned?: LearnedDay;
}

/** The learn job (see the file comment); a rerun after the model was stored returns what it stored. */
export async function learnDay(
  redis: Redis,
  keys: UseCaseKeys,
  useCase: UseCase,
  day: string,
  shards: number,
): Promise<LearnedDay> {
  const model = await readModel(redis, keys, useCase);
  const deltas = await Promise.all(
    Array.from({ length: shards }, async (_, s) => {
      const raw = await redis.get(keys.delta(day, s));
      if (raw === null) throw new Error(`shard ${s} of ${day} has not been ingested`);
      return JSON.parse(raw) as ShardDelta;
    }),
  );
  const learned: LearnedDay = {
    rewards: deltas.reduce((n, d) => n + d.rewards, 0),
    learned: deltas.reduce((n, d) => n + d.learned, 0),
    events: deltas.reduce((n, d) => n + d.events, 0),
    quarantined: deltas.reduce((n, d) => n + d.quarantined, 0),
    policyVersion: model.snapshot.version,
  };
  if (model.day === day) return JSON.parse((await redis.get(keys.learned(day)))!) as LearnedDay;
  const policy = policyOf(useCase, model.snapshot);
  const learnedThrough = { ...model.learnedThrough };
  // The shards' statistics are added up first and merged into the model once: one batch, as one process
  // learns the day (a model whose prior is re-estimated after each batch then sees the same schedule).
  let day_: BanditPolicy | undefined;
  deltas.forEach((d, s) => {
    if (d.learned > 0) {
      const shardPolicy = createPolicy(useCase.policyConfig);
      shardPolicy.restore(d.snapshot);
      if (day_) day_.merge(shardPolicy);
      else day_ = shardPolicy;
    }
    learnedThrough[s] = d.through;
  });
  if (day_) policy.merge(day_);
  const next: SharedModel = { day, learnedThrough, snapshot: policy.snapshot() };
  learned.policyVersion = next.snapshot.version;
  const json = JSON.stringify(next);
  await execAll(
    redis
      .multi()
      .set(keys.model, json)
      .set(keys.modelOf(day), json)
      .set(keys.learned(day), JSON.stringify(learned))
      .hset(keys.days, day, "learned"),
  );
  return learned;
}

/** The finish job: the shards' results added up, stored, and the day marked done (its staged lists dropped). */
export async function finishDay(
  redis: Redis,
  keys: UseCaseKeys,
  day: string,
  shards: number,
  results: readonly ShardDayResult[],
  learned: LearnedDay | undefined,
): Promise<DistributedDaySummary> {
  const summary: DistributedDaySummary = {
    audience: 0,
    decided: {},
    skipped: { frequency_cap: 0, no_eligible_action: 0, bad_attributes: 0 },
    queued: 0,
    sent: 0,
    failed: 0,
    held: 0,
    learned,
  };
  for (const r of results) {
    summary.audience += r.audience;
    summary.queued += r.queued;
    summary.sent += r.sent;
    summary.failed += r.failed;
    summary.held += r.held;
    for (const [g, n] of Object.entries(r.byGroup)) summary.decided[g] = (summary.decided[g] ?? 0) + n;
    for (const k of Object.keys(summary.skipped) as (keyof typeof summary.skipped)[])
      summary.skipped[k] += r.skipped[k];
  }
  const staged = Array.from({ length: shards }, (_, s) => [
    keys.audience(day, s),
    keys.events(day, s),
    keys.delta(day, s),
  ]).flat();
  await execAll(
    redis
      .multi()
      .set(keys.result(day), JSON.stringify(summary))
      .hset(keys.days, day, "done")
      .sadd(keys.toLog, day)
      .del(...staged),
  );
  return summary;
}
