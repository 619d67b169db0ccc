/** Braze's per-request ceilings. */
export const LIMITS = {
  /** Explicit recipients per send request. */
  sendRecipients: 50,
  /** Bytes of JSON in one recipient's trigger properties or Canvas context: Braze says 50 KB; read as 50,000. */
  propertiesBytes: 50_000,
  /** external_ids + user_aliases per /users/export/ids request. */
  exportIds: 50,
  /** Default objects per /users/track request (combined). */
  trackObjects: 75,
  /** Rows per list page. */
  listPage: 100,
  /** Maximum /templates/email/list page. */
  templatePage: 1000,
  /** data_series days per request. */
  campaignSeriesDays: 100,
  canvasSeriesDays: 14,
  segmentSeriesDays: 100,
} as const;

/** Size in bytes of a value as JSON (what Braze's payload limits measure). */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? "");
}

/** Splits an array into chunks of at most `size` (never an empty chunk). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!(size >= 1)) throw new RangeError("chunk size must be at least 1");
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A /users/track chunk, remembering where each object came from so item errors map back to the caller's input. */
export interface TrackChunk<A, E, P> {
  attributes: A[];
  events: E[];
  purchases: P[];
  /** Original indexes, per array, of this chunk's objects. */
  origin: { attributes: number[]; events: number[]; purchases: number[] };
}

/** Packs attributes, events and purchases (in Braze's processing order) into chunks of at most `limit` objects combined. */
export function chunkTrack<A, E, P>(
  attributes: readonly A[],
  events: readonly E[],
  purchases: readonly P[],
  limit: number,
): TrackChunk<A, E, P>[] {
  if (!(limit >= 1)) throw new RangeError("track object limit must be at least 1");
  const chunks: TrackChunk<A, E, P>[] = [];
  let current: TrackChunk<A, E, P> | undefined;
  let size = 0;
  const add = <K extends "attributes" | "events" | "purchases">(key: K, item: unknown, index: number) => {
    if (!current || size >= limit) {
      current = {
        attributes: [],
        events: [],
        purchases: [],
        origin: { attributes: [], events: [], purchases: [] },
      };
      chunks.push(current);
      size = 0;
    }
    (current[key] as unknown[]).push(item);
    current.origin[key].push(index);
    size++;
  };
  for (const [i, a] of attributes.entries()) add("attributes", a, i);
  for (const [i, e] of events.entries()) add("events", e, i);
  for (const [i, p] of purchases.entries()) add("purchases", p, i);
  return chunks;
}

/** One data_series request: `length` days ending at `endingAt`. */
export interface SeriesWindow {
  endingAt: Date;
  length: number;
}

const DAY = 86_400_000;

/** Splits `days` days ending at `endingAt` into windows of at most `maxDays`, newest first. */
export function splitSeries(endingAt: Date, days: number, maxDays: number): SeriesWindow[] {
  if (!Number.isInteger(days) || days < 1) throw new RangeError("days must be a positive integer");
  const out: SeriesWindow[] = [];
  let end = endingAt.getTime();
  let left = days;
  while (left > 0) {
    const length = Math.min(maxDays, left);
    out.push({ endingAt: new Date(end), length });
    end -= length * DAY;
    left -= length;
  }
  return out;
}
