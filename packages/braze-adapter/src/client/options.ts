import type { Rng } from "@kairos/core";
import type { Dispatcher } from "undici";
import type { BucketName } from "../buckets.js";
import type { Clock } from "../clock.js";
import type { Logger } from "../log.js";
import type { BucketLimiter, RateLimitOptions } from "../rate-limit.js";
import type { RetryOptions } from "../retry.js";

/** Configuration of a BrazeClient. */
export interface BrazeClientOptions {
  /** REST endpoint of the instance, e.g. `https://rest.iad-01.braze.com` (the wrong instance gives 401). */
  baseUrl: string;
  /** REST API key, sent as `Authorization: Bearer`; never logged nor put in errors. */
  apiKey: string;
  /** Per-attempt deadline in ms, from sending the request to the last byte of the response (default 30 000). */
  timeoutMs?: number;
  /** Requests in flight at once across all buckets (default 8). */
  maxConcurrency?: number;
  /**
   * The undici dispatcher for every request, the export download included (default: an Agent with `maxConcurrency`
   * connections, closed by `close()`). A dispatcher passed here is the caller's to close. Its own `headersTimeout`
   * and `bodyTimeout` count as timeouts, like `timeoutMs`.
   */
  dispatcher?: Dispatcher;
  retry?: RetryOptions;
  rateLimit?: RateLimitOptions;
  /**
   * Makes the limiter of a bucket (default: a BucketLimiter of this client's own); processes that share one
   * Braze budget (the runner's distributed mode) pass a limiter backed by their shared store.
   */
  limiterFor?: (bucket: BucketName) => BucketLimiter;
  /** Objects per `/users/track` request, combined over the three arrays (default 75; 50 on MAU SKUs). */
  trackObjectLimit?: number;
  /** Validate and record mutating calls, but send none of them (reads still go out). */
  dryRun?: boolean;
  logger?: Logger;
  /** Clock for backoff and rate-limit waits (default: wall clock). */
  clock?: Clock;
  /** Source of jitter (default: core's generator with a random seed, so clients do not jitter in step). */
  rng?: Rng;
}

/** Options every call accepts. */
export interface CallOptions {
  signal?: AbortSignal;
  /** Overrides the client's per-attempt timeout. */
  timeoutMs?: number;
}

/** Internal resolved options. */
export interface ResolvedOptions {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  maxConcurrency: number;
  retry: RetryOptions;
  rateLimit: RateLimitOptions;
  limiterFor?: (bucket: BucketName) => BucketLimiter;
  trackObjectLimit: number;
  dryRun: boolean;
  logger: Logger;
  clock: Clock;
  rng: Rng;
}
