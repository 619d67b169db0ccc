import { chunk, jsonBytes, LIMITS } from "../batching.js";
import type { BrazeTransport } from "../client/http.js";
import type { CallOptions } from "../client/options.js";
import { BrazeError, BrazeValidationError } from "../errors.js";
import { type SendResponse, sendResponseSchema } from "./schemas.js";
import type {
  CampaignTriggerRequest,
  CanvasTriggerRequest,
  MessagesSendRequest,
  TriggerRecipient,
} from "./types.js";

/** Result of one accepted send request. */
export interface SendResult {
  /** One per request (for all of its recipients). */
  dispatchId: string;
  sendId?: string;
  /** Braze's warning that nothing will be sent (paused, stopped or archived Canvas). */
  notice?: string;
  raw: SendResponse;
}

/** Outcome of one chunk of a chunked send: which recipients it carried and what happened. */
export interface ChunkOutcome {
  /** Indexes, in the caller's recipient list, of this chunk's recipients. */
  recipients: number[];
  result?: SendResult;
  error?: BrazeError;
}

const fail = (endpoint: string, message: string) => new BrazeValidationError(message, { endpoint });

/** The per-recipient property objects of the trigger endpoints (each may also be given for the whole request). */
type PropertyField = "trigger_properties" | "context" | "canvas_entry_properties";
const PROPERTY_FIELDS: readonly PropertyField[] = [
  "trigger_properties",
  "context",
  "canvas_entry_properties",
];

/**
 * What Braze's documented rules refuse in one trigger recipient, or undefined: it needs exactly one identifier,
 * prioritization with an e-mail, no send_to_existing_only=false with an alias, and at most 50 KB in each property
 * object (the request's own properties under the recipient's, as Braze merges them).
 */
export function recipientProblem(
  r: TriggerRecipient,
  top: Partial<Record<PropertyField, Record<string, unknown>>> = {},
): string | undefined {
  const ids = [r.external_user_id, r.user_alias, r.email, r.braze_id].filter((v) => v !== undefined).length;
  if (ids !== 1) return "needs exactly one identifier";
  if (r.email !== undefined && !r.prioritization?.length) return "an e-mail recipient needs prioritization";
  if (r.user_alias && r.send_to_existing_only === false)
    return "send_to_existing_only=false is not allowed with user_alias";
  for (const field of PROPERTY_FIELDS) {
    if (!top[field] && !r[field]) continue;
    const bytes = jsonBytes({ ...top[field], ...r[field] });
    if (bytes > LIMITS.propertiesBytes) {
      const n = (x: number) => x.toLocaleString("en-US");
      return `${field} hold ${n(bytes)} bytes of JSON; Braze allows 50 KB (${n(LIMITS.propertiesBytes)} bytes)`;
    }
  }
  return undefined;
}

function checkRecipients(
  endpoint: string,
  recipients: readonly TriggerRecipient[],
  top: Parameters<typeof recipientProblem>[1],
): void {
  if (recipients.length > LIMITS.sendRecipients) {
    throw fail(
      endpoint,
      `at most ${LIMITS.sendRecipients} recipients per request (got ${recipients.length}); use the chunked method`,
    );
  }
  recipients.forEach((r, i) => {
    const problem = recipientProblem(r, top);
    if (problem) throw fail(endpoint, `recipients[${i}]: ${problem}`);
  });
}

/** The three send endpoints. Sends are never retried after an ambiguous failure (no idempotency key in Braze). */
export class MessagingApi {
  constructor(private readonly t: BrazeTransport) {}

  /** POST /messages/send for at most 50 explicit users. */
  async send(body: MessagesSendRequest, opts: CallOptions = {}): Promise<SendResult> {
    const path = "/messages/send";
    const n = (body.external_user_ids?.length ?? 0) + (body.user_aliases?.length ?? 0);
    if (n > LIMITS.sendRecipients)
      throw fail(path, `at most ${LIMITS.sendRecipients} ids and aliases per request (got ${n})`);
    if (n === 0 && !body.segment_id && !body.audience)
      throw fail(path, "No Recipients: give ids, aliases, a segment or an audience");
    if (!body.messages || Object.keys(body.messages).length === 0) throw fail(path, "No message to send");
    return this.post(path, body, opts);
  }

