/** A Braze-style fatal error: `{"message": …, "errors": […]}` with a 4xx/5xx status. */
export class FakeHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors: unknown[] = [],
  ) {
    super(message);
  }
}

/** Shorthand for a 400. */
export const bad = (message: string, errors: unknown[] = []) => new FakeHttpError(400, message, errors);

/** What a route returns. */
export interface RouteResult {
  status: number;
  body: Record<string, unknown>;
  /** Runs after the response is decided (audience responses), so a dropped connection still has its effect. */
  after?: () => Promise<void>;
}

/** What a route receives. */
export interface RouteContext {
  query: URLSearchParams;
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are untrusted JSON, checked field by field
  body: any;
  /** Data clock (ms). */
  now: number;
  /** Base URL of the fake (for export URLs). */
  baseUrl: string;
}

/** Reads an integer query parameter within bounds, or throws a 400. */
export function intParam(
  q: URLSearchParams,
  name: string,
  min: number,
  max: number,
  fallback?: number,
): number {
  const raw = q.get(name);
  if (raw === null || raw === "") {
    if (fallback !== undefined) return fallback;
    throw bad(`${name} is required`);
  }
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min || v > max)
    throw bad(`${name} must be an integer between ${min} and ${max}`);
  return v;
}

/** Reads `ending_at` (ISO 8601) or defaults to now. */
export function endingAt(q: URLSearchParams, now: number): number {
  const raw = q.get("ending_at");
  if (!raw) return now;
  const t = Date.parse(raw);
  if (Number.isNaN(t)) throw bad("ending_at must be an ISO 8601 datetime");
  return t;
}
