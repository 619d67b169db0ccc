// A distributed day's learning into the coordinator's local state, as the single-process runner keeps it: the
// model the learn job stored for the day appended to the snapshot history with the final rewards the shards
// took (the reward table the report and export-log join to the decision log). Written after the learn job
// and before the decide flow, while the shards' statistics are still in Redis (the finish job drops them);
// once per day: a rerun finds the day's snapshot the latest and writes nothing.
import type { Redis } from "ioredis";
import type { RunnerState } from "../state/open-state.js";
import type { UseCaseKeys } from "./keys.js";
import type { SharedModel } from "./model.js";
import type { ShardDelta } from "./shard-jobs.js";

/** Appends the day's learned model and rewards to `state` (if it learned any); returns the rewards written. */
export async function logLearnedDay(
  redis: Redis,
  keys: UseCaseKeys,
  state: RunnerState,
  day: string,
  shards: number,
  now: number,
): Promise<number> {
  const latest = state.snapshots.latest();
  if (latest?.day === day && latest.reason === "learned") return 0;
  const deltas: ShardDelta[] = [];
  for (let s = 0; s < shards; s++) {
    const raw = await redis.get(keys.delta(day, s));
    if (raw === null) return 0;
    deltas.push(JSON.parse(raw) as ShardDelta);
  }
  const rewards = deltas.flatMap((d) => d.final);
  if (rewards.length === 0) return 0;
  const model = JSON.parse((await redis.get(keys.modelOf(day)))!) as SharedModel;
  state.snapshots.append(
    {
      createdAt: now,
      day,
      reason: "learned",
      policyVersion: model.snapshot.version,
      // Each shard's joiner counts its own rewards: their sum is the rewards received in all.
      learnedThrough: Object.values(model.learnedThrough).reduce((a, b) => a + b, 0),
      learned: deltas.reduce((n, d) => n + d.learned, 0),
      json: JSON.stringify(model.snapshot),
    },
    rewards,
  );
  return rewards.length;
}
