import { z } from "zod";

// Responses are loose objects: unknown fields pass through untouched, but every field Kairos reads is typed.

/** Envelope every Braze response carries. */
export const envelopeSchema = z.looseObject({
  message: z.string(),
  errors: z.array(z.unknown()).optional(),
});

/** Response of the three send endpoints. */
export const sendResponseSchema = z.looseObject({
  message: z.string(),
  dispatch_id: z.string(),
  send_id: z.string().optional(),
  /** Set when a paused, stopped or archived Canvas accepted the call but will send nothing. */
  notice: z.string().optional(),
  errors: z.array(z.unknown()).optional(),
});
export type SendResponse = z.infer<typeof sendResponseSchema>;

/** One non-fatal item error of /users/track. */
export const trackItemErrorSchema = z.looseObject({
  type: z.string(),
  input_array: z.enum(["attributes", "events", "purchases"]),
  index: z.number().int().nonnegative(),
});

/** Response of /users/track. */
export const trackResponseSchema = z.looseObject({
  message: z.string(),
  attributes_processed: z.number().optional(),
  events_processed: z.number().optional(),
  purchases_processed: z.number().optional(),
  errors: z.array(z.union([trackItemErrorSchema, z.unknown()])).optional(),
});

const received = z.looseObject({
  name: z.string().optional(),
  first: z.string().optional(),
  last: z.string().optional(),
  count: z.number().optional(),
});

/** A user object from /users/export/ids and the segment export files (only non-PII fields are typed). */
export const exportedUserSchema = z.looseObject({
  external_id: z.string().nullish(),
  braze_id: z.string().optional(),
  random_bucket: z.number().optional(),
  custom_attributes: z.record(z.string(), z.unknown()).optional(),
  custom_events: z.array(received).optional(),
  purchases: z.array(received).optional(),
  email_subscribe: z.string().optional(),
  push_subscribe: z.string().optional(),
  language: z.string().nullish(),
  time_zone: z.string().nullish(),
  country: z.string().nullish(),
  total_revenue: z.number().optional(),
  campaigns_received: z
    .array(
      z.looseObject({
        name: z.string().optional(),
        api_campaign_id: z.string(),
        last_received: z.string(),
        variation_api_id: z.string().optional(),
        variation_name: z.string().optional(),
        in_control: z.boolean().optional(),
      }),
    )
    .optional(),
  canvases_received: z
    .array(
      z.looseObject({
        name: z.string().optional(),
        api_canvas_id: z.string(),
        last_entered: z.string(),
        last_exited: z.string().nullish(),
        variation_name: z.string().optional(),
        in_control: z.boolean().optional(),
      }),
    )
    .optional(),
});
export type ExportedUser = z.infer<typeof exportedUserSchema>;

/** Response of /users/export/ids. */
export const exportIdsResponseSchema = z.looseObject({
  message: z.string(),
  users: z.array(exportedUserSchema),
  invalid_user_ids: z.array(z.string()).optional(),
});

/** Immediate response of /users/export/segment. */
export const exportSegmentResponseSchema = z.looseObject({
  message: z.string(),
  object_prefix: z.string(),
  url: z.string().optional(),
});

const listItem = z.looseObject({
  id: z.string(),
  name: z.string(),
  last_edited: z.string().optional(),
  tags: z.array(z.string()).optional(),
});
/** One campaign of /campaigns/list. */
export const campaignListItemSchema = listItem.extend({ is_api_campaign: z.boolean().optional() });
export type CampaignListItem = z.infer<typeof campaignListItemSchema>;
/** One Canvas of /canvas/list. */
export const canvasListItemSchema = listItem;
export type CanvasListItem = z.infer<typeof canvasListItemSchema>;
/** One segment of /segments/list. */
export const segmentListItemSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  analytics_tracking_enabled: z.boolean().optional(),
  tags: z.array(z.string()).optional(),
});
export type SegmentListItem = z.infer<typeof segmentListItemSchema>;

/** Page responses. */
export const campaignListSchema = z.looseObject({
  message: z.string(),
  campaigns: z.array(campaignListItemSchema),
});
export const canvasListSchema = z.looseObject({
  message: z.string(),
  canvases: z.array(canvasListItemSchema),
});
export const segmentListSchema = z.looseObject({
  message: z.string(),
  segments: z.array(segmentListItemSchema),
});

/** One message variation of a campaign (a map value of `messages`, keyed by message_variation_id). */
export const campaignMessageSchema = z.looseObject({
  channel: z.string(),
  name: z.string().optional(),
  type: z.string().optional(),
  subject: z.string().optional(),
  body: z.string().optional(),
  from: z.string().optional(),
  preheader: z.string().optional(),
});

/** Fields /campaigns/details and /canvas/details share. */
const messagingDetails = z.looseObject({
  message: z.string(),
  name: z.string(),
  archived: z.boolean().optional(),
  draft: z.boolean().optional(),
  enabled: z.boolean().optional(),
  channels: z.array(z.string()).optional(),
});

