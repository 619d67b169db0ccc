/** Time source and sleeper; injectable so tests and simulations never wait on the wall clock. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` (rejects with the signal's reason if it aborts first). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Sleeps on real timers, honouring an AbortSignal. */
export function sleepReal(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now(), sleep: sleepReal };

/**
 * A virtual clock for tests and simulations: time moves only through `set`/`advance`, and `sleep` advances it
 * instantly (yielding to the event loop first so other work can run).
 */
export class ManualClock implements Clock {
  private t: number;
  constructor(start: number | Date = Date.UTC(2024, 4, 1)) {
    this.t = typeof start === "number" ? start : start.getTime();
  }
  /** Current virtual time in ms. */
  now(): number {
    return this.t;
  }
  /** Moves the clock to an absolute time (never backwards). */
  set(t: number | Date): void {
    this.t = Math.max(this.t, typeof t === "number" ? t : t.getTime());
  }
  /** Moves the clock forward by `ms`. */
  advance(ms: number): void {
    this.t += Math.max(0, ms);
  }
  /** Advances virtual time by `ms` after one macrotask turn. */
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    await sleepReal(0, signal);
    await new Promise<void>((r) => setImmediate(r));
    if (signal?.aborted) throw signal.reason;
    this.advance(ms);
  }
}