  /** /messages/send for any number of external ids, 50 per request. */
  async sendChunked(body: MessagesSendRequest, opts: CallOptions = {}): Promise<ChunkOutcome[]> {
    return this.chunked(
      body.external_user_ids ?? [],
      (ids) => this.send({ ...body, external_user_ids: ids }, opts),
      opts,
    );
  }

  /** POST /campaigns/trigger/send for at most 50 recipients. */
  async triggerCampaign(body: CampaignTriggerRequest, opts: CallOptions = {}): Promise<SendResult> {
    const path = "/campaigns/trigger/send";
    if (!body.campaign_id) throw fail(path, "campaign_id is required");
    checkRecipients(path, body.recipients ?? [], { trigger_properties: body.trigger_properties });
    if (body.broadcast && body.recipients?.length)
      throw fail(path, "broadcast cannot be combined with recipients");
    return this.post(path, body, opts);
  }

  /** /campaigns/trigger/send for any number of recipients, 50 per request. */
  async triggerCampaignChunked(
    body: CampaignTriggerRequest,
    opts: CallOptions = {},
  ): Promise<ChunkOutcome[]> {
    return this.chunked(
      body.recipients ?? [],
      (recipients) => this.triggerCampaign({ ...body, recipients }, opts),
      opts,
    );
  }

  /** POST /canvas/trigger/send for at most 50 recipients; a paused Canvas' `notice` is returned and logged as a warning. */
  async triggerCanvas(body: CanvasTriggerRequest, opts: CallOptions = {}): Promise<SendResult> {
    const path = "/canvas/trigger/send";
    if (!body.canvas_id) throw fail(path, "canvas_id is required");
    checkRecipients(path, body.recipients ?? [], {
      context: body.context,
      canvas_entry_properties: body.canvas_entry_properties,
    });
    if (body.broadcast && body.recipients?.length)
      throw fail(path, "broadcast cannot be combined with recipients");
    return this.post(path, body, opts);
  }

  /** /canvas/trigger/send for any number of recipients, 50 per request. */
  async triggerCanvasChunked(body: CanvasTriggerRequest, opts: CallOptions = {}): Promise<ChunkOutcome[]> {
    return this.chunked(
      body.recipients ?? [],
      (recipients) => this.triggerCanvas({ ...body, recipients }, opts),
      opts,
    );
  }

  /**
   * Splits `items` into chunks of at most 50 and sends each through `sendOne`, in order.
   * A chunk's BrazeError is recorded in its outcome; any other error, or an abort, is thrown.
   */
  private async chunked<T>(
    items: readonly T[],
    sendOne: (some: T[]) => Promise<SendResult>,
    opts: CallOptions,
  ): Promise<ChunkOutcome[]> {
    const groups = chunk(
      items.map((_, i) => i),
      LIMITS.sendRecipients,
    );
    const out: ChunkOutcome[] = [];
    for (const idx of groups) {
      try {
        out.push({ recipients: idx, result: await sendOne(idx.map((i) => items[i])) });
      } catch (error) {
        if (!(error instanceof BrazeError) || opts.signal?.aborted) throw error;
        out.push({ recipients: idx, error });
      }
    }
    return out;
  }

  private async post(path: string, body: object, opts: CallOptions): Promise<SendResult> {
    const raw = await this.t.call(
      { method: "POST", path, body, schema: sendResponseSchema, retry: "unsafe", mutates: true },
      opts,
    );
    if (raw.notice)
      this.t.options.logger.warn("braze notice: the send will not take effect", { path, notice: raw.notice });
    return { dispatchId: raw.dispatch_id, sendId: raw.send_id, notice: raw.notice, raw };
  }
}
