// Public API of @kairos/braze-adapter. The fake Braze lives in `@kairos/braze-adapter/testing`.
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
export { type LogFields, type Logger, silentLogger } from "./log.js";
export { assertExportFields, EXPORT_FIELDS, PII_EXPORT_FIELDS } from "./pii.js";
export { type Random, seededRandom } from "./random.js";
export {
  BucketLimiter,
  parseRateLimitHeaders,
  type RateLimitHeaders,
  type RateLimitOptions,
} from "./rate-limit.js";
export { redact } from "./redact.js";
export type { RetryClass, RetryOptions } from "./retry.js";
