import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BucketLimiter, chunkTrack, ManualClock, splitSeries } from "../src/index.js";

describe("chunkTrack", () => {
  it("never exceeds the limit, never makes an empty chunk, and maps every object back to its origin", () => {
    fc.assert(
      fc.property(
        fc.nat(200),
        fc.nat(200),
        fc.nat(200),
        fc.integer({ min: 1, max: 100 }),
        (a, e, p, limit) => {
          const attrs = Array.from({ length: a }, (_, i) => `a${i}`);
          const events = Array.from({ length: e }, (_, i) => `e${i}`);
          const purchases = Array.from({ length: p }, (_, i) => `p${i}`);
          const chunks = chunkTrack(attrs, events, purchases, limit);
          const sizes = chunks.map((c) => c.attributes.length + c.events.length + c.purchases.length);
          expect(sizes.every((s) => s >= 1 && s <= limit)).toBe(true);
          expect(chunks.flatMap((c) => c.attributes)).toEqual(attrs);
          expect(chunks.flatMap((c) => c.events)).toEqual(events);
          for (const c of chunks) expect(c.purchases).toEqual(c.origin.purchases.map((k) => purchases[k]));
        },
      ),
    );
  });
});

describe("splitSeries", () => {
  it("covers exactly the requested days with windows within the bound", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 100 }), (days, max) => {
        const w = splitSeries(new Date(Date.UTC(2024, 0, 1)), days, max);
        expect(w.reduce((s, x) => s + x.length, 0)).toBe(days);
        expect(w.every((x) => x.length >= 1 && x.length <= max)).toBe(true);
      }),
    );
  });
});

describe("BucketLimiter", () => {
  it("lets one probe through, then spends the bucket down to its reserve and waits for the reset", async () => {
    const clock = new ManualClock(1_000_000);
    const limiter = new BucketLimiter(
      "default",
      clock,
      { next: () => 0 },
      { reserveFraction: 0.1, jitterMs: 0 },
    );
    await limiter.acquire();
    let second = false;
    const pending = limiter.acquire().then(() => (second = true));
    await new Promise((r) => setImmediate(r));
    expect(second).toBe(false); // unknown bucket: one probe at a time
    limiter.release({ limit: 10, remaining: 9, resetAt: 1_001_000 });
    await pending;
    limiter.release();
    // 8 left (9 minus the second request), reserve 1: seven more go at once.
    for (let i = 0; i < 7; i++) await limiter.acquire();
    expect(limiter.throttled).toBe(1); // only the second request (behind the probe) waited
    await limiter.acquire(); // must wait for the window to reset
    expect(limiter.throttled).toBe(2);
    expect(limiter.state().blockedUntil).toBe(0);
  });

  it("a unit taken before a 429 may not be spent after it, and giving it back leaves the bucket empty", async () => {
    const clock = new ManualClock(5_000);
    const limiter = new BucketLimiter("x", clock, { next: () => 0 }, { jitterMs: 0 });
    await limiter.acquire();
    limiter.release({ limit: 100, remaining: 50, resetAt: 9_000 });
    await limiter.acquire();
    await limiter.acquire(); // two calls hold units, one of them still waiting for a connection
    expect(limiter.open()).toBe(true);
    limiter.release({ limit: 100, remaining: 0, resetAt: 9_000 }, 429);
    expect(limiter.open()).toBe(false);
    limiter.cancel();
    expect(limiter.state()).toMatchObject({ remaining: 0, inFlight: 0, blockedUntil: 9_000 });
  });

  it("after a 429 blocks until the reset", async () => {
    const clock = new ManualClock(5_000);
    const limiter = new BucketLimiter("x", clock, { next: () => 0 }, { jitterMs: 0 });
    await limiter.acquire();
    limiter.release({ limit: 100, remaining: 0, resetAt: 9_000 }, 429);
    expect(limiter.state().blockedUntil).toBe(9_000);
    await limiter.acquire();
    expect(limiter.throttled).toBe(1);
  });
});
