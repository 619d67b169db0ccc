// Public API of @kairos/braze-adapter. The fake Braze lives in `@kairos/braze-adapter/testing`.

export {
  type ActivatableDecision,
  type ActivationOutcome,
  type ActivationRequest,
  Activator,
  type ActivatorOptions,
  type ActivatorStats,
  ledgerEntries,
} from "./activator/activator.js";
export {
  type ActivationMapping,
  type BrazeTarget,
  DECISION_ID_PROPERTY,
  planFor,
} from "./activator/mapping.js";
export { reconcile, type Verdict } from "./activator/reconcile.js";
export { dueTime, isValidTimeZone, type TimingOptions, zonedTime } from "./activator/schedule.js";
export { chunk, chunkTrack, LIMITS, type SeriesWindow, splitSeries } from "./batching.js";
export { type BucketName, bucketFor, DEFAULT_BUCKET_LIMITS } from "./buckets.js";
export { BrazeClient } from "./client/client.js";
export type { BrazeCall, DryRunRecord, TransportStats } from "./client/http.js";
export { BrazeTransport } from "./client/http.js";
export type { BrazeClientOptions, CallOptions } from "./client/options.js";
export { type Clock, ManualClock, systemClock } from "./clock.js";
export type { ChunkOutcome, SendResult } from "./endpoints/messaging.js";
export type * from "./endpoints/schemas.js";
export type * from "./endpoints/types.js";
export type { SegmentExportOptions, TrackItemError, TrackOptions, TrackResult } from "./endpoints/users.js";
export {
  BrazeAuthError,
  BrazeError,
  type BrazeErrorDetails,
  type BrazeErrorKind,
  BrazeNetworkError,
  BrazePermissionError,
  BrazeRateLimitError,
  BrazeResponseError,
  BrazeServerError,
  BrazeValidationError,
  ExportInProgressError,
  PiiFieldError,
} from "./errors.js";
export { MultiRowInsert } from "./ledger/multi-row-insert.js";
export { SqliteSendLedger } from "./ledger/sqlite.js";
export type {
  Confirmation,
  DecisionSummary,
  LedgerEntry,
  LedgerStatus,
  NewLedgerEntry,
  SendLedger,
  SendPlan,
} from "./ledger/types.js";
export { type LogFields, type Logger, silentLogger } from "./log.js";
export { assertExportFields, EXPORT_FIELDS, PII_EXPORT_FIELDS } from "./pii.js";
export {
  BucketLimiter,
  parseRateLimitHeaders,
  type RateLimitHeaders,
  type RateLimitOptions,
} from "./rate-limit.js";
export { redact } from "./redact.js";
export type { RetryClass, RetryOptions } from "./retry.js";
export {
  addPlaceholders,
  type CopyTemplateOptions,
  copyTemplateWithPlaceholders,
  type LiquidScope,
  liquidPlaceholder,
  type PlaceholderRule,
  refreshTemplateCopy,
} from "./templates.js";
