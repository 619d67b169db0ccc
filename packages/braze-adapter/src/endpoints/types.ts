// Request bodies of the 19 endpoints, as documented (field names are Braze's).

/** `{alias_name, alias_label}`. */
export interface UserAlias {
  alias_name: string;
  alias_label: string;
}

/** The ways /users/track objects name their user (one of them is required by Braze). */
export interface UserIdentifiers {
  external_id?: string;
  user_alias?: UserAlias;
  braze_id?: string;
  email?: string;
  phone?: string;
}

/** Profile attributes for /users/track and the `attributes` of a trigger recipient. */
export interface AttributesObject extends UserIdentifiers {
  _update_existing_only?: boolean;
  [attribute: string]: unknown;
}

/** A custom event for /users/track. */
export interface EventObject extends UserIdentifiers {
  app_id?: string;
  name: string;
  /** ISO 8601. */
  time: string;
  properties?: Record<string, unknown>;
  _update_existing_only?: boolean;
}

/** A purchase for /users/track. */
export interface PurchaseObject extends UserIdentifiers {
  app_id?: string;
  product_id: string;
  currency: string;
  price: number;
  quantity?: number;
  time: string;
  properties?: Record<string, unknown>;
  _update_existing_only?: boolean;
}

/** Body of POST /users/track. */
export interface TrackRequest {
  attributes?: AttributesObject[];
  events?: EventObject[];
  purchases?: PurchaseObject[];
}

/** Body of POST /users/export/ids (`fields_to_export` is mandatory here: it is the PII allow-list). */
export interface ExportIdsRequest {
  external_ids?: string[];
  user_aliases?: UserAlias[];
  device_id?: string;
  braze_id?: string;
  email_address?: string;
  phone?: string;
  fields_to_export: string[];
}

/** Body of POST /users/export/segment. */
export interface ExportSegmentRequest {
  segment_id: string;
  fields_to_export: string[];
  custom_attributes_to_export?: string[];
  callback_endpoint?: string;
  output_format?: "zip" | "gzip";
}

/** A Connected Audience filter tree. */
export type ConnectedAudience = Record<string, unknown>;

/** Body of POST /messages/send (explicit users; at most 50 ids plus aliases per request). */
export interface MessagesSendRequest {
  external_user_ids?: string[];
  user_aliases?: UserAlias[];
  segment_id?: string;
  audience?: ConnectedAudience;
  broadcast?: boolean;
  campaign_id?: string;
  send_id?: string;
  override_frequency_capping?: boolean;
  recipient_subscription_state?: "opted_in" | "subscribed" | "all";
  /** Channel objects keyed by channel (`email`, `sms`, `apple_push`, …); each may carry `message_variation_id`. */
  messages: Record<string, Record<string, unknown> & { message_variation_id?: string }>;
}

/** One recipient of a trigger send: exactly one identifier. */
export interface TriggerRecipient {
  external_user_id?: string;
  user_alias?: UserAlias;
  email?: string;
  braze_id?: string;
  prioritization?: string[];
  send_to_existing_only?: boolean;
  attributes?: AttributesObject;
  /** Campaigns only. */
  trigger_properties?: Record<string, unknown>;
  /** Canvases: the newest name. */
  context?: Record<string, unknown>;
  /** Canvases: the older name, still accepted. */
  canvas_entry_properties?: Record<string, unknown>;
}

/** Body of POST /campaigns/trigger/send. */
export interface CampaignTriggerRequest {
  campaign_id: string;
  send_id?: string;
  trigger_properties?: Record<string, unknown>;
  broadcast?: boolean;
  audience?: ConnectedAudience;
  recipients?: TriggerRecipient[];
  attachments?: { file_name: string; url: string }[];
}

/** Body of POST /canvas/trigger/send. */
export interface CanvasTriggerRequest {
  canvas_id: string;
  context?: Record<string, unknown>;
  canvas_entry_properties?: Record<string, unknown>;
  broadcast?: boolean;
  audience?: ConnectedAudience;
  recipients?: TriggerRecipient[];
}

/** Query of the campaign and Canvas list endpoints. */
export interface ListQuery {
  include_archived?: boolean;
  sort_direction?: "asc" | "desc";
  /** `yyyy-MM-DDTHH:mm:ss`: only objects edited after this time. */
  last_edit_after?: string;
}

/** A date range for data_series; split into the endpoint's allowed lengths. */
export interface SeriesRange {
  /** Last instant covered (default: now). */
  endingAt?: Date;
  /** Days to cover, any positive number (split as needed). */
  days: number;
}

/** Body of POST /templates/email/create. */
export interface TemplateCreateRequest {
  template_name: string;
  subject: string;
  body: string;
  plaintext_body?: string;
  preheader?: string;
  tags?: string[];
  should_inline_css?: boolean;
}

/** Body of POST /templates/email/update: the id plus at least one field. */
export interface TemplateUpdateRequest extends Partial<TemplateCreateRequest> {
  email_template_id: string;
}

/** Query of /templates/email/list. */
export interface TemplateListQuery {
  modified_after?: string;
  modified_before?: string;
  /** Page size, 1–1000 (default 100). */
  limit?: number;
}
