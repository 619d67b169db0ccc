import { randomUUID } from "node:crypto";
import { createRng } from "@kairos/core";
import { Agent, type Dispatcher, request } from "undici";
import type { z } from "zod";
import { type BucketName, bucketFor } from "../buckets.js";
import { systemClock } from "../clock.js";
import { Semaphore } from "../concurrency.js";
import {
  BrazeAuthError,
  BrazeNetworkError,
  BrazePermissionError,
  BrazeRateLimitError,
  BrazeResponseError,
  BrazeServerError,
  BrazeValidationError,
  ExportInProgressError,
} from "../errors.js";
import { silentLogger } from "../log.js";
import { BucketLimiter, parseRateLimitHeaders, type RateLimitHeaders } from "../rate-limit.js";
import { redact, redactDeep } from "../redact.js";
import {
  backoffDelay,
  isConnectFailure,
  isNotProcessedStatus,
  isTimeoutCode,
  type RetryClass,
} from "../retry.js";
import type { BrazeClientOptions, CallOptions, ResolvedOptions } from "./options.js";

/** One HTTP call to Braze, described independently of transport. */
export interface BrazeCall<T> {
  method: "GET" | "POST";
  /** The API path under the base URL; with `url`, only the name logs and errors show. */
  path: string;
  /**
   * An absolute URL outside the API (a pre-signed export file), fetched instead of `path`: without the API key and
   * outside the rate buckets. Its query string (the signature) is never logged.
   */
  url?: string;
  /** Resolve to the body's bytes (a Buffer, checked by `schema`) instead of parsed JSON. */
  raw?: boolean;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  schema: z.ZodType<T>;
  retry: RetryClass;
  /** Changes state in Braze (sends, tracking, templates): skipped in dry-run mode. Reads, exports included, go out. */
  mutates?: boolean;
  /** For dry-run: the synthetic response of a mutating call (GETs always go out). */
  dryRunResponse?: () => unknown;
}

/** A dry-run record: what would have been sent. */
export interface DryRunRecord {
  method: string;
  path: string;
  body: unknown;
}

/** Counters kept by the transport, for tests and dashboards. */
export interface TransportStats {
  requests: number;
  retries: number;
  rateLimited: number;
  serverErrors: number;
  networkErrors: number;
}

type Outcome =
  | { kind: "response"; status: number; json: unknown; text: string; limits: RateLimitHeaders }
  | { kind: "error"; error: unknown; code?: string; timedOut: boolean; aborted: boolean };

/** Transport: auth, timeouts, concurrency, per-bucket rate limiting, retries and typed errors. */
export class BrazeTransport {
  readonly options: ResolvedOptions;
  private readonly dispatcher: Dispatcher;
  /** Whether the dispatcher was made here (and is closed here) rather than passed by the caller. */
  private readonly ownsDispatcher: boolean;
  private readonly semaphore: Semaphore;
  private readonly limiters = new Map<BucketName, BucketLimiter>();
  /** Mutating calls skipped in dry-run mode, in order. */
  readonly dryRunLog: DryRunRecord[] = [];
  readonly stats: TransportStats = {
    requests: 0,
    retries: 0,
    rateLimited: 0,
    serverErrors: 0,
    networkErrors: 0,
  };
  private dryRunSeq = 0;

  constructor(options: BrazeClientOptions) {
    if (!options.baseUrl) throw new BrazeValidationError("baseUrl is required");
    if (!options.apiKey) throw new BrazeValidationError("apiKey is required");
    this.options = {
      baseUrl: options.baseUrl.replace(/\/+$/, ""),
      apiKey: options.apiKey,
      timeoutMs: options.timeoutMs ?? 30_000,
      maxConcurrency: options.maxConcurrency ?? 8,
      retry: options.retry ?? {},
      rateLimit: options.rateLimit ?? {},
      limiterFor: options.limiterFor,
      trackObjectLimit: options.trackObjectLimit ?? 75,
      dryRun: options.dryRun ?? false,
      logger: options.logger ?? silentLogger,
      clock: options.clock ?? systemClock,
      rng: options.rng ?? createRng(randomUUID()),
    };
    this.semaphore = new Semaphore(this.options.maxConcurrency);
    this.ownsDispatcher = options.dispatcher === undefined;
    this.dispatcher =
      options.dispatcher ?? new Agent({ connections: this.options.maxConcurrency, keepAliveTimeout: 4_000 });
  }

