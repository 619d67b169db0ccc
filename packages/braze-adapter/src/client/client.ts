import { CampaignsApi } from "../endpoints/campaigns.js";
import { CanvasApi } from "../endpoints/canvas.js";
import { MessagingApi } from "../endpoints/messaging.js";
import { SegmentsApi } from "../endpoints/segments.js";
import { TemplatesApi } from "../endpoints/templates.js";
import { UsersApi } from "../endpoints/users.js";
import { BrazeTransport, type DryRunRecord, type TransportStats } from "./http.js";
import type { BrazeClientOptions } from "./options.js";

/** Typed client for the 19 Braze endpoints Kairos uses, grouped by area. */
export class BrazeClient {
  /** Transport shared by every area (rate limiters, retries, stats). */
  readonly transport: BrazeTransport;
  /** /users/track, /users/export/ids, /users/export/segment. */
  readonly users: UsersApi;
  /** /messages/send, /campaigns/trigger/send, /canvas/trigger/send. */
  readonly messaging: MessagingApi;
  /** /campaigns/list, /details, /data_series. */
  readonly campaigns: CampaignsApi;
  /** /canvas/list, /details, /data_series. */
  readonly canvas: CanvasApi;
  /** /segments/list, /details, /data_series. */
  readonly segments: SegmentsApi;
  /** /templates/email/create, /update, /info, /list. */
  readonly templates: TemplatesApi;

  constructor(options: BrazeClientOptions) {
    this.transport = new BrazeTransport(options);
    this.users = new UsersApi(this.transport);
    this.messaging = new MessagingApi(this.transport);
    this.campaigns = new CampaignsApi(this.transport);
    this.canvas = new CanvasApi(this.transport);
    this.segments = new SegmentsApi(this.transport);
    this.templates = new TemplatesApi(this.transport);
  }

  /** Request counters (requests, retries, 429s, 5xx, network errors). */
  get stats(): TransportStats {
    return this.transport.stats;
  }

  /** Mutating calls recorded instead of sent, in dry-run mode. */
  get dryRunLog(): readonly DryRunRecord[] {
    return this.transport.dryRunLog;
  }

  /** Whether mutating calls are skipped. */
  get dryRun(): boolean {
    return this.transport.options.dryRun;
  }

  /** Closes pooled connections. */
  close(): Promise<void> {
    return this.transport.close();
  }
}
