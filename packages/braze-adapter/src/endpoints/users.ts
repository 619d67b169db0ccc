import { z } from "zod";
import { chunk, chunkTrack, LIMITS } from "../batching.js";
import type { BrazeTransport } from "../client/http.js";
import type { CallOptions } from "../client/options.js";
import { BrazeError, BrazeNetworkError, BrazeValidationError } from "../errors.js";
import { assertExportFields } from "../pii.js";
import { exportTexts } from "../zip.js";
import {
  type ExportedUser,
  exportedUserSchema,
  exportIdsResponseSchema,
  exportSegmentResponseSchema,
  trackItemErrorSchema,
  trackResponseSchema,
} from "./schemas.js";
import type { ExportIdsRequest, ExportSegmentRequest, TrackRequest } from "./types.js";

/** A non-fatal /users/track item error, with the index in the caller's original array. */
export interface TrackItemError {
  inputArray: "attributes" | "events" | "purchases";
  index: number;
  type: string;
}

/** Outcome of a (chunked) /users/track call: partial success is reported per item, not all-or-nothing. */
export interface TrackResult {
  requests: number;
  attributesProcessed: number;
  eventsProcessed: number;
  purchasesProcessed: number;
  /** Items Braze rejected inside an accepted request. */
  itemErrors: TrackItemError[];
  /** Chunks that failed as a whole, with the items they carried (none of them was processed). */
  failedChunks: { error: BrazeError; items: { inputArray: TrackItemError["inputArray"]; index: number }[] }[];
}

/** Options of /users/track. */
export interface TrackOptions extends CallOptions {
  /**
   * Declare the payload safe to repeat (plain attribute sets only: no events, purchases or `inc`), which lets
   * 5xx and network errors be retried. Default false.
   */
  idempotent?: boolean;
}

/** Options of a segment export download. */
export interface SegmentExportOptions extends CallOptions {
  /** Delay between polls of the export URL (default 5 000 ms). */
  pollIntervalMs?: number;
  /** Give up after this long (default 2 hours). */
  maxWaitMs?: number;
}

const bytesSchema = z.instanceof(Buffer);

/** User data endpoints: /users/track, /users/export/ids, /users/export/segment. */
export class UsersApi {
  constructor(private readonly t: BrazeTransport) {}

  /** POST /users/track, chunked to the configured combined object limit; item errors are mapped back to input indexes. */
  async track(body: TrackRequest, opts: TrackOptions = {}): Promise<TrackResult> {
    const chunks = chunkTrack(
      body.attributes ?? [],
      body.events ?? [],
      body.purchases ?? [],
      this.t.options.trackObjectLimit,
    );
    const result: TrackResult = {
      requests: 0,
      attributesProcessed: 0,
      eventsProcessed: 0,
      purchasesProcessed: 0,
      itemErrors: [],
      failedChunks: [],
    };
    for (const c of chunks) {
      const payload: TrackRequest = {};
      if (c.attributes.length) payload.attributes = c.attributes;
      if (c.events.length) payload.events = c.events;
      if (c.purchases.length) payload.purchases = c.purchases;
      result.requests++;
      try {
        const res = await this.t.call(
          {
            method: "POST",
            path: "/users/track",
            body: payload,
            schema: trackResponseSchema,
            retry: opts.idempotent ? "idempotent" : "unsafe",
            mutates: true,
            dryRunResponse: () => ({
              message: "success",
              attributes_processed: c.attributes.length,
              events_processed: c.events.length,
              purchases_processed: c.purchases.length,
            }),
          },
          opts,
        );
        result.attributesProcessed += res.attributes_processed ?? 0;
        result.eventsProcessed += res.events_processed ?? 0;
        result.purchasesProcessed += res.purchases_processed ?? 0;
        for (const raw of res.errors ?? []) {
          const e = trackItemErrorSchema.safeParse(raw);
          if (!e.success) continue;
          const index = c.origin[e.data.input_array][e.data.index];
          result.itemErrors.push({ inputArray: e.data.input_array, index: index ?? -1, type: e.data.type });
        }
      } catch (error) {
        if (!(error instanceof BrazeError)) throw error;
        if (error.kind === "aborted") throw error;
        const items = (["attributes", "events", "purchases"] as const).flatMap((k) =>
          c.origin[k].map((index) => ({ inputArray: k, index })),
        );
        result.failedChunks.push({ error, items });
      }
    }
    return result;
  }

