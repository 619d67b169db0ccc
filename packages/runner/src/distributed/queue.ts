// The BullMQ side of the distributed mode: one queue for every use case's day jobs, its connection, and what
// each job carries. A day is two flows: `learn` waits for one `ingest` job per shard, then `finish` waits for
// one `decide` (decide-and-activate) job per shard. Job ids are fixed per use case, day and shard, so a
// coordinator run again adds nothing twice and follows the jobs already there.
import { ValidationError } from "@kairos/core";
import type { ConnectionOptions } from "bullmq";
import type { LearnedDay } from "./day-jobs.js";

/** The queue every worker takes jobs from. */
export const QUEUE = "kairos-day";

/** Default key prefix of everything the distributed mode writes to Redis. */
export const DEFAULT_PREFIX = "kairos";

/** What every job carries: the use case (its file, validated again by the worker), the day, the shard. */
export interface DayJobData {
  useCase: unknown;
  baseDir: string;
  prefix: string;
  day: string;
  shards: number;
  /** The shard of an `ingest` or `decide` job. */
  shard?: number;
  /** What the learn job did, for the finish job's summary. */
  learned?: LearnedDay;
}

/** The job kinds. */
export type DayJobName = "ingest" | "learn" | "decide" | "finish";

/** A job's id: fixed per use case, day and shard (BullMQ ids may not contain ':'). */
export function jobIdOf(useCaseId: string, day: string, name: DayJobName, shard?: number): string {
  return [useCaseId, day, name, ...(shard === undefined ? [] : [String(shard)])].join(".");
}

/** BullMQ's connection options for a redis:// URL (workers block on Redis: no per-request retry limit). */
export function connectionOf(url: string): ConnectionOptions {
  const u = new URL(url);
  if (u.protocol !== "redis:" && u.protocol !== "rediss:")
    throw new ValidationError("--redis", `expected redis://host:port, got "${url}"`);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username || undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined,
    tls: u.protocol === "rediss:" ? {} : undefined,
    maxRetriesPerRequest: null,
  };
}

/** BullMQ's key prefix under the distributed mode's prefix. */
export function bullPrefix(prefix: string): string {
  return `${prefix}:bull`;
}
