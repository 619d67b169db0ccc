import { KairosError } from "@kairos/core";

/** What went wrong, coarsely: programs branch on this. */
export type BrazeErrorKind =
  | "auth"
  | "permission"
  | "validation"
  | "not_found"
  | "rate_limit"
  | "server"
  | "network"
  | "timeout"
  | "aborted"
  | "response_shape"
  | "pii"
  | "export_in_progress"
  | "export_failed";

/** Details a Braze error carries. */
export interface BrazeErrorDetails {
  /** Request path, e.g. `/users/track` (never the full URL with a query string). */
  endpoint?: string;
  /** HTTP status, when a response arrived. */
  status?: number;
  /** Braze's `message` field (redacted). */
  brazeMessage?: string;
  /** Braze's `errors` array (redacted). */
  errors?: unknown[];
  /** True when the request may have been processed although no success was seen (network failure, 500, 504). */
  outcomeUnknown?: boolean;
  /** Attempts made before giving up. */
  attempts?: number;
  cause?: unknown;
}

/** Base of every error the adapter throws (a KairosError); `code` is `braze_<kind>`. Messages never hold the API key. */
export class BrazeError extends KairosError {
  readonly endpoint?: string;
  readonly status?: number;
  readonly brazeMessage?: string;
  readonly errors: unknown[];
  readonly outcomeUnknown: boolean;
  readonly attempts?: number;
  constructor(
    readonly kind: BrazeErrorKind,
    message: string,
    details: BrazeErrorDetails = {},
  ) {
    super(`braze_${kind}`, message);
    if (details.cause !== undefined) this.cause = details.cause;
    this.endpoint = details.endpoint;
    this.status = details.status;
    this.brazeMessage = details.brazeMessage;
    this.errors = details.errors ?? [];
    this.outcomeUnknown = details.outcomeUnknown ?? false;
    this.attempts = details.attempts;
  }
}

/** 401: invalid key, wrong instance or a quoted key. */
export class BrazeAuthError extends BrazeError {
  constructor(message: string, details: BrazeErrorDetails = {}) {
    super("auth", message, details);
  }
}

/** 403: the key lacks the endpoint's permission, or the plan does not allow the call. */
export class BrazePermissionError extends BrazeError {
  constructor(message: string, details: BrazeErrorDetails = {}) {
    super("permission", message, details);
  }
}

/** 400 (and other 4xx) from Braze, or a request refused locally before sending because it breaks a documented bound. */
export class BrazeValidationError extends BrazeError {
  constructor(message: string, details: BrazeErrorDetails = {}) {
    super(details.status === 404 ? "not_found" : "validation", message, details);
  }
}

/** 429 that outlived the retry budget; `resetAt` is when the bucket refills (ms epoch). */
export class BrazeRateLimitError extends BrazeError {
  constructor(
    message: string,
    readonly resetAt: number | undefined,
    details: BrazeErrorDetails = {},
  ) {
    super("rate_limit", message, details);
  }
}

/** 5xx that outlived the retry budget, or was not retried because retrying could duplicate a send. */
export class BrazeServerError extends BrazeError {
  constructor(message: string, details: BrazeErrorDetails = {}) {
    super("server", message, details);
  }
}

/** The connection failed (reset, refused, closed) or the per-call timeout fired. */
export class BrazeNetworkError extends BrazeError {
  constructor(
    message: string,
    details: BrazeErrorDetails = {},
    kind: "network" | "timeout" | "aborted" = "network",
  ) {
    super(kind, message, details);
  }
}

/** A 2xx response whose body does not have the fields Kairos reads. */
export class BrazeResponseError extends BrazeError {
  constructor(message: string, details: BrazeErrorDetails = {}) {
    super("response_shape", message, details);
  }
}

/** An export asked for personal data; raised before any request is made. */
export class PiiFieldError extends BrazeError {
  constructor(readonly fields: readonly string[]) {
    super(
      "pii",
      `fields_to_export must not contain personal data; refused: ${fields.join(", ")}. ` +
        "List only non-PII fields (e.g. external_id, braze_id, random_bucket, custom_attributes).",
    );
  }
}

/** A segment already has an export running (Braze answers 429 with budget left); not retried. */
export class ExportInProgressError extends BrazeError {
  constructor(message: string, details: BrazeErrorDetails = {}) {
    super("export_in_progress", message, details);
  }
}
