// The shared Braze budget: two processes' limiters on one Redis key spend one budget between them, and a 429
// seen by one blocks the other until the window's reset.
import { ManualClock } from "@kairos/braze-adapter";
import { createRng } from "@kairos/core";
import { describe, expect, it } from "vitest";
import { RedisBucketLimiter } from "../../src/distributed/redis-limiter.js";
import { useTestRedis } from "./use-test-redis.js";

const env = useTestRedis();

const T0 = Date.UTC(2026, 2, 2, 6);

function pair(key: string, clock: ManualClock) {
  const make = (seed: string) =>
    new RedisBucketLimiter("default", env.redis, key, clock, createRng(seed), {
      reserveFraction: 0,
      jitterMs: 0,
    });
  return [make("a"), make("b")] as const;
}

describe("RedisBucketLimiter", () => {
  it("spends one budget across processes: the 11th request of a 10-unit window waits for the reset", async () => {
    const clock = new ManualClock(T0);
    const [a, b] = pair("t:budget", clock);
    await a.acquire();
    a.release({ limit: 10, remaining: 9, resetAt: T0 + 1_000 }, 202);
    await a.flush();
    // Nine units left in the window, whichever process takes them.
    for (let i = 0; i < 9; i++) {
      const l = i % 2 ? a : b;
      await l.acquire();
      l.release();
    }
    expect(clock.now()).toBe(T0);
    await b.acquire();
    expect(clock.now()).toBeGreaterThan(T0 + 1_000);
    b.release();
  });

  it("a 429 seen by one process blocks the bucket for the other until the reset", async () => {
    const clock = new ManualClock(T0);
    const [a, b] = pair("t:429", clock);
    await b.acquire();
    b.release({ limit: 100, remaining: 50, resetAt: T0 + 60_000 }, 202);
    await a.acquire();
    a.release({ limit: 100, remaining: 0, resetAt: T0 + 5_000 }, 429);
    await a.flush();
    await b.acquire();
    expect(clock.now()).toBeGreaterThanOrEqual(T0 + 5_000);
    expect(b.throttled).toBeGreaterThan(0);
    b.release();
  });
});
