// The reward joiner's state on Redis: one JSON value per shard, loaded when a job opens the shard and written
// whole by `flush` (one SET: after a crash, either all of a commit is there or none of it, the JoinerStore
// contract). The joiner's calls are synchronous, so they change the copy in memory and the job awaits
// `flush` before it goes on (before it reports the shard done, and before anything depends on the commit).
import {
  applyDelta,
  emptySnapshot,
  type JoinerDelta,
  type JoinerSnapshot,
  type JoinerStore,
} from "@kairos/rewards";
import type { Redis } from "ioredis";

/** A JoinerStore kept in one Redis key; see the file comment. */
export class RedisJoinerStore implements JoinerStore {
  private dirty = false;

  private constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private state: JoinerSnapshot | undefined,
  ) {}

  /** Reads the shard's committed state. */
  static async open(redis: Redis, key: string): Promise<RedisJoinerStore> {
    const raw = await redis.get(key);
    return new RedisJoinerStore(redis, key, raw === null ? undefined : (JSON.parse(raw) as JoinerSnapshot));
  }

  load(): JoinerSnapshot | undefined {
    return this.state === undefined ? undefined : structuredClone(this.state);
  }

  commit(delta: JoinerDelta): void {
    // The delta is copied: the joiner keeps using the records it holds.
    this.state ??= emptySnapshot(delta.metric);
    applyDelta(this.state, structuredClone(delta));
    this.dirty = true;
  }

  ack(seq: number): void {
    if (!this.state || seq <= this.state.ackedThrough) return;
    this.state.ackedThrough = seq;
    this.state.outbox = this.state.outbox.filter((r) => r.seq > seq);
    this.dirty = true;
  }

  /** Writes what was committed since the last flush. */
  async flush(): Promise<void> {
    if (!this.dirty || !this.state) return;
    await this.redis.set(this.key, JSON.stringify(this.state));
    this.dirty = false;
  }

  close(): void {}
}
