import { bad, FakeHttpError, type RouteContext, type RouteResult } from "./http-error.js";
import { exportUser } from "./profile-export.js";
import type { FakeStore } from "./store.js";
import type { FakeBrazeOptions } from "./types.js";
import { writeZip } from "./zip.js";

const ID_REQUIRED = "'external_id' or 'braze_id' or 'user_alias' is required";

interface ExportJob {
  id: string;
  segmentId: string;
  readyAt: number;
  files: Buffer;
}

/** /users/track, /users/export/ids, /users/export/segment and the export downloads. */
export class UserRoutes {
  private readonly exports = new Map<string, ExportJob>();

  constructor(
    private readonly store: FakeStore,
    private readonly options: FakeBrazeOptions,
  ) {}

  /** POST /users/track: per-item validation, partial success in `errors`. */
  track(ctx: RouteContext): RouteResult {
    const b = ctx.body ?? {};
    const arrays = { attributes: b.attributes ?? [], events: b.events ?? [], purchases: b.purchases ?? [] };
    for (const [k, v] of Object.entries(arrays)) if (!Array.isArray(v)) throw bad(`${k} must be an array`);
    const { mode, limit } = this.options.trackLimit ?? { mode: "combined", limit: 75 };
    const sizes = Object.values(arrays).map((a) => a.length);
    const over =
      mode === "combined" ? sizes.reduce((s, n) => s + n, 0) > limit : sizes.some((n) => n > limit);
    if (over) throw bad("Max Input Length Exceeded");
    if (sizes.every((n) => n === 0)) throw bad("No attributes, events or purchases given");
    const errors: { type: string; input_array: string; index: number }[] = [];
    const counts = { attributes: 0, events: 0, purchases: 0 };
    const idOf = (o: Record<string, unknown>): string | undefined =>
      typeof o?.external_id === "string" && o.external_id ? o.external_id : undefined;
    for (const [index, a] of (arrays.attributes as Record<string, unknown>[]).entries()) {
      const id = idOf(a);
      if (!id) {
        errors.push({ type: ID_REQUIRED, input_array: "attributes", index });
        continue;
      }
      if (a._update_existing_only === true && !this.store.users.has(id)) continue;
      const u = this.store.ensureUser(id);
      for (const [k, v] of Object.entries(a)) {
        if (k === "external_id" || k.startsWith("_")) continue;
        if (v && typeof v === "object" && "inc" in v)
          u.attributes[k] = Number(u.attributes[k] ?? 0) + Number(v.inc);
        else if (v === null) delete u.attributes[k];
        else u.attributes[k] = v;
      }
      counts.attributes++;
    }
    for (const [index, e] of (arrays.events as Record<string, unknown>[]).entries()) {
      const id = idOf(e);
      const at = Date.parse(String(e.time));
      if (!id) {
        errors.push({ type: ID_REQUIRED, input_array: "events", index });
        continue;
      }
      if (typeof e.name !== "string" || !e.name || Number.isNaN(at)) {
        errors.push({ type: "Event must have a name and a valid time", input_array: "events", index });
        continue;
      }
      this.store.ensureUser(id);
      // Braze clamps future event times to now.
      const t = Math.min(at, ctx.now);
      const properties = (e.properties as Record<string, unknown>) ?? {};
      this.store.events.push({
        kind: "event",
        external_id: id,
        name: e.name,
        time: new Date(t).toISOString(),
        at: t,
        properties,
        source: "track",
      });
      counts.events++;
    }
    for (const [index, p] of (arrays.purchases as Record<string, unknown>[]).entries()) {
      const id = idOf(p);
      const at = Date.parse(String(p.time));
      if (!id) {
        errors.push({ type: ID_REQUIRED, input_array: "purchases", index });
        continue;
      }
      if (
        typeof p.product_id !== "string" ||
        typeof p.currency !== "string" ||
        typeof p.price !== "number" ||
        Number.isNaN(at)
      ) {
        errors.push({
          type: "Purchase needs product_id, currency, price and time",
          input_array: "purchases",
          index,
        });
        continue;
      }
      this.store.ensureUser(id);
      const t = Math.min(at, ctx.now);
      this.store.events.push({
        kind: "purchase",
        external_id: id,
        name: p.product_id,
        time: new Date(t).toISOString(),
        at: t,
        price: p.price,
        currency: p.currency,
        quantity: typeof p.quantity === "number" ? p.quantity : 1,
        properties: (p.properties as Record<string, unknown>) ?? {},
        source: "track",
      });
      counts.purchases++;
    }
    const body: Record<string, unknown> = {
      message: "success",
      attributes_processed: counts.attributes,
      events_processed: counts.events,
      purchases_processed: counts.purchases,
    };
    if (errors.length) body.errors = errors;
    return { status: 201, body };
  }

