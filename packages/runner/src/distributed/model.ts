// The model the workers share: the current policy snapshot in Redis with, per shard, the last reward of that
// shard's joiner it holds (so a reward redelivered after a crash is not learned twice, as `learnedThrough`
// does for one process), and a copy per learned day.
import {
  type BanditPolicy,
  createPolicy,
  KairosError,
  type PolicySnapshot,
  SnapshotMismatchError,
} from "@kairos/core";
import type { Redis } from "ioredis";
import type { UseCase } from "../use-case/compile.js";
import type { UseCaseKeys } from "./keys.js";

/** The stored model. */
export interface SharedModel {
  /** The day whose learning made it (null: the prior). */
  day: string | null;
  /** Per shard, the joiner sequence number of the last reward inside the model. */
  learnedThrough: Record<string, number>;
  snapshot: PolicySnapshot;
}

/** Runs a pipeline or MULTI and throws the first command's error (ioredis reports them per command). */
export async function execAll(batch: ReturnType<Redis["pipeline"]>): Promise<void> {
  for (const [error] of (await batch.exec()) ?? []) if (error) throw error;
}

/** The current model (the prior, stored, when there is none yet). */
export async function readModel(redis: Redis, keys: UseCaseKeys, useCase: UseCase): Promise<SharedModel> {
  const raw = await redis.get(keys.model);
  if (raw !== null) return JSON.parse(raw) as SharedModel;
  const prior: SharedModel = {
    day: null,
    learnedThrough: {},
    snapshot: createPolicy(useCase.policyConfig).snapshot(),
  };
  await redis.set(keys.model, JSON.stringify(prior), "NX");
  return JSON.parse((await redis.get(keys.model))!) as SharedModel;
}

/** The use case's policy with a stored snapshot restored (options matched by name, renames applied). */
export function policyOf(useCase: UseCase, snapshot: PolicySnapshot): BanditPolicy {
  const policy = createPolicy(useCase.policyConfig);
  try {
    policy.restore(snapshot, { rename: useCase.file.renames });
  } catch (e) {
    if (e instanceof SnapshotMismatchError)
      throw new SnapshotMismatchError(
        `the model in Redis does not fit the use-case file: ${e.message} (restore the file's policy and features, or use another --prefix)`,
      );
    throw e;
  }
  return policy;
}

/**
 * Makes `snapshot` the model the workers share (`kairos rollback --redis`). The day and the per-shard
 * `learnedThrough` stay: rewards already learned are not learned again, and a rerun of the last learn job
 * still finds its day done. Refused if the model changes meanwhile (a learn job finishing): optimistic, with
 * WATCH, so a rollback never overwrites a day it has not seen.
 */
export async function rollbackShared(
  redis: Redis,
  keys: UseCaseKeys,
  useCase: UseCase,
  snapshot: PolicySnapshot,
): Promise<void> {
  policyOf(useCase, snapshot); // it must fit the use case, as the workers will restore it
  await redis.watch(keys.model);
  try {
    const raw = await redis.get(keys.model);
    if (raw === null)
      throw new KairosError("no_model", `no model in Redis under ${keys.base}: no day has run there yet`);
    const current = JSON.parse(raw) as SharedModel;
    const next: SharedModel = { ...current, snapshot };
    const result = await redis.multi().set(keys.model, JSON.stringify(next)).exec();
    if (result === null)
      throw new KairosError(
        "model_changed",
        "the model in Redis changed during the rollback (a learn job finished): run it again",
      );
  } finally {
    await redis.unwatch();
  }
}
