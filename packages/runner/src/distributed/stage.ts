// The coordinator's first step of a distributed day: read the audience (file or segment export) and the
// outcome records not read yet, split both by shard, and store them in Redis for the shard jobs, which then
// need no shared file system. The day is marked staged, with the advanced outcome cursor, in one MULTI after
// every list is written: a coordinator killed before that stages the day again from scratch, and one
// killed after finds it staged (the audience is then the one read first, as in the single-process runner).
import { resolve } from "node:path";
import type { BrazeClient } from "@kairos/braze-adapter";
import type { Redis } from "ioredis";
import { readAudience } from "../audience.js";
import { newOutcomes, type OutcomeCursor } from "../outcomes.js";
import type { UseCase } from "../use-case/compile.js";
import { shardOf, type UseCaseKeys } from "./keys.js";
import { execAll } from "./model.js";

/** What was staged for a day. */
export interface StagedDay {
  /** The day's time: send times, the joiner's watermark and registration use it on every worker. */
  at: number;
  shards: number;
  customers: number;
  duplicates: number;
  /** Outcome records (lines and track bodies) staged for the shards. */
  events: number;
}

/** A customer as stored in a shard's audience list: [external id, time zone, attributes]. */
export type StoredMember = [string, string | null, Record<string, unknown>];

/** Values pushed per RPUSH. */
const CHUNK = 5_000;

/** The shard of an outcome record's customer (records with none go to shard 0, whose joiner quarantines them). */
function lineShard(line: string, shards: number): number {
  try {
    const id = (JSON.parse(line) as { user_id?: unknown }).user_id;
    return typeof id === "string" ? shardOf(id, shards) : 0;
  } catch {
    return 0;
  }
}

/** A /users/track body split by shard: each of its arrays' objects goes with its external_id. */
function splitTrack(body: unknown, shards: number): Map<number, Record<string, unknown[]>> {
  const out = new Map<number, Record<string, unknown[]>>();
  if (typeof body !== "object" || body === null) return out.set(0, { events: [body] });
  for (const [field, value] of Object.entries(body)) {
    if (!Array.isArray(value)) continue;
    for (const item of value) {
      const id = (item as { external_id?: unknown } | null)?.external_id;
      const shard = typeof id === "string" ? shardOf(id, shards) : 0;
      let part = out.get(shard);
      if (!part) out.set(shard, (part = {}));
      (part[field] ??= []).push(item);
    }
  }
  return out;
}

/** Stages the day (see the file comment); returns what is staged, at once if it already was. */
export async function stageDay(
  redis: Redis,
  keys: UseCaseKeys,
  useCase: UseCase,
  braze: BrazeClient | undefined,
  day: string,
  shards: number,
  now: number,
  overrides: { audienceFile?: string; outcomesFolder?: string } = {},
): Promise<StagedDay> {
  const done = await redis.get(keys.staged(day));
  if (done !== null) return JSON.parse(done) as StagedDay;

  const read = await readAudience(useCase, braze, overrides.audienceFile);
  const audience: string[][] = Array.from({ length: shards }, () => []);
  const sorted = [...read.members].sort((a, b) =>
    a.externalId < b.externalId ? -1 : a.externalId > b.externalId ? 1 : 0,
  );
  for (const m of sorted) {
    const stored: StoredMember = [m.externalId, m.timeZone ?? null, m.attrs];
    audience[shardOf(m.externalId, shards)]!.push(JSON.stringify(stored));
  }

  const folder =
    overrides.outcomesFolder ??
    (useCase.file.outcomes ? resolve(useCase.baseDir, useCase.file.outcomes.folder) : undefined);
  const cursor = JSON.parse((await redis.get(keys.cursor)) ?? "{}") as OutcomeCursor;
  const outcomes = folder ? newOutcomes(folder, cursor) : { cursor, found: [] };
  const events: string[][] = Array.from({ length: shards }, () => []);
  for (const r of outcomes.found) {
    if (r.kind === "lines") {
      for (const line of r.lines) if (line.trim()) events[lineShard(line, shards)]!.push(`L${line}`);
    } else
      for (const [shard, part] of splitTrack(r.body, shards)) events[shard]!.push(`T${JSON.stringify(part)}`);
  }

  const pipeline = redis.pipeline();
  for (let s = 0; s < shards; s++) {
    pipeline.del(keys.audience(day, s), keys.events(day, s));
    for (const [key, values] of [
      [keys.audience(day, s), audience[s]!],
      [keys.events(day, s), events[s]!],
    ] as const)
      for (let i = 0; i < values.length; i += CHUNK) pipeline.rpush(key, ...values.slice(i, i + CHUNK));
  }
  await execAll(pipeline);
  const staged: StagedDay = {
    at: now,
    shards,
    customers: sorted.length,
    duplicates: read.duplicates,
    events: events.reduce((n, e) => n + e.length, 0),
  };
  await redis
    .multi()
    .set(keys.cursor, JSON.stringify(outcomes.cursor))
    .set(keys.staged(day), JSON.stringify(staged))
    .hset(keys.days, day, "staged")
    .exec();
  return staged;
}
