import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { type Job, type JobResult, runJob } from "./experiment.js";

/** Options of {@link runJobs}. */
export interface RunJobsOptions {
  /** Worker threads to use; 0 or 1 runs inline on this thread. Default: available cores. */
  workers?: number;
  /** Called after each simulated day of any job. */
  onDay?: (jobId: number, day: number) => void;
}

/**
 * How to start a worker: from TypeScript sources (tests, `pnpm sim`) the worker must load tsx and the
 * `kairos-source` condition itself, since workers do not inherit a loader registered at runtime; from
 * the built `dist` it is plain JavaScript.
 */
export function workerEntry(): { url: URL; execArgv: string[] } {
  const fromSource = import.meta.url.endsWith(".ts");
  const url = new URL(fromSource ? "./worker.ts" : "./worker.js", import.meta.url);
  return { url, execArgv: fromSource ? ["--import", "tsx", "--conditions=kairos-source"] : [] };
}

/** Runs jobs on a pool of worker threads (results in job order); same jobs, same results as inline. */
export async function runJobs(jobs: readonly Job[], options: RunJobsOptions = {}): Promise<JobResult[]> {
  const size = Math.min(jobs.length, options.workers ?? availableParallelism());
  if (size <= 1) return jobs.map((job) => runJob(job, (day) => options.onDay?.(job.id, day)));
  const { url, execArgv } = workerEntry();
  const results = new Map<number, JobResult>();
  const queue = [...jobs];
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let running = 0;
      const feed = (worker: Worker): void => {
        const job = queue.shift();
        if (!job) {
          if (running === 0) resolve();
          return;
        }
        running++;
        worker.postMessage(job);
      };
      for (let w = 0; w < size; w++) {
        const worker = new Worker(url, { execArgv });
        workers.push(worker);
        worker.on(
          "message",
          (m: { type: string; id?: number; day?: number; result?: JobResult; message?: string }) => {
            if (m.type === "day") options.onDay?.(m.id!, m.day!);
            else if (m.type === "done") {
              results.set(m.result!.id, m.result!);
              running--;
              feed(worker);
            } else if (m.type === "error") reject(new Error(`job ${m.id}: ${m.message}`));
          },
        );
        worker.on("error", reject);
        worker.on("exit", (code) => {
          if (code !== 0) reject(new Error(`worker stopped with exit code ${code}`));
        });
        feed(worker);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return jobs.map((j) => results.get(j.id)!);
}