  /** POST /users/export/ids, chunked to 50 ids+aliases; `fields_to_export` is checked against the PII guard first. */
  async exportIds(
    body: ExportIdsRequest,
    opts: CallOptions = {},
  ): Promise<{ users: ExportedUser[]; invalidUserIds: string[] }> {
    const fields = assertExportFields(body.fields_to_export);
    const ids = body.external_ids ?? [];
    const aliases = body.user_aliases ?? [];
    const single = {
      device_id: body.device_id,
      braze_id: body.braze_id,
      email_address: body.email_address,
      phone: body.phone,
    };
    const items: ({ id: string } | { alias: NonNullable<ExportIdsRequest["user_aliases"]>[number] })[] = [
      ...ids.map((id) => ({ id })),
      ...aliases.map((alias) => ({ alias })),
    ];
    const hasSingle = Object.values(single).some((v) => v !== undefined);
    // Nothing to look up means no request; a single-value identifier alone still needs one.
    const batches = items.length ? chunk(items, LIMITS.exportIds) : hasSingle ? [[]] : [];
    const users: ExportedUser[] = [];
    const invalid: string[] = [];
    for (const [i, batch] of batches.entries()) {
      const payload: Record<string, unknown> = { fields_to_export: fields };
      const batchIds = batch.flatMap((b) => ("id" in b ? [b.id] : []));
      const batchAliases = batch.flatMap((b) => ("alias" in b ? [b.alias] : []));
      if (batchIds.length) payload.external_ids = batchIds;
      if (batchAliases.length) payload.user_aliases = batchAliases;
      // Single-value identifiers go with the first request only.
      if (i === 0) for (const [k, v] of Object.entries(single)) if (v !== undefined) payload[k] = v;
      const res = await this.t.call(
        {
          method: "POST",
          path: "/users/export/ids",
          body: payload,
          schema: exportIdsResponseSchema,
          retry: "idempotent",
        },
        opts,
      );
      users.push(...res.users);
      invalid.push(...(res.invalid_user_ids ?? []));
    }
    return { users, invalidUserIds: invalid };
  }

  /** POST /users/export/segment: starts an asynchronous export (PII guard first). */
  async exportSegment(
    body: ExportSegmentRequest,
    opts: CallOptions = {},
  ): Promise<{ objectPrefix: string; url?: string }> {
    const fields = assertExportFields(body.fields_to_export);
    if (!body.segment_id)
      throw new BrazeValidationError("segment_id is required", { endpoint: "/users/export/segment" });
    const res = await this.t.call(
      {
        method: "POST",
        path: "/users/export/segment",
        body: { ...body, fields_to_export: fields },
        schema: exportSegmentResponseSchema,
        // Repeating a lost request would only meet a 429 "already running"; never duplicate work.
        retry: "unsafe",
      },
      opts,
    );
    return { objectPrefix: res.object_prefix, url: res.url };
  }

  /**
   * Exports a segment and yields its users: starts the export, polls the URL until the files are ready (404 until
   * then), downloads the archive and parses the NDJSON lines. The download goes through the client's transport
   * (dispatcher, connection limit, timeouts, retries, logs) but never carries the API key, and its URL's query
   * (the signature) is never logged.
   */
  async *exportSegmentUsers(
    body: ExportSegmentRequest,
    opts: SegmentExportOptions = {},
  ): AsyncGenerator<ExportedUser> {
    const started = await this.exportSegment(body, opts);
    if (!started.url) {
      throw new BrazeValidationError(
        `the export of ${body.segment_id} goes to the workspace's cloud bucket (prefix ${started.objectPrefix}); read it from there`,
        { endpoint: "/users/export/segment" },
      );
    }
    const buf = await this.download(started.url, opts);
    for (const text of exportTexts(buf)) {
      for (const line of text.split("\n")) {
        if (!line.trim()) continue;
        yield exportedUserSchema.parse(JSON.parse(line));
      }
    }
  }

  private async download(url: string, opts: SegmentExportOptions): Promise<Buffer> {
    const clock = this.t.options.clock;
    const deadline = clock.now() + (opts.maxWaitMs ?? 7_200_000);
    const path = new URL(url).pathname;
    for (;;) {
      try {
        return await this.t.call(
          { method: "GET", path, url, raw: true, schema: bytesSchema, retry: "idempotent" },
          opts,
        );
      } catch (e) {
        // 404 and 403 mean "not ready yet": the URL is valid only once the export finishes.
        if (!(e instanceof BrazeError) || (e.status !== 404 && e.status !== 403)) throw e;
      }
      if (clock.now() >= deadline) {
        throw new BrazeNetworkError("segment export not ready before maxWaitMs", {
          endpoint: "/users/export/segment",
        });
      }
      await clock.sleep(opts.pollIntervalMs ?? 5_000, opts.signal);
    }
  }
}
