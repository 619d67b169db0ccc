// The frequency cap on Redis. The single-process runner counts a customer's messages in the cap's window from
// its decision log; a shard owns its customers (the shard is a hash of the id), so it keeps their history
// itself: a hash external id → the days they were sent a message (a non-holdout decision that did not fail,
// as the decision log counts), read page by page before deciding and written after the register step. Only
// days before today count, and the written list is today plus the window's earlier days: a rerun of the job
// reads and writes the same.
import type { Redis } from "ioredis";
import { addDays } from "../days.js";

/** Values per HSET. */
const CHUNK = 5_000;

/** One shard's send history for one day's decisions (see the file comment). */
export class ShardSendHistory {
  private readonly from: string;
  /** The days in the window before today, per customer read. */
  private readonly recent = new Map<string, string[]>();

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly cap: { messages: number; days: number },
    private readonly day: string,
  ) {
    this.from = addDays(day, -(cap.days - 1));
  }

  /** Reads the history of a page of customers. */
  async read(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const raw = await this.redis.hmget(this.key, ...ids);
    ids.forEach((id, i) => {
      const days = raw[i]
        ? (JSON.parse(raw[i]!) as string[]).filter((d) => d >= this.from && d < this.day)
        : [];
      this.recent.set(id, days);
    });
  }

  /** Whether a customer read has had the cap's messages already. */
  capped(id: string): boolean {
    return (this.recent.get(id)?.length ?? 0) >= this.cap.messages;
  }

  /** Records today's message for the customers given (read before). */
  async record(ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += CHUNK) {
      const args = ids
        .slice(i, i + CHUNK)
        .flatMap((id) => [id, JSON.stringify([...(this.recent.get(id) ?? []), this.day])]);
      if (args.length > 0) await this.redis.hset(this.key, ...args);
    }
  }
}
