// The decision service on HTTP (node:http, JSON in and out): POST /decide, POST /feedback, GET /health.
// A bad request is a 4xx whose body is `{ "error": "<one line naming the field>" }`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type DecisionService, ServiceError } from "./service.js";

/** Request bodies larger than this are refused (413). */
const MAX_BODY_BYTES = 64 * 1024;

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const type = req.headers["content-type"] ?? "";
  if (!/^application\/json\b/i.test(type))
    throw new ServiceError(415, `content-type: must be application/json, got "${type}"`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new ServiceError(413, `body: larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (e) {
    throw new ServiceError(400, `body: not valid JSON (${(e as Error).message.split("\n")[0]})`);
  }
}

/** The service's request handler, to mount in your own server. */
export function requestHandler(
  service: DecisionService,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const routes: Record<string, (body: unknown) => unknown> = {
    "/decide": (b) => service.decide(b),
    "/feedback": (b) => service.feedback(b),
  };
  return async (req, res) => {
    try {
      const path = new URL(req.url ?? "/", "http://service").pathname;
      if (path === "/health") {
        if (req.method !== "GET") throw new ServiceError(405, `${req.method} ${path}: use GET`);
        send(res, 200, service.health());
        return;
      }
      const route = routes[path];
      if (!route)
        throw new ServiceError(404, `${path}: no such endpoint (POST /decide, POST /feedback, GET /health)`);
      if (req.method !== "POST") throw new ServiceError(405, `${req.method} ${path}: use POST`);
      const body = await readJson(req);
      // From here on the request is handled synchronously: no other request or step of the day interleaves.
      send(res, 200, route(body));
    } catch (e) {
      if (e instanceof ServiceError) {
        // A refused upload: stop reading it, and say so.
        if (e.status === 413) res.setHeader("connection", "close");
        send(res, e.status, { error: e.message });
        return;
      }
      // No stack or internals in the answer; the operator's log gets the message.
      process.stderr.write(`kairos service: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      send(res, 500, { error: "internal error (see the service's log)" });
    }
  };
}

/** A running service: its URL (`http://host:port`) and how to stop it. */
export interface RunningService {
  url: string;
  server: Server;
  /** Stops accepting requests, waits for those in progress, and stops the service's timer. */
  close(): Promise<void>;
}

/** Puts a decision service on HTTP (default 127.0.0.1, port 0: any free port). */
export async function startDecisionService(
  service: DecisionService,
  options: { host?: string; port?: number } = {},
): Promise<RunningService> {
  const handler = requestHandler(service);
  const server = createServer((req, res) => void handler(req, res));
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    server,
    async close() {
      service.close();
      server.closeIdleConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}
