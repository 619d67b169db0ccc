// One holder at a time: one job per shard, one coordinator per use case. BullMQ runs a job on one worker at a time, but a worker whose event loop
// stalls past its job lock has its job handed to another while it still runs; two Activators on one shard's
// ledger could then both take a queued row. The shard lock makes the second wait: a Redis key held with a
// token and renewed while the job runs, released at its end, and expiring `ttlMs` after a killed worker's
// last renewal (so the job's next worker waits at most that long).

import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Redis } from "ioredis";

/** Deletes the key only if it still holds our token. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
/** Extends the key only if it still holds our token. */
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

/**
 * Runs `work` holding the lock `key` (waiting for it first); see the file comment. A second coordinator of a
 * use case waits likewise, then finds the day done.
 */
export async function withRedisLock<T>(
  redis: Redis,
  key: string,
  ttlMs: number,
  work: () => Promise<T>,
): Promise<T> {
  const token = randomUUID();
  while ((await redis.set(key, token, "PX", ttlMs, "NX")) !== "OK") await sleep(Math.min(250, ttlMs / 4));
  const renew = setInterval(() => void redis.eval(RENEW, 1, key, token, ttlMs).catch(() => {}), ttlMs / 3);
  try {
    return await work();
  } finally {
    clearInterval(renew);
    await redis.eval(RELEASE, 1, key, token);
  }
}