  /** POST /users/export/ids. */
  exportIds(ctx: RouteContext): RouteResult {
    const b = ctx.body ?? {};
    const ids: string[] = b.external_ids ?? [];
    const aliases: unknown[] = b.user_aliases ?? [];
    if (ids.length + aliases.length > 50)
      throw bad("The max number of external_ids and aliases per request was exceeded");
    const fields: string[] | undefined = b.fields_to_export;
    if (!fields && this.options.requireFieldsToExport !== false) throw bad("fields_to_export is required");
    const users: Record<string, unknown>[] = [];
    const invalid: string[] = [];
    for (const id of ids) {
      const u = this.store.users.get(id);
      if (u && !u.alias) users.push(exportUser(this.store, u, fields));
      else invalid.push(id);
    }
    for (const alias of aliases) {
      const u = this.store.aliasUser(alias);
      if (u) users.push(exportUser(this.store, u, fields));
    }
    if (typeof b.braze_id === "string") {
      const u = [...this.store.users.values()].find((x) => x.brazeId === b.braze_id);
      if (u) users.push(exportUser(this.store, u, fields));
    }
    const body: Record<string, unknown> = { message: "success", users };
    if (invalid.length) body.invalid_user_ids = invalid;
    return { status: 201, body };
  }

  /** POST /users/export/segment: one running export per segment (429 otherwise), files ready after a delay. */
  exportSegment(ctx: RouteContext, wallNow: number): RouteResult {
    const b = ctx.body ?? {};
    if (!b.segment_id) throw bad("segment_id is required");
    if (!Array.isArray(b.fields_to_export) || b.fields_to_export.length === 0)
      throw bad("fields_to_export is required");
    const seg = this.store.segments.get(b.segment_id);
    if (!seg) throw bad("Invalid Segment ID");
    for (const job of this.exports.values()) {
      if (job.segmentId === seg.id && job.readyAt > wallNow) {
        throw new FakeHttpError(429, "An export of this segment is already running");
      }
    }
    const id = this.store.newId();
    const perFile = this.options.usersPerExportFile ?? 5_000;
    const users = seg.externalIds.map((x) => this.store.ensureUser(x));
    const day = new Date(ctx.now).toISOString().slice(0, 10);
    const entries = [];
    for (let i = 0; i < users.length || i === 0; i += perFile) {
      const lines = users
        .slice(i, i + perFile)
        .map((u) => JSON.stringify(exportUser(this.store, u, b.fields_to_export)));
      entries.push({
        name: `segment-export/${seg.id}/${day}/${id}/${entries.length}.txt`,
        data: Buffer.from(lines.length ? `${lines.join("\n")}\n` : ""),
      });
      if (users.length === 0) break;
    }
    this.exports.set(id, {
      id,
      segmentId: seg.id,
      readyAt: wallNow + (this.options.exportDelayMs ?? 200),
      files: writeZip(entries),
    });
    return {
      status: 201,
      body: {
        message: "success",
        object_prefix: `${id}-${Math.floor(ctx.now / 1000)}`,
        // Like a pre-signed URL, whose signature must stay out of logs.
        url: `${ctx.baseUrl}/exports/${id}.zip?X-Amz-Expires=14400&X-Amz-Signature=${this.store.newId().replace(/-/g, "")}`,
      },
    };
  }

  /** GET /exports/<id>.zip: 404 until the export is ready. */
  download(id: string, wallNow: number): Buffer | undefined {
    const job = this.exports.get(id);
    if (!job || job.readyAt > wallNow) return undefined;
    return job.files;
  }
}