  /** The limiter of one bucket (created on first use). */
  limiter(bucket: BucketName): BucketLimiter {
    let l = this.limiters.get(bucket);
    if (!l) {
      l =
        this.options.limiterFor?.(bucket) ??
        new BucketLimiter(bucket, this.options.clock, this.options.rng, this.options.rateLimit);
      this.limiters.set(bucket, l);
    }
    return l;
  }

  /** Closes pooled connections (a dispatcher passed by the caller is left to the caller). */
  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  /** Performs one call with the full retry policy; resolves to the validated body. */
  async call<T>(call: BrazeCall<T>, opts: CallOptions = {}): Promise<T> {
    if (this.options.dryRun && call.mutates) return this.dryRun(call);
    const bucket = call.url === undefined ? bucketFor(call.path) : undefined;
    const limiter = bucket && this.limiter(bucket);
    const retry = this.options.retry;
    let attempt = 0;
    let rateLimitRetries = 0;
    let otherRetries = 0;
    for (;;) {
      attempt++;
      const outcome = await this.attempt(call, limiter, opts);
      if (outcome.kind === "error") {
        this.stats.networkErrors++;
        if (outcome.aborted) {
          throw new BrazeNetworkError(
            `${call.path}: aborted by the caller`,
            {
              endpoint: call.path,
              outcomeUnknown: call.retry === "unsafe",
              attempts: attempt,
              cause: outcome.error,
            },
            "aborted",
          );
        }
        const safe = call.retry === "idempotent" || isConnectFailure(outcome.code);
        const what = outcome.timedOut ? "timed out" : `network error (${outcome.code ?? "unknown"})`;
        if (safe && otherRetries < (retry.maxRetries ?? 4)) {
          await this.backoff(call, ++otherRetries, what, opts);
          continue;
        }
        throw new BrazeNetworkError(
          `${call.path}: ${what}${safe ? " after retries" : "; not retried because the request may have been processed"}`,
          { endpoint: call.path, outcomeUnknown: !safe, attempts: attempt },
          outcome.timedOut ? "timeout" : "network",
        );
      }
      const { status, json, limits } = outcome;
      if (status >= 200 && status < 300) return this.validate(call, json, status);
      const env = this.envelope(json, outcome.text);
      const details = {
        endpoint: call.path,
        status,
        brazeMessage: env.message,
        errors: env.errors,
        attempts: attempt,
      };
      if (status === 429 && limiter) {
        this.stats.rateLimited++;
        if (isExportBusy(call, status, limits)) {
          throw new ExportInProgressError(
            `${call.path}: an export of this segment is already running`,
            details,
          );
        }
        if (rateLimitRetries < (retry.maxRateLimitRetries ?? 8)) {
          rateLimitRetries++;
          this.stats.retries++;
          this.options.logger.warn("braze rate limited; waiting for reset", {
            path: call.path,
            bucket,
            resetAt: limits.resetAt,
          });
          continue; // the limiter now blocks until the reset time plus jitter
        }
        throw new BrazeRateLimitError(`${call.path}: rate limited (${env.message})`, limits.resetAt, details);
      }
      if (status >= 500) {
        this.stats.serverErrors++;
        const safe = call.retry === "idempotent" || isNotProcessedStatus(status);
        if (safe && otherRetries < (retry.maxRetries ?? 4)) {
          await this.backoff(call, ++otherRetries, `HTTP ${status}`, opts);
          continue;
        }
        throw new BrazeServerError(`${call.path}: HTTP ${status} ${env.message}`, {
          ...details,
          outcomeUnknown: !safe,
        });
      }
      throw this.clientError(status, `${call.path}: HTTP ${status} ${env.message}`, details);
    }
  }

  private async backoff(
    call: BrazeCall<unknown>,
    retryNo: number,
    why: string,
    opts: CallOptions,
  ): Promise<void> {
    this.stats.retries++;
    const delay = backoffDelay(retryNo - 1, this.options.retry, this.options.rng);
    this.options.logger.debug("braze retry", {
      path: call.path,
      why,
      retry: retryNo,
      delayMs: Math.round(delay),
    });
    await this.options.clock.sleep(delay, opts.signal);
  }

  private clientError(
    status: number,
    message: string,
    details: ConstructorParameters<typeof BrazeAuthError>[1],
  ) {
    if (status === 401) return new BrazeAuthError(message, details);
    if (status === 403) return new BrazePermissionError(message, details);
    return new BrazeValidationError(message, details);
  }

