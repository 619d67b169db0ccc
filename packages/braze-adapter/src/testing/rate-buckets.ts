import { type BucketName, DEFAULT_BUCKET_LIMITS } from "../buckets.js";

/** Server-side fixed-window counters, one per bucket, on the wall clock. */
export class ServerBuckets {
  private readonly windows = new Map<BucketName, { start: number; used: number }>();
  /** Requests refused because the bucket was already empty (a client that honours the headers never causes one). */
  readonly violations: { bucket: BucketName; at: number; path: string }[] = [];

  constructor(
    private readonly limits: Partial<Record<BucketName, { limit: number; windowMs: number }>> = {},
  ) {}

  private config(b: BucketName) {
    return this.limits[b] ?? DEFAULT_BUCKET_LIMITS[b];
  }

  private window(b: BucketName, now: number) {
    const { windowMs } = this.config(b);
    const start = Math.floor(now / windowMs) * windowMs;
    let w = this.windows.get(b);
    if (!w || w.start !== start) {
      w = { start, used: 0 };
      this.windows.set(b, w);
    }
    return w;
  }

  /** Counts one request; `ok` is false when the bucket was already empty. */
  take(b: BucketName, now: number, path: string): { ok: boolean; headers: Record<string, string> } {
    const w = this.window(b, now);
    const { limit } = this.config(b);
    const ok = w.used < limit;
    if (ok) w.used++;
    else this.violations.push({ bucket: b, at: now, path });
    return { ok, headers: this.headers(b, now) };
  }

  /** Uses up what is left of the bucket's current window, as another consumer of the workspace would. */
  exhaust(b: BucketName, now: number): void {
    this.window(b, now).used = this.config(b).limit;
  }

  /** Headers of an empty bucket for the current window (used by injected 429s). */
  emptyHeaders(b: BucketName, now: number): Record<string, string> {
    return { ...this.headers(b, now), "x-ratelimit-remaining": "0" };
  }

  /** X-RateLimit-* headers for the bucket now (reset in epoch seconds, rounded up). */
  headers(b: BucketName, now: number): Record<string, string> {
    const w = this.window(b, now);
    const { limit, windowMs } = this.config(b);
    return {
      "x-ratelimit-limit": String(limit),
      "x-ratelimit-remaining": String(Math.max(0, limit - w.used)),
      "x-ratelimit-reset": String(Math.ceil((w.start + windowMs) / 1000)),
    };
  }
}
