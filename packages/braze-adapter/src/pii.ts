import { PiiFieldError } from "./errors.js";

/** The PII export fields that are plain standard profile attributes (names, contact, birth date, city). */
export const PII_PROFILE_ATTRIBUTES: readonly string[] = [
  "email",
  "phone",
  "first_name",
  "last_name",
  "dob",
  "home_city",
];

/** `fields_to_export` values that carry personal data (names, contact, birth date, location, devices, aliases). */
export const PII_EXPORT_FIELDS: ReadonlySet<string> = new Set([
  ...PII_PROFILE_ATTRIBUTES,
  "last_coordinates",
  "devices",
  "push_tokens",
  // Alias names are often e-mail addresses.
  "user_aliases",
]);

/** Every field Braze accepts in `fields_to_export` (unknown names are refused too: a typo is not an allow-list). */
export const EXPORT_FIELDS: ReadonlySet<string> = new Set([
  "apps",
  "attributed_campaign",
  "attributed_source",
  "attributed_adgroup",
  "attributed_ad",
  "braze_id",
  "campaigns_received",
  "canvases_received",
  "cards_clicked",
  "country",
  "created_at",
  "custom_attributes",
  "custom_events",
  "devices",
  "dob",
  "email",
  "email_subscribe",
  "external_id",
  "first_name",
  "gender",
  "home_city",
  "language",
  "last_coordinates",
  "last_name",
  "phone",
  "purchases",
  "push_subscribe",
  "push_tokens",
  "random_bucket",
  "time_zone",
  "total_revenue",
  "uninstalled_at",
  "user_aliases",
]);

/**
 * Checks an export allow-list before any request: it must be given and non-empty, hold only known fields, and no
 * PII field. Throws PiiFieldError (PII) or a TypeError-like BrazeValidationError via the caller.
 */
export function assertExportFields(fields: readonly string[] | undefined): string[] {
  if (!fields || fields.length === 0) {
    throw new PiiFieldError(["<missing fields_to_export: an explicit allow-list is required>"]);
  }
  const pii = fields.filter((f) => PII_EXPORT_FIELDS.has(f));
  if (pii.length > 0) throw new PiiFieldError(pii);
  const unknown = fields.filter((f) => !EXPORT_FIELDS.has(f));
  if (unknown.length > 0) throw new PiiFieldError(unknown.map((f) => `${f} (not a Braze export field)`));
  return [...new Set(fields)];
}
