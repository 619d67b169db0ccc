import { createRng, fnv1a, type Rng } from "@kairos/core";
import type {
  AudienceEvent,
  EventRecord,
  FakeCampaign,
  FakeCanvas,
  FakeSegment,
  RecordedSend,
} from "./types.js";

/** A profile in the fake. */
export interface FakeUser {
  /** The external id; for an alias-only profile, the fake's own key `alias:<label>:<name>` (never exported). */
  externalId: string;
  /** Set on alias-only profiles. */
  alias?: { alias_name: string; alias_label: string };
  brazeId: string;
  randomBucket: number;
  createdAt: number;
  attributes: Record<string, unknown>;
  campaignsReceived: Map<string, { at: number; variationId?: string; name: string }>;
  canvasesReceived: Map<string, { at: number; variantName?: string; name: string }>;
}

/** A stored email template. */
export interface FakeTemplate {
  email_template_id: string;
  template_name: string;
  subject: string;
  body: string;
  plaintext_body?: string;
  preheader?: string;
  tags: string[];
  should_inline_css?: boolean;
  created_at: string;
  updated_at: string;
  updatedAtMs: number;
}

/** Everything the fake remembers; tests read it directly. */
export class FakeStore {
  readonly users = new Map<string, FakeUser>();
  readonly sends: RecordedSend[] = [];
  readonly events: EventRecord[] = [];
  readonly templates = new Map<string, FakeTemplate>();
  readonly campaigns: Map<string, FakeCampaign>;
  readonly canvases: Map<string, FakeCanvas>;
  readonly segments: Map<string, FakeSegment>;
  /** External ids whose sends Braze refuses. */
  readonly blocklisted: ReadonlySet<string>;
  private readonly rng: Rng;
  /** Send property copied onto every audience event so rewards can join them (default "kairos_decision_id"). */
  decisionIdProperty = "kairos_decision_id";

  constructor(
    readonly clock: () => number,
    seed: string | number,
    init: {
      campaigns?: FakeCampaign[];
      canvases?: FakeCanvas[];
      segments?: FakeSegment[];
      users?: string[];
      aliasUsers?: { alias_name: string; alias_label: string }[];
      blocklisted?: string[];
    },
  ) {
    this.rng = createRng(seed);
    this.campaigns = new Map((init.campaigns ?? []).map((c) => [c.id, c]));
    this.canvases = new Map((init.canvases ?? []).map((c) => [c.id, c]));
    this.segments = new Map((init.segments ?? []).map((s) => [s.id, s]));
    this.blocklisted = new Set(init.blocklisted);
    for (const id of init.users ?? []) this.ensureUser(id);
    for (const alias of init.aliasUsers ?? []) this.ensureUser(aliasKey(alias)).alias = { ...alias };
  }

  /** The alias-only profile with this alias, if it exists. */
  aliasUser(alias: unknown): FakeUser | undefined {
    const a = alias as { alias_name?: unknown; alias_label?: unknown } | undefined;
    if (typeof a?.alias_name !== "string" || typeof a.alias_label !== "string") return undefined;
    return this.users.get(aliasKey({ alias_name: a.alias_name, alias_label: a.alias_label }));
  }

