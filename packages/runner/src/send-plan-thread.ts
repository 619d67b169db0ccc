// The send plan on its own thread, for large audiences: once a page of decisions is committed to the log,
// this thread hands the page's range of customers to a worker that reads the page back from the log and
// queues its sends in the ledger (its own connections to both files), while this thread goes on logging the
// next pages and the decision workers deciding them. The rows queued are what the log holds, as on a rerun;
// the decide step is recorded as done only after `finish` (every page queued and committed), so a crash in
// between leaves pages to queue again, and requeueing is a no-op (one ledger row per decision id).
import { Worker } from "node:worker_threads";
import { type SendPlan, sendPlanner } from "./send-planner.js";
import type { RunnerState } from "./state/open-state.js";
import type { UseCase } from "./use-case/compile.js";
import { workerEntry } from "./worker-entry.js";

/** What the send-plan worker is told first (plain data). */
export interface SendPlanInit {
  /** What queueing needs of the use case (plain data: the worker does not compile the file again). */
  useCase: Pick<UseCase, "id" | "file" | "mapping">;
  stateDir: string;
  ledgerPath: string;
  day: string;
  /** When the sends were planned: due times and the ledger rows' creation time. */
  now: number;
}

/** A message to the send-plan worker. */
export type SendPlanRequest = { type: "page"; first: string; last: string } | { type: "finish" };

/** A message from the send-plan worker. */
export type SendPlanReply =
  | { type: "finished"; queued: number }
  | { type: "error"; message: string; stack?: string };

/** A send plan whose pages are queued on a worker thread. */
class ThreadSendPlan implements SendPlan {
  private failure: Error | undefined;
  private count = 0;
  private finished: ((queued: number) => void) | undefined;
  private failed: ((e: Error) => void) | undefined;

  constructor(private readonly worker: Worker) {
    worker.on("message", (m: SendPlanReply) => {
      if (m.type === "finished") {
        this.count = m.queued;
        this.finished?.(m.queued);
        return;
      }
      const e = new Error(`send-plan worker: ${m.message}`);
      if (m.stack) e.stack = m.stack;
      this.fail(e);
    });
    worker.on("error", (e) => this.fail(e));
    worker.on("exit", (code) => {
      if (code !== 0) this.fail(new Error(`send-plan worker exited with code ${code}`));
    });
  }

  async queue(first: string, last: string): Promise<void> {
    if (this.failure) throw this.failure;
    this.worker.postMessage({ type: "page", first, last } satisfies SendPlanRequest);
  }

  queued(): number {
    return this.count;
  }

  finish(): Promise<number> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.finished = resolve;
      this.failed = reject;
      this.worker.postMessage({ type: "finish" } satisfies SendPlanRequest);
    });
  }

  async close(): Promise<void> {
    this.fail(new Error("send-plan worker closed"));
    await this.worker.terminate();
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.failed?.(this.failure);
  }
}

/**
 * The day's send plan: on a worker thread from `parallelFrom` customers on (default 20,000, as the decide
 * step's workers), unless `workers` is 0 (everything on this thread); else `sendPlanner` with the Activator.
 * `close` stops the worker (after `finish`, or on a failure).
 */
export function startSendPlan(
  useCase: UseCase,
  state: RunnerState,
  activator: Parameters<typeof sendPlanner>[2],
  day: string,
  now: number,
  size: { audience: number; workers?: number; parallelFrom?: number },
): SendPlan & { close(): Promise<void> } {
  if (size.workers === 0 || size.audience < (size.parallelFrom ?? 20_000))
    return Object.assign(sendPlanner(useCase, state, activator, day, now), { close: async () => {} });
  const { entry, options } = workerEntry("send-plan-worker");
  const init: SendPlanInit = {
    useCase: { id: useCase.id, file: useCase.file, mapping: useCase.mapping },
    stateDir: state.dir,
    ledgerPath: state.ledger.path,
    day,
    now,
  };
  return new ThreadSendPlan(new Worker(entry, { ...options, workerData: init }));
}
