import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type BucketName, bucketFor } from "../buckets.js";
import { type Fault, FaultInjector } from "./faults.js";
import { FakeHttpError, type RouteContext, type RouteResult } from "./http-error.js";
import { ServerBuckets } from "./rate-buckets.js";
import { CatalogRoutes } from "./routes-catalog.js";
import { MessagingRoutes } from "./routes-messaging.js";
import { TemplateRoutes } from "./routes-templates.js";
import { UserRoutes } from "./routes-users.js";
import { FakeStore, toTrackBody } from "./store.js";
import type {
  AudienceResponder,
  EventRecord,
  FakeBrazeOptions,
  FaultOptions,
  RecordedSend,
} from "./types.js";

/** One request as the fake saw it. */
export interface FakeRequestRecord {
  seq: number;
  method: string;
  /** The API path, or `/exports` for an export download. */
  path: string;
  /** The rate-limit bucket (none for export downloads). */
  bucket?: BucketName;
  /** Whether the request carried an Authorization header. */
  withKey: boolean;
  /** Wall-clock arrival (ms). */
  at: number;
  /** Response status, or "dropped". */
  status: number | "dropped";
  fault: Fault;
}

type Handler = (ctx: RouteContext) => RouteResult;

/**
 * A fake Braze REST API on 127.0.0.1 (random port): the 19 endpoints, Bearer auth, batch limits, rate-limit buckets
 * with X-RateLimit-* headers, seeded fault injection, recorded sends with rendered Liquid, an audience-response hook
 * and asynchronous segment exports served from the same server.
 */
export class FakeBraze {
  /** Everything recorded (users, sends, events, templates). */
  readonly store: FakeStore;
  /** Server-side rate-limit windows and violations. */
  readonly buckets: ServerBuckets;
  /** The fault injector (counts per fault kind). */
  readonly faults: FaultInjector;
  /** Every request, in arrival order. */
  readonly requests: FakeRequestRecord[] = [];
  private server: Server | undefined;
  private baseUrl = "";
  private audience: AudienceResponder | undefined;
  private readonly apiKey: string;
  private readonly routes: Map<string, { permission: string; handler: Handler }>;
  private readonly users: UserRoutes;