  /**
   * One request: a unit of the bucket (if it has one), then a connection slot. The bucket is asked again once the
   * slot is held, since a 429 may have come back while the call queued for it; the limiter learns of each response
   * before the slot passes to the next queued call.
   */
  private async attempt(
    call: BrazeCall<unknown>,
    limiter: BucketLimiter | undefined,
    opts: CallOptions,
  ): Promise<Outcome> {
    for (;;) {
      await limiter?.acquire(opts.signal);
      try {
        await this.semaphore.acquire(opts.signal);
      } catch (e) {
        limiter?.cancel();
        throw e;
      }
      if (!limiter || limiter.open()) break;
      this.semaphore.release();
      limiter.cancel();
    }
    let outcome: Outcome | undefined;
    try {
      outcome = await this.once(call, opts);
      return outcome;
    } finally {
      if (outcome?.kind === "response") {
        const { status, limits } = outcome;
        limiter?.release(limits, isExportBusy(call, status, limits) ? undefined : status);
      } else limiter?.release();
      this.semaphore.release();
    }
  }

  private async once(call: BrazeCall<unknown>, opts: CallOptions): Promise<Outcome> {
    const timeout = AbortSignal.timeout(opts.timeoutMs ?? this.options.timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    const url = call.url ?? this.url(call);
    const started = Date.now();
    this.stats.requests++;
    try {
      const res = await request(url, {
        method: call.method,
        dispatcher: this.dispatcher,
        signal,
        // The key goes to Braze's API only, never to a file URL.
        headers: call.url
          ? {}
          : {
              authorization: `Bearer ${this.options.apiKey}`,
              accept: "application/json",
              ...(call.method === "POST" ? { "content-type": "application/json" } : {}),
            },
        body: call.method === "POST" ? JSON.stringify(call.body ?? {}) : undefined,
      });
      const bytes = Buffer.from(await res.body.arrayBuffer());
      const keepBytes = call.raw && res.statusCode >= 200 && res.statusCode < 300;
      const text = keepBytes ? "" : bytes.toString("utf8");
      let json: unknown = bytes;
      if (!keepBytes) {
        try {
          json = text ? JSON.parse(text) : {};
        } catch {
          json = undefined;
        }
      }
      this.options.logger.debug("braze response", {
        method: call.method,
        path: call.path,
        status: res.statusCode,
        ms: Date.now() - started,
      });
      return {
        kind: "response",
        status: res.statusCode,
        json,
        text,
        limits: parseRateLimitHeaders(res.headers),
      };
    } catch (error) {
      const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code;
      this.options.logger.debug("braze network error", { method: call.method, path: call.path, code });
      return {
        kind: "error",
        error: redact(String(error), [this.options.apiKey]),
        code,
        // Our per-attempt deadline, or the dispatcher's own headers or body timeout.
        timedOut: (timeout.aborted && !opts.signal?.aborted) || isTimeoutCode(code),
        aborted: opts.signal?.aborted ?? false,
      };
    }
  }

  private url(call: BrazeCall<unknown>): string {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(call.query ?? {})) if (v !== undefined) qs.set(k, String(v));
    const q = qs.toString();
    return `${this.options.baseUrl}${call.path}${q ? `?${q}` : ""}`;
  }

  private envelope(json: unknown, text: string): { message: string; errors: unknown[] } {
    const secrets = [this.options.apiKey];
    if (json && typeof json === "object") {
      const o = json as { message?: unknown; errors?: unknown };
      return {
        message: redact(typeof o.message === "string" ? o.message : "", secrets),
        errors: Array.isArray(o.errors) ? (redactDeep(o.errors, secrets) as unknown[]) : [],
      };
    }
    // Non-JSON bodies (an HTML 502 page) keep a short, redacted excerpt.
    return { message: redact(text.slice(0, 200).replace(/\s+/g, " ").trim(), secrets), errors: [] };
  }

  private validate<T>(call: BrazeCall<T>, json: unknown, status: number): T {
    const parsed = call.schema.safeParse(json);
    if (parsed.success) return parsed.data;
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new BrazeResponseError(`${call.path}: unexpected response shape: ${issues}`, {
      endpoint: call.path,
      status,
    });
  }

  private dryRun<T>(call: BrazeCall<T>): T {
    this.dryRunLog.push({ method: call.method, path: call.path, body: call.body });
    this.options.logger.info("braze dry run: request not sent", { method: call.method, path: call.path });
    const synthetic = call.dryRunResponse?.() ?? {
      message: "success",
      dispatch_id: `dry-run-${++this.dryRunSeq}`,
    };
    return call.schema.parse(synthetic);
  }
}

/** Braze answers 429 to a second export of a running segment while the bucket has budget: not a budget problem. */
function isExportBusy(call: BrazeCall<unknown>, status: number, limits: RateLimitHeaders): boolean {
  return status === 429 && call.path === "/users/export/segment" && (limits.remaining ?? 0) > 0;
}
