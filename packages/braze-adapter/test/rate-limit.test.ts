import { afterEach, describe, expect, it } from "vitest";
import type { FakeBraze } from "../src/testing/index.js";
import { startWorld, workspace } from "./fixtures/world.js";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()?.();
});

/** For each 429 the fake sent on `bucket`, whether the next request on that bucket arrived at or after the reset. */
function resetHonoured(fake: FakeBraze, bucket: string): boolean[] {
  const reqs = fake.requests.filter((r) => r.bucket === bucket);
  const out: boolean[] = [];
  reqs.forEach((r, i) => {
    if (r.status !== 429) return;
    const resetMs = Math.ceil((Math.floor(r.at / 1000) * 1000 + 1000) / 1000) * 1000;
    const next = reqs[i + 1];
    if (next) out.push(next.at >= resetMs);
  });
  return out;
}

describe("rate limiting", () => {
  it("never exceeds the fake's limit, throttling before the bucket is empty", async () => {
    const { fake, client, close } = await startWorld(
      { ...workspace(5), rateLimits: { default: { limit: 30, windowMs: 1000 } } },
      { maxConcurrency: 8 },
    );
    closers.push(close);
    const res = await Promise.all(Array.from({ length: 100 }, () => client.segments.details("seg-all")));
    expect(res).toHaveLength(100);
    expect(fake.buckets.violations).toHaveLength(0);
    expect(fake.requests.filter((r) => r.status === 429)).toHaveLength(0);
    expect(client.transport.limiter("default").throttled).toBeGreaterThan(0);
  });

  it("after a 429 waits for X-RateLimit-Reset, then carries on without exceeding the limit", async () => {
    const { fake, client, close } = await startWorld(
      {
        ...workspace(5),
        rateLimits: { default: { limit: 40, windowMs: 1000 } },
        faults: { rate429: 0.1, paths: ["/segments/details"], seed: 11 },
      },
      { maxConcurrency: 1 },
    );
    closers.push(close);
    for (let i = 0; i < 40; i++) await client.segments.details("seg-all");
    const honoured = resetHonoured(fake, "default");
    expect(fake.faults.counts["429"]).toBeGreaterThan(0);
    expect(honoured.length).toBe(fake.faults.counts["429"]);
    expect(honoured.every(Boolean)).toBe(true);
    expect(fake.buckets.violations).toHaveLength(0);
    expect(client.stats.rateLimited).toBe(fake.faults.counts["429"]);
  });

  it("after a 429, calls already queued for a connection also wait for the reset", async () => {
    const windowMs = 2_000;
    const maxConcurrency = 4;
    const { fake, client, close } = await startWorld(
      { ...workspace(5), rateLimits: { default: { limit: 1_000, windowMs } } },
      { maxConcurrency },
    );
    closers.push(close);
    // Start in the first half of a window, so its reset is well after the burst.
    while (Date.now() % windowMs > windowMs / 2) await new Promise((r) => setTimeout(r, 20));
    await client.campaigns.details("camp-offer"); // the client learns the bucket: 999 left
    fake.buckets.exhaust("default", Date.now()); // another consumer of the workspace uses up the pool
    await Promise.all(Array.from({ length: 155 }, () => client.campaigns.details("camp-offer")));
    // Every request that met the empty bucket before its reset is a violation. Only those already on the wire
    // when the first 429 came back may be among them.
    const violations = fake.buckets.violations.length;
    console.log(JSON.stringify({ test: "429 then queued calls", calls: 155, maxConcurrency, violations }));
    expect(violations).toBeGreaterThan(0);
    expect(violations).toBeLessThanOrEqual(maxConcurrency);
  });

  it("with concurrency and injected 429s, never overruns the real bucket", async () => {
    const { fake, client, close } = await startWorld(
      {
        ...workspace(5),
        rateLimits: { default: { limit: 40, windowMs: 1000 } },
        faults: { rate429: 0.1, paths: ["/segments/details"], seed: 5 },
      },
      { maxConcurrency: 8 },
    );
    closers.push(close);
    await Promise.all(Array.from({ length: 120 }, () => client.segments.details("seg-all")));
    const first429 = fake.requests.findIndex((r) => r.status === 429);
    expect(first429).toBeGreaterThanOrEqual(0);
    expect(fake.buckets.violations).toHaveLength(0);
    // Only injected 429s occurred: the real bucket was never overrun.
    expect(fake.requests.filter((r) => r.status === 429 && r.fault !== "429")).toHaveLength(0);
  });
});
