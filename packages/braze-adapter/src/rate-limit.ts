import type { Rng } from "@kairos/core";
import type { Clock } from "./clock.js";

/** How the client paces one bucket. */
export interface RateLimitOptions {
  /** Share of the bucket kept unused so other consumers of the workspace are not starved (default 0.05). */
  reserveFraction?: number;
  /** Random extra wait after a reset, in ms (default 250), so waiters do not stampede the new window. */
  jitterMs?: number;
  /** Wait after a 429 that carries no usable X-RateLimit-Reset (default 1000 ms). */
  fallbackWaitMs?: number;
}

/** Rate-limit headers of one response (undici lowercases names). */
export interface RateLimitHeaders {
  limit?: number;
  remaining?: number;
  /** Window reset in ms since the epoch (Braze sends epoch seconds). */
  resetAt?: number;
}

/** Reads X-RateLimit-Limit/Remaining/Reset from a lowercase header record. */
export function parseRateLimitHeaders(
  headers: Record<string, string | string[] | undefined>,
): RateLimitHeaders {
  const num = (name: string): number | undefined => {
    const raw = headers[name];
    const v = Number(Array.isArray(raw) ? raw[0] : raw);
    return raw === undefined || !Number.isFinite(v) ? undefined : v;
  };
  const reset = num("x-ratelimit-reset");
  return {
    limit: num("x-ratelimit-limit"),
    remaining: num("x-ratelimit-remaining"),
    resetAt: reset === undefined ? undefined : reset * 1000,
  };
}

/**
 * One Braze bucket as seen from the client. Before any response it lets a single probe through; afterwards it
 * counts down a local estimate of `remaining` (so concurrent callers share it), refreshes it from every
 * response's headers, stops at a reserve instead of at zero, and after a 429 blocks until the reset time plus
 * jitter.
 */
export class BucketLimiter {
  private limit: number | undefined;
  private remaining = 0;
  private resetAt: number | undefined;
  private blockedUntil = 0;
  private inFlight = 0;
  private wakers: (() => void)[] = [];
  /** Number of times a caller had to wait for budget. */
  throttled = 0;

  constructor(
    readonly name: string,
    private readonly clock: Clock,
    private readonly rng: Rng,
    private readonly options: RateLimitOptions = {},
  ) {}

  /** Waits until a request may be sent on this bucket and reserves one unit for it. Pair with `release`. */
  async acquire(signal?: AbortSignal): Promise<void> {
    let waited = false;
    for (;;) {
      signal?.throwIfAborted();
      const now = this.clock.now();
      if (now < this.blockedUntil) {
        waited = true;
        await this.clock.sleep(this.blockedUntil - now + 1, signal);
        continue;
      }
      if (this.limit === undefined) {
        // Nothing known yet: one probe learns the bucket's size before anyone else goes.
        if (this.inFlight === 0) return this.take(waited);
        waited = true;
        await this.waitForChange(signal);
        continue;
      }
      if (this.resetAt !== undefined && now >= this.resetAt) {
        // The window rolled over: assume a full bucket until a response says otherwise.
        this.remaining = this.limit - this.inFlight;
        this.resetAt = undefined;
      }
      if (this.remaining > this.reserve()) return this.take(waited);
      waited = true;
      if (this.resetAt !== undefined) await this.clock.sleep(this.resetAt - now + 1 + this.jitter(), signal);
      else if (this.inFlight === 0) return this.take(waited);
      else await this.waitForChange(signal);
    }
  }

  /** Returns the unit taken by `acquire` and learns from the response headers, if any. */
  release(headers?: RateLimitHeaders, status?: number): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (headers) this.observe(headers);
    if (status === 429) this.onRateLimited(headers?.resetAt);
    this.wake();
  }

  private wake(): void {
    const wakers = this.wakers;
    this.wakers = [];
    for (const w of wakers) w();
  }

  /** Gives back a unit taken by `acquire` whose request was never sent. */
  cancel(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (this.limit !== undefined) this.remaining++;
    this.wake();
  }

  /**
   * Whether a unit taken earlier may still be spent now: false once a 429 has blocked the bucket, or when responses
   * since show that the units already handed out exceed what the bucket has left.
   */
  open(): boolean {
    return this.clock.now() >= this.blockedUntil && (this.limit === undefined || this.remaining >= 0);
  }

  /** Current view of the bucket, for diagnostics. */
  state(): { limit?: number; remaining: number; resetAt?: number; blockedUntil: number; inFlight: number } {
    return {
      limit: this.limit,
      remaining: this.remaining,
      resetAt: this.resetAt,
      blockedUntil: this.blockedUntil,
      inFlight: this.inFlight,
    };
  }

  private take(waited: boolean): void {
    if (waited) this.throttled++;
    this.inFlight++;
    if (this.limit !== undefined) this.remaining--;
  }

  private reserve(): number {
    const fraction = this.options.reserveFraction ?? 0.05;
    return Math.floor((this.limit ?? 0) * fraction);
  }

  private jitter(): number {
    return this.rng.next() * (this.options.jitterMs ?? 250);
  }

  private observe(h: RateLimitHeaders): void {
    if (h.limit === undefined || h.remaining === undefined) return;
    // A late response from an earlier window says nothing about the current one.
    if (h.resetAt !== undefined && this.resetAt !== undefined && h.resetAt < this.resetAt) return;
    // Requests still in flight may be counted after this response; assume the worst.
    const estimate = h.remaining - this.inFlight;
    const newWindow = h.resetAt !== undefined && (this.resetAt === undefined || h.resetAt > this.resetAt);
    if (this.limit === undefined || newWindow) this.remaining = estimate;
    else this.remaining = Math.min(this.remaining, estimate);
    this.limit = h.limit;
    if (h.resetAt !== undefined && (this.resetAt === undefined || h.resetAt >= this.resetAt))
      this.resetAt = h.resetAt;
  }

  private onRateLimited(resetAt: number | undefined): void {
    const now = this.clock.now();
    const until =
      resetAt !== undefined && resetAt > now ? resetAt : now + (this.options.fallbackWaitMs ?? 1000);
    this.blockedUntil = Math.max(this.blockedUntil, until + this.jitter());
    // Nothing is left, and the units held by calls not yet sent are not covered either.
    this.remaining = Math.min(this.remaining, -this.inFlight);
  }

  private waitForChange(signal?: AbortSignal): Promise<void> {
    // A bounded wait: wake on the next release, or after 100 ms in case a release was missed.
    return new Promise<void>((resolve, reject) => {
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(finish, 100);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.wakers.push(finish);
    });
  }
}