  /** A fresh UUID-like id from the seeded generator. */
  newId(): string {
    const hex = (n: number) =>
      Array.from({ length: n }, () => Math.floor(this.rng.next() * 16).toString(16)).join("");
    return `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
  }

  /** Gets or creates a profile. */
  ensureUser(externalId: string): FakeUser {
    let u = this.users.get(externalId);
    if (!u) {
      u = {
        externalId,
        brazeId: this.newId().replace(/-/g, "").slice(0, 24),
        randomBucket: fnv1a(externalId) % 10_000,
        createdAt: this.clock(),
        attributes: {},
        campaignsReceived: new Map(),
        canvasesReceived: new Map(),
      };
      this.users.set(externalId, u);
    }
    return u;
  }

  /** Records a send and marks the profile as having received it. */
  recordSend(send: Omit<RecordedSend, "seq">): RecordedSend {
    const full: RecordedSend = { ...send, seq: this.sends.length };
    this.sends.push(full);
    const u = this.ensureUser(send.externalId);
    if (send.campaignId) {
      const name = this.campaigns.get(send.campaignId)?.name ?? send.campaignId;
      u.campaignsReceived.set(send.campaignId, { at: send.at, variationId: send.variationId, name });
    }
    if (send.canvasId) {
      const c = this.canvases.get(send.canvasId);
      const variantName = c?.variants.find((v) => v.id === send.variationId)?.name;
      u.canvasesReceived.set(send.canvasId, { at: send.at, variantName, name: c?.name ?? send.canvasId });
    }
    return full;
  }

  /** Stores the audience's response to a send as Braze-style event and purchase records. */
  recordAudience(send: RecordedSend, events: readonly AudienceEvent[]): void {
    const decisionId = send.properties[this.decisionIdProperty];
    const link = {
      ...(decisionId === undefined ? {} : { [this.decisionIdProperty]: decisionId }),
      dispatch_id: send.dispatchId,
      ...(send.campaignId ? { campaign_id: send.campaignId } : {}),
      ...(send.canvasId ? { canvas_id: send.canvasId } : {}),
      ...(send.variationId ? { message_variation_id: send.variationId } : {}),
    };
    for (const e of events) {
      const base = {
        external_id: send.externalId,
        time: new Date(e.at).toISOString(),
        at: e.at,
        source: "audience" as const,
      };
      if (e.type === "purchase") {
        this.events.push({
          ...base,
          kind: "purchase",
          name: e.productId,
          price: e.price,
          currency: e.currency ?? "USD",
          quantity: e.quantity ?? 1,
          properties: { ...e.properties, ...link },
          sendSeq: send.seq,
          type: "purchase",
        });
      } else {
        const name =
          e.type === "conversion"
            ? (e.name ?? "conversion")
            : e.type === "unsubscribe"
              ? "unsubscribe"
              : `${send.channel}_${e.type}`;
        const props = e.type === "conversion" ? e.properties : undefined;
        this.events.push({
          ...base,
          kind: "event",
          name,
          properties: { ...props, ...link },
          sendSeq: send.seq,
          type: e.type,
        });
      }
    }
  }

  /** Events and purchases whose time has come on the fake's clock, in time order. */
  visibleEvents(filter: { externalId?: string; since?: number } = {}): EventRecord[] {
    const now = this.clock();
    return this.events
      .filter(
        (e) =>
          e.at <= now &&
          (filter.externalId === undefined || e.external_id === filter.externalId) &&
          (filter.since === undefined || e.at >= filter.since),
      )
      .sort((a, b) => a.at - b.at);
  }
}

/** Events as a /users/track request body (`events` and `purchases`), the shape @kairos/rewards normalises. */
export function toTrackBody(records: readonly EventRecord[]): {
  events: Record<string, unknown>[];
  purchases: Record<string, unknown>[];
} {
  const events: Record<string, unknown>[] = [];
  const purchases: Record<string, unknown>[] = [];
  for (const r of records) {
    if (r.kind === "purchase") {
      purchases.push({
        external_id: r.external_id,
        product_id: r.name,
        currency: r.currency ?? "USD",
        price: r.price ?? 0,
        quantity: r.quantity ?? 1,
        time: r.time,
        properties: r.properties,
      });
    } else events.push({ external_id: r.external_id, name: r.name, time: r.time, properties: r.properties });
  }
  return { events, purchases };
}

/** The fake's key for an alias-only profile. */
export function aliasKey(alias: { alias_name: string; alias_label: string }): string {
  return `alias:${alias.alias_label}:${alias.alias_name}`;
}