  constructor(private readonly options: FakeBrazeOptions = {}) {
    this.apiKey = options.apiKey ?? "test-key";
    this.store = new FakeStore(options.clock ?? Date.now, options.seed ?? "fake-braze", options);
    this.buckets = new ServerBuckets(options.rateLimits);
    this.faults = new FaultInjector(options.faults);
    this.audience = options.audience;
    if (options.decisionIdProperty) this.store.decisionIdProperty = options.decisionIdProperty;
    this.users = new UserRoutes(this.store, options);
    const messaging = new MessagingRoutes(this.store, () => this.audience);
    const catalog = new CatalogRoutes(this.store);
    const templates = new TemplateRoutes(this.store, options.tags);
    const table: [string, string, Handler][] = [
      ["POST", "/users/track", (c) => this.users.track(c)],
      ["POST", "/users/export/ids", (c) => this.users.exportIds(c)],
      ["POST", "/users/export/segment", (c) => this.users.exportSegment(c, Date.now())],
      ["POST", "/messages/send", (c) => messaging.messagesSend(c)],
      ["POST", "/campaigns/trigger/send", (c) => messaging.campaignTrigger(c)],
      ["POST", "/canvas/trigger/send", (c) => messaging.canvasTrigger(c)],
      ["GET", "/campaigns/list", (c) => catalog.campaignsList(c)],
      ["GET", "/campaigns/details", (c) => catalog.campaignDetails(c)],
      ["GET", "/campaigns/data_series", (c) => catalog.campaignSeries(c)],
      ["GET", "/canvas/list", (c) => catalog.canvasList(c)],
      ["GET", "/canvas/details", (c) => catalog.canvasDetails(c)],
      ["GET", "/canvas/data_series", (c) => catalog.canvasSeries(c)],
      ["GET", "/segments/list", (c) => catalog.segmentsList(c)],
      ["GET", "/segments/details", (c) => catalog.segmentDetails(c)],
      ["GET", "/segments/data_series", (c) => catalog.segmentSeries(c)],
      ["POST", "/templates/email/create", (c) => templates.create(c)],
      ["POST", "/templates/email/update", (c) => templates.update(c)],
      ["GET", "/templates/email/info", (c) => templates.info(c)],
      ["GET", "/templates/email/list", (c) => templates.list(c)],
    ];
    this.routes = new Map(
      table.map(([m, p, handler]) => [`${m} ${p}`, { permission: p.slice(1).replace(/\//g, "."), handler }]),
    );
  }

  /**
   * Errors the fake itself hit while handling a request (a throwing audience hook, a bug): each also
   * answered its request with a 500, which a retrying client would otherwise absorb silently.
   */
  readonly internalErrors: Error[] = [];

  /** Starts listening on 127.0.0.1 with a random port; resolves to the base URL. */
  async start(): Promise<string> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((e) => {
        this.internalErrors.push(e instanceof Error ? e : new Error(String(e)));
        if (!res.headersSent) this.send(res, 500, { message: `fake error: ${String(e)}`, errors: [] }, {});
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.server = server;
    this.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  /** The base URL (after `start`). */
  get url(): string {
    return this.baseUrl;
  }

  /** The valid API key. */
  get key(): string {
    return this.apiKey;
  }

  /** Stops the server and drops open connections. */
  async close(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = undefined;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** Every send recorded, in order (one per recipient). */
  get sends(): readonly RecordedSend[] {
    return this.store.sends;
  }

  /** Events and purchases visible now (audience responses and /users/track posts), /users/track-shaped. */
  events(filter: { externalId?: string; since?: number } = {}): EventRecord[] {
    return this.store.visibleEvents(filter);
  }

  /** Visible events as a /users/track body (`{events, purchases}`), ready for @kairos/rewards' normaliser. */
  trackBody(filter: { externalId?: string; since?: number } = {}): ReturnType<typeof toTrackBody> {
    return toTrackBody(this.store.visibleEvents(filter));
  }

  /** Replaces the audience-response hook. */
  setAudience(audience: AudienceResponder | undefined): void {
    this.audience = audience;
  }

  /** Changes fault injection on the fly (e.g. `{ rate429: 0, rate500: 0, dropRate: 0 }` to stop). */
  setFaults(faults: FaultOptions): void {
    this.faults.configure(faults);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = req.method ?? "GET";
    const wallNow = Date.now();
    const exportId = method === "GET" ? /^\/exports\/([^/]+)\.zip$/.exec(url.pathname)?.[1] : undefined;
    const path = exportId === undefined ? url.pathname : "/exports";
    const record: FakeRequestRecord = {
      seq: this.requests.length,
      method,
      path,
      withKey: req.headers.authorization !== undefined,
      at: wallNow,
      status: 0,
      fault: "none",
    };
    this.requests.push(record);
    const respond = (status: number, body: unknown, headers: Record<string, string>) => {
      record.status = status;
      this.send(res, status, body, headers, record.fault === "slow_body" ? this.faults.slowMs : 0);
    };
    const drop = () => {
      record.status = "dropped";
      req.socket.destroy();
    };
    if (exportId !== undefined) return this.serveExport(exportId, wallNow, record, respond, drop);
    const bucket = bucketFor(path);
    record.bucket = bucket;
    const route = this.routes.get(`${method} ${path}`);
    const limits = this.buckets.take(bucket, wallNow, path);
    const reply = (status: number, body: Record<string, unknown>, headers = limits.headers) =>
      respond(status, body, headers);
    if (!route) return reply(404, { message: "Not Found", errors: [] });
    const auth = req.headers.authorization ?? "";
    const key = auth.startsWith("Bearer ") ? auth.slice(7) : "";
    const restricted = this.options.restrictedKeys?.[key];
    if (key !== this.apiKey && !restricted) return reply(401, { message: "Invalid API key", errors: [] });
    if (restricted && !restricted.includes(route.permission))
      return reply(403, { message: "Access Denied", errors: [] });
    if (!limits.ok) return reply(429, { message: "Rate limit exceeded", errors: [] });
    const fault = this.faults.draw(path);
    record.fault = fault;
    if (fault === "drop_before") return drop();
    // An injected 429 reads like an empty bucket (remaining 0, the window's reset) but does not drain the real one,
    // so requests the client already had in flight are not counted as violations.
    if (fault === "429") {
      return reply(
        429,
        { message: "Rate limit exceeded", errors: [] },
        this.buckets.emptyHeaders(bucket, wallNow),
      );
    }
    if (fault === "500") return reply(500, { message: "Internal Server Error", errors: [] });
    if (fault === "slow") await new Promise((r) => setTimeout(r, this.faults.slowMs));
    const raw = await readBody(req);
    let body: unknown = {};
    if (method === "POST") {
      try {
        body = raw ? JSON.parse(raw) : {};
      } catch {
        return reply(400, { message: "Invalid JSON in request body", errors: [] });
      }
    }
    let result: RouteResult;
    try {
      result = route.handler({
        query: url.searchParams,
        body,
        now: this.store.clock(),
        baseUrl: this.baseUrl,
      });
      await result.after?.();
    } catch (e) {
      if (!(e instanceof FakeHttpError)) throw e;
      // A 429 from a route (concurrent export) keeps the real bucket headers.
      return reply(e.status, { message: e.message, errors: e.errors });
    }
    // Processed, but the client never learns it: the outcome-unknown case.
    if (fault === "drop_after") return drop();
    reply(result.status, result.body);
  }

  /**
   * GET /exports/<id>.zip. Export files live "elsewhere" (like S3): no auth, no Braze rate limit, and faults only
   * when `faults.paths` lists "/exports".
   */
  private async serveExport(
    id: string,
    wallNow: number,
    record: FakeRequestRecord,
    respond: (status: number, body: unknown, headers: Record<string, string>) => void,
    drop: () => void,
  ): Promise<void> {
    const fault = this.faults.draw("/exports", true);
    record.fault = fault;
    if (fault === "drop_before" || fault === "drop_after") return drop();
    // A throttled object store answers 503 "Slow Down".
    if (fault === "429") return respond(503, { message: "Slow Down" }, {});
    if (fault === "500") return respond(500, { message: "Internal Server Error" }, {});
    if (fault === "slow") await new Promise((r) => setTimeout(r, this.faults.slowMs));
    const file = this.users.download(id, wallNow);
    if (!file) return respond(404, { message: "Not Found" }, {});
    respond(200, file, { "content-type": "application/zip" });
  }

  /** Writes a response; with `stallMs`, the headers and half the body go now and the rest after the stall. */
  private send(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string>,
    stallMs = 0,
  ): void {
    const data = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    res.writeHead(status, { "content-type": "application/json", "content-length": data.length, ...headers });
    if (stallMs <= 0) {
      res.end(data);
      return;
    }
    const half = Math.floor(data.length / 2);
    res.write(data.subarray(0, half));
    setTimeout(() => res.end(data.subarray(half)), stallMs);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Starts a fake Braze and returns it (call `close()` when done). */
export async function startFakeBraze(options: FakeBrazeOptions = {}): Promise<FakeBraze> {
  const fake = new FakeBraze(options);
  await fake.start();
  return fake;
}
