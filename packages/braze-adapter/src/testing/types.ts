import type { BucketName } from "../buckets.js";

/** One message variation of a fake campaign (or a Canvas step message). */
export interface FakeMessage {
  /** message_variation_id. */
  id: string;
  name?: string;
  channel?: string;
  subject?: string;
  body?: string;
  /** A control variation receives nothing. */
  control?: boolean;
}

/** A campaign the fake knows. */
export interface FakeCampaign {
  id: string;
  name: string;
  /** API-triggered (`/campaigns/trigger/send`) or API campaign (`/messages/send`); default true. */
  apiTriggered?: boolean;
  archived?: boolean;
  tags?: string[];
  variations: FakeMessage[];
  lastEdited?: string;
}

/** A Canvas the fake knows. */
export interface FakeCanvas {
  id: string;
  name: string;
  /** A paused Canvas accepts trigger calls with a `notice` and sends nothing. */
  paused?: boolean;
  archived?: boolean;
  tags?: string[];
  /** Each variant has one entry step with its messages. */
  variants: { id: string; name: string; stepId?: string; stepName?: string; messages: FakeMessage[] }[];
  lastEdited?: string;
}

/** A segment the fake knows, with its members. */
export interface FakeSegment {
  id: string;
  name: string;
  externalIds: string[];
  description?: string;
  tags?: string[];
}

/** Fault injection: shares of requests (drawn in arrival order from a seeded generator). */
export interface FaultOptions {
  /** Share answered 429 (the bucket is then reported empty until its reset). */
  rate429?: number;
  /** Share answered 500 before any processing. */
  rate500?: number;
  /** Share whose connection is destroyed. */
  dropRate?: number;
  /** Of the dropped ones, the share dropped after the request was processed (outcome unknown to the client). Default 0.5. */
  dropAfterProcessingShare?: number;
  /** Share delayed by `slowMs` before processing: the headers come late (a slow Braze). */
  slowRate?: number;
  /** Share processed and answered at once, but whose body stalls for `slowMs` after the headers and half the body. */
  slowBodyRate?: number;
  slowMs?: number;
  /** Paths subject to faults (default: all 19 API paths; list "/exports" to fault export downloads too). */
  paths?: string[];
  /** Seed of the fault generator (default "faults"). */
  seed?: string | number;
}

/** A recorded send to one recipient, with the Liquid context it was rendered with. */
export interface RecordedSend {
  seq: number;
  dispatchId: string;
  endpoint: "/messages/send" | "/campaigns/trigger/send" | "/canvas/trigger/send";
  campaignId?: string;
  canvasId?: string;
  /** message_variation_id (campaigns) or Canvas variant id. */
  variationId?: string;
  channel: string;
  /** The recipient's external id, or `alias:<label>:<name>` for an alias-only profile (see `alias`). */
  externalId: string;
  alias?: { alias_name: string; alias_label: string };
  /** Merged trigger properties / Canvas context (request-level overridden by recipient-level). */
  properties: Record<string, unknown>;
  /** Subject and body after Liquid substitution. */
  rendered: { subject?: string; body?: string };
  /** Time of the send on the fake's clock (ms). */
  at: number;
}

/** Something a customer does in response to a send. */
export type AudienceEvent =
  | { type: "open" | "click" | "unsubscribe"; at: number }
  | { type: "conversion"; at: number; name?: string; properties?: Record<string, unknown> }
  | {
      type: "purchase";
      at: number;
      productId: string;
      price: number;
      currency?: string;
      quantity?: number;
      properties?: Record<string, unknown>;
    };

/**
 * The audience-response interface: given a send, what this customer does and when. A simulated population
 * implements it; the fake then exposes the resulting events through `events()`, `/users/export/ids` and data_series.
 */
export interface AudienceResponder {
  respond(send: RecordedSend): AudienceEvent[] | Promise<AudienceEvent[]>;
}

/** An event as Braze would store it (the /users/track EventObject / PurchaseObject shape). */
export interface EventRecord {
  kind: "event" | "purchase";
  external_id: string;
  /** Event name (`email_open`, `email_click`, `unsubscribe`, a conversion name), or product_id for purchases. */
  name: string;
  /** ISO 8601. */
  time: string;
  /** ms epoch of `time`. */
  at: number;
  properties: Record<string, unknown>;
  price?: number;
  currency?: string;
  quantity?: number;
  /** "audience" (from a send) or "track" (posted to /users/track). */
  source: "audience" | "track";
  /** The send this event answers, when from the audience. */
  sendSeq?: number;
  /** Engagement type, for audience events. */
  type?: AudienceEvent["type"];
}

/** Configuration of the fake. */
export interface FakeBrazeOptions {
  /** The valid API key (default "test-key"). */
  apiKey?: string;
  /** Further keys with their permissions (`users.track`, `campaigns.trigger.send`, …); a missing one gives 403. */
  restrictedKeys?: Record<string, string[]>;
  campaigns?: FakeCampaign[];
  canvases?: FakeCanvas[];
  segments?: FakeSegment[];
  /** Existing users (external ids). */
  users?: string[];
  /**
   * External ids Braze refuses (blocklisted): a send naming one is refused whole with a 400, the way Braze refuses a
   * request with one bad recipient.
   */
  blocklisted?: string[];
  /** Existing alias-only profiles (no external id; sends and exports name them by alias). */
  aliasUsers?: { alias_name: string; alias_label: string }[];
  /** Tags that exist (templates may only use these); default: any tag is accepted. */
  tags?: string[];
  /** Per-bucket limit and window (fixed, clock-aligned windows on the wall clock). */
  rateLimits?: Partial<Record<BucketName, { limit: number; windowMs: number }>>;
  /** /users/track ceiling: 75 per array ("per_array") or combined (default "combined", 75). */
  trackLimit?: { mode: "combined" | "per_array"; limit: number };
  faults?: FaultOptions;
  /** Clock for data timestamps (sends, events, exports' dates, data_series days); default wall clock. */
  clock?: () => number;
  audience?: AudienceResponder;
  /** Time before a segment export's URL serves the files (wall ms, default 200). */
  exportDelayMs?: number;
  /** Users per NDJSON file in an export (default 5 000). */
  usersPerExportFile?: number;
  /** 400 when /users/export/ids has no fields_to_export (newer workspaces); default true. */
  requireFieldsToExport?: boolean;
  /** Send property copied onto audience events for reward joins (default "kairos_decision_id"). */
  decisionIdProperty?: string;
  /** Seed for ids and variation picks (default "fake-braze"). */
  seed?: string | number;
}