/** Response of /campaigns/details. */
export const campaignDetailsSchema = messagingDetails.extend({
  tags: z.array(z.string()).optional(),
  messages: z.record(z.string(), campaignMessageSchema).default({}),
  conversion_behaviors: z
    .array(z.looseObject({ type: z.string(), window: z.number().optional() }))
    .optional(),
});
export type CampaignDetails = z.infer<typeof campaignDetailsSchema>;

/** Response of /canvas/details. */
export const canvasDetailsSchema = messagingDetails.extend({
  variants: z
    .array(
      z.looseObject({ name: z.string(), id: z.string(), first_step_ids: z.array(z.string()).optional() }),
    )
    .default([]),
  steps: z
    .array(
      z.looseObject({
        name: z.string(),
        id: z.string(),
        type: z.string().optional(),
        channels: z.array(z.string()).optional(),
        next_step_ids: z.array(z.string()).optional(),
        messages: z.record(z.string(), campaignMessageSchema).optional(),
      }),
    )
    .default([]),
});
export type CanvasDetails = z.infer<typeof canvasDetailsSchema>;

/** Response of /segments/details. */
export const segmentDetailsSchema = z.looseObject({
  message: z.string(),
  name: z.string(),
  description: z.string().nullish(),
  text_description: z.string().nullish(),
  tags: z.array(z.string()).optional(),
});
export type SegmentDetails = z.infer<typeof segmentDetailsSchema>;

const stat = z.number().optional();
/** Per-variation channel stats of a campaign day. */
export const variationStatsSchema = z.looseObject({
  variation_api_id: z.string().optional(),
  variation_name: z.string().optional(),
  sent: stat,
  delivered: stat,
  opens: stat,
  unique_opens: stat,
  clicks: stat,
  unique_clicks: stat,
  unsubscribes: stat,
  bounces: stat,
  revenue: stat,
  unique_recipients: stat,
  conversions: stat,
  conversions_by_send_time: stat,
  enrolled: stat,
});
/** One day of /campaigns/data_series. */
export const campaignDaySchema = z.looseObject({
  time: z.string(),
  messages: z.record(z.string(), z.array(variationStatsSchema)).optional(),
  unique_recipients: stat,
  revenue: stat,
  conversions: stat,
  conversions_by_send_time: stat,
});
export type CampaignDay = z.infer<typeof campaignDaySchema>;
export const campaignSeriesSchema = z.looseObject({ message: z.string(), data: z.array(campaignDaySchema) });

const canvasStats = z.looseObject({
  revenue: stat,
  conversions: stat,
  conversions_by_entry_time: stat,
  entries: stat,
});
/** One day of /canvas/data_series. */
export const canvasDaySchema = z.looseObject({
  time: z.string(),
  total_stats: canvasStats.optional(),
  variant_stats: z.record(z.string(), canvasStats.extend({ name: z.string().optional() })).optional(),
  step_stats: z.record(z.string(), z.looseObject({ name: z.string().optional() })).optional(),
});
export type CanvasDay = z.infer<typeof canvasDaySchema>;
export const canvasSeriesSchema = z.looseObject({
  message: z.string(),
  data: z.looseObject({ name: z.string().optional(), stats: z.array(canvasDaySchema) }),
});

/** One day of /segments/data_series (sizes are estimates). */
export const segmentDaySchema = z.looseObject({ time: z.string(), size: z.number() });
export type SegmentDay = z.infer<typeof segmentDaySchema>;
export const segmentSeriesSchema = z.looseObject({ message: z.string(), data: z.array(segmentDaySchema) });

/** Response of /templates/email/create. */
export const templateCreateSchema = z.looseObject({ message: z.string(), email_template_id: z.string() });

/** Response of /templates/email/info; `tags` is documented as a string but is an array in practice: both parse. */
export const templateInfoSchema = z.looseObject({
  email_template_id: z.string(),
  template_name: z.string(),
  description: z.string().nullish(),
  subject: z.string().nullish(),
  preheader: z.string().nullish(),
  body: z.string().nullish(),
  plaintext_body: z.string().nullish(),
  should_inline_css: z.boolean().nullish(),
  tags: z
    .union([z.array(z.string()), z.string()])
    .nullish()
    .transform((t) => (t == null ? [] : typeof t === "string" ? (t ? t.split(/\s*,\s*/) : []) : t)),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
});
export type TemplateInfo = z.infer<typeof templateInfoSchema>;

/** One row of /templates/email/list. */
export const templateListItemSchema = z.looseObject({
  email_template_id: z.string(),
  template_name: z.string(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
  tags: z.union([z.array(z.string()), z.string()]).nullish(),
});
export type TemplateListItem = z.infer<typeof templateListItemSchema>;
export const templateListSchema = z.looseObject({
  count: z.number(),
  templates: z.array(templateListItemSchema),
});
