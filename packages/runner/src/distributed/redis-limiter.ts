// One Braze rate budget for every worker: a bucket's state (limit, remaining, window reset, blocked-until) lives
// in a Redis hash that every process' limiter reads and writes with one script call. Each response's
// X-RateLimit-* headers refresh it (Braze's own count, which every worker's sends draw from), every request
// takes a unit from it (so workers between two responses do not all spend the same remaining units), and a
// 429 seen by one worker blocks the bucket for all until the window's reset. The process' own BucketLimiter
// still paces its requests in front of it (a probe before the first response, the reserve, its jitter).
import {
  BucketLimiter,
  type BucketName,
  type Clock,
  type RateLimitHeaders,
  type RateLimitOptions,
} from "@kairos/braze-adapter";
import type { Rng } from "@kairos/core";
import type { Redis } from "ioredis";

/** Takes a unit: returns 0 to go, else the time to wait until (ms since the epoch). */
const ACQUIRE = `
local k = KEYS[1]
local now = tonumber(ARGV[1])
local reserve = tonumber(ARGV[2])
local blocked = tonumber(redis.call('HGET', k, 'blockedUntil') or '0')
if now < blocked then return blocked end
local limit = tonumber(redis.call('HGET', k, 'limit') or '-1')
if limit < 0 then return 0 end
local resetAt = tonumber(redis.call('HGET', k, 'resetAt') or '-1')
local remaining = tonumber(redis.call('HGET', k, 'remaining') or '0')
if resetAt >= 0 and now >= resetAt then
  remaining = limit
  redis.call('HDEL', k, 'resetAt')
  resetAt = -1
end
if remaining > math.floor(limit * reserve) then
  redis.call('HSET', k, 'remaining', remaining - 1)
  return 0
end
redis.call('HSET', k, 'remaining', remaining)
if resetAt >= 0 then return resetAt + 1 end
return now + 100
`;

/** Learns from a response: its headers (limit, remaining, reset) and whether it was a 429. */
const OBSERVE = `
local k = KEYS[1]
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local remaining = tonumber(ARGV[3])
local resetAt = tonumber(ARGV[4])
local limited = ARGV[5] == '1'
local fallback = tonumber(ARGV[6])
local knownReset = tonumber(redis.call('HGET', k, 'resetAt') or '-1')
if limit >= 0 and remaining >= 0 and not (resetAt >= 0 and knownReset >= 0 and resetAt < knownReset) then
  local known = redis.call('HGET', k, 'remaining')
  if known == false or (resetAt >= 0 and resetAt > knownReset) then
    redis.call('HSET', k, 'remaining', remaining)
  else
    redis.call('HSET', k, 'remaining', math.min(tonumber(known), remaining))
  end
  redis.call('HSET', k, 'limit', limit)
  if resetAt >= 0 and resetAt >= knownReset then redis.call('HSET', k, 'resetAt', resetAt) end
end
if limited then
  local untilAt = now + fallback
  if resetAt >= 0 and resetAt > now then untilAt = resetAt end
  local blocked = tonumber(redis.call('HGET', k, 'blockedUntil') or '0')
  redis.call('HSET', k, 'blockedUntil', math.max(blocked, untilAt), 'remaining', 0)
end
return 0
`;

/** A BucketLimiter whose budget and 429 pauses are shared through Redis by every process using `key`. */
export class RedisBucketLimiter extends BucketLimiter {
  private sharedBlockedUntil = 0;
  private readonly writes = new Set<Promise<unknown>>();

  constructor(
    name: BucketName,
    private readonly redis: Redis,
    private readonly key: string,
    private readonly sharedClock: Clock,
    rng: Rng,
    private readonly settings: RateLimitOptions = {},
  ) {
    super(name, sharedClock, rng, settings);
  }

  override async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      await super.acquire(signal);
      const now = this.sharedClock.now();
      const until = Number(
        await this.redis.eval(ACQUIRE, 1, this.key, now, this.settings.reserveFraction ?? 0.05),
      );
      if (until === 0) return;
      // Another worker's 429, or the shared budget is spent: give the local unit back and wait.
      this.sharedBlockedUntil = Math.max(this.sharedBlockedUntil, until);
      super.cancel();
      this.throttled++;
      await this.sharedClock.sleep(Math.max(1, until - now), signal);
    }
  }

  override release(headers?: RateLimitHeaders, status?: number): void {
    super.release(headers, status);
    if (status === 429) this.sharedBlockedUntil = Math.max(this.sharedBlockedUntil, headers?.resetAt ?? 0);
    if (!headers && status !== 429) return;
    const write = this.redis
      .eval(
        OBSERVE,
        1,
        this.key,
        this.sharedClock.now(),
        headers?.limit ?? -1,
        headers?.remaining ?? -1,
        headers?.resetAt ?? -1,
        status === 429 ? 1 : 0,
        this.settings.fallbackWaitMs ?? 1000,
      )
      .catch(() => {
        // Redis unreachable: the local limiter still paces this process; the job fails on its next Redis call.
      });
    this.writes.add(write);
    void write.finally(() => this.writes.delete(write));
  }

  override open(): boolean {
    return super.open() && this.sharedClock.now() >= this.sharedBlockedUntil;
  }

  /** Waits for the headers still being written to Redis. */
  async flush(): Promise<void> {
    await Promise.all(this.writes);
  }
}

/** The Redis key of a workspace bucket (one budget per Braze workspace, whatever the use case). */
export function bucketKey(prefix: string, bucket: BucketName): string {
  return `${prefix}:ratelimit:${bucket}`;
}
