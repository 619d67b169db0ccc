// Where the distributed mode keeps what workers share, and which shard a customer belongs to. Every key of a
// use case starts with `<prefix>:<use case id>`; the Braze budget is per workspace (`<prefix>:ratelimit:…`).
import { fnv1a } from "@kairos/core";

/** The shard of a customer: a stable hash of the external id (the same on every machine, every day). */
export function shardOf(externalId: string, shards: number): number {
  return fnv1a(externalId) % shards;
}

/** The Redis keys of one use case. */
export class UseCaseKeys {
  readonly base: string;

  constructor(
    readonly prefix: string,
    useCaseId: string,
  ) {
    this.base = `${prefix}:${useCaseId}`;
  }

  /** The current model: `{ day, learnedThrough, snapshot }` (JSON). */
  get model(): string {
    return `${this.base}:model`;
  }
  /** The model as a day left it (history, for rollback by hand). */
  modelOf(day: string): string {
    return `${this.base}:model:${day}`;
  }
  /** Hash day → how far the day got (`staged`, `learned`, `done`). */
  get days(): string {
    return `${this.base}:days`;
  }
  /** What the coordinator staged for a day: `{ at, shards, customers, events }` (JSON). */
  staged(day: string): string {
    return `${this.base}:staged:${day}`;
  }
  /** Lines read of each outcome file (JSON), advanced with each day's staging. */
  get cursor(): string {
    return `${this.base}:outcome-cursor`;
  }
  /** A shard's audience for the day: a list of member JSON, in external-id order. */
  audience(day: string, shard: number): string {
    return `${this.base}:audience:${day}:${shard}`;
  }
  /** A shard's new outcome records for the day: a list of `L<json line>` or `T<users/track body>`. */
  events(day: string, shard: number): string {
    return `${this.base}:events:${day}:${shard}`;
  }
  /** A shard's control groups: hash external id → group. */
  groups(shard: number): string {
    return `${this.base}:groups:${shard}`;
  }
  /** A shard's send history for the frequency cap: hash external id → days sent (JSON). */
  sendDays(shard: number): string {
    return `${this.base}:send-days:${shard}`;
  }
  /** A shard's send ledger (key prefix of a RedisSendLedger). */
  ledger(shard: number): string {
    return `${this.base}:ledger:${shard}`;
  }
  /** A shard's reward joiner state (JSON). */
  joiner(shard: number): string {
    return `${this.base}:joiner:${shard}`;
  }
  /** What a shard learned on a day: `{ through, learned, rewards, snapshot }` (JSON), merged by the learn job. */
  delta(day: string, shard: number): string {
    return `${this.base}:delta:${day}:${shard}`;
  }
  /** A shard's decisions of the day, settled: a list of decision-log rows (JSON), until the coordinator logs them. */
  decisions(day: string, shard: number): string {
    return `${this.base}:decisions:${day}:${shard}`;
  }
  /** Set of the finished days whose decisions the coordinator has not written to its decision log yet. */
  get toLog(): string {
    return `${this.base}:to-log`;
  }
  /** What the day's learn job did (JSON). */
  learned(day: string): string {
    return `${this.base}:learned:${day}`;
  }
  /** The day's summary once finished (JSON). */
  result(day: string): string {
    return `${this.base}:result:${day}`;
  }
}
