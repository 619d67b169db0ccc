/** Names of Braze's rate-limit buckets (each one gets its own limiter in the client and in the fake). */
export type BucketName = "default" | "users_track" | "users_export_ids" | "campaigns_data_series";

/** The documented default limits, used by the fake unless configured otherwise. */
export const DEFAULT_BUCKET_LIMITS: Readonly<Record<BucketName, { limit: number; windowMs: number }>> = {
  // Shared pool for every endpoint without its own limit (lists, details, templates, exports, sends to users).
  default: { limit: 250_000, windowMs: 3_600_000 },
  users_track: { limit: 3_000, windowMs: 3_000 },
  // Workspaces onboarded after 2024-08-22 get 250/min.
  users_export_ids: { limit: 250, windowMs: 60_000 },
  campaigns_data_series: { limit: 50_000, windowMs: 60_000 },
};

/** Which bucket a request path draws from (broadcast sends are never made by Kairos, so they are not modelled). */
export function bucketFor(path: string): BucketName {
  switch (path) {
    case "/users/track":
      return "users_track";
    case "/users/export/ids":
      return "users_export_ids";
    case "/campaigns/data_series":
      return "campaigns_data_series";
    default:
      return "default";
  }
}
