import type { Rng } from "@kairos/core";

/** Retry bounds for one client. */
export interface RetryOptions {
  /** Retries after 5xx or network errors on calls that are safe to repeat (default 4). */
  maxRetries?: number;
  /** Retries after 429 (always safe: Braze processes nothing on a fatal error) (default 8). */
  maxRateLimitRetries?: number;
  /** First backoff in ms (default 200); doubles each retry. */
  baseDelayMs?: number;
  /** Ceiling of one backoff in ms (default 10 000). */
  maxDelayMs?: number;
}

/**
 * Whether a call may be repeated after an ambiguous failure. `idempotent`: reads and plain sets.
 * `unsafe`: sends, event tracking and template creation, where a repeat after an ambiguous failure could
 * duplicate; those are retried only when the failure proves nothing was processed (429, 502, 503, refused).
 */
export type RetryClass = "idempotent" | "unsafe";

/** "Full jitter" exponential backoff: uniform in [0, min(max, base * 2^attempt)]. */
export function backoffDelay(attempt: number, options: RetryOptions, rng: Rng): number {
  const base = options.baseDelayMs ?? 200;
  const cap = options.maxDelayMs ?? 10_000;
  const ceiling = Math.min(cap, base * 2 ** attempt);
  // Keep a floor of half the ceiling so a retry never fires immediately after a failure.
  return ceiling / 2 + (rng.next() * ceiling) / 2;
}

/** 5xx statuses that prove the request never reached Braze's processing (502: before the server; 503: no capacity). */
export function isNotProcessedStatus(status: number): boolean {
  return status === 502 || status === 503;
}

/** Network error codes that prove no byte of the request was accepted. */
export function isConnectFailure(code: string | undefined): boolean {
  return (
    code === "ECONNREFUSED" ||
    code === "ENOTFOUND" ||
    code === "EAI_AGAIN" ||
    code === "UND_ERR_CONNECT_TIMEOUT"
  );
}

/** Error codes of undici's headers and body timeouts (a dispatcher's `headersTimeout` / `bodyTimeout`). */
export function isTimeoutCode(code: string | undefined): boolean {
  return code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT";
}
