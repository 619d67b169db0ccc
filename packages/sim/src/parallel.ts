import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker, type WorkerOptions } from "node:worker_threads";
import { KairosError, ValidationError } from "@kairos/core";
import { type Job, type JobResult, runJob } from "./experiment.js";
import { LineError } from "./ope/format.js";

/** An error as it crosses the worker boundary: its class name, message, stack and Kairos fields. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  /** KairosError's code. */
  code?: string;
  /** ValidationError's field path. */
  field?: string;
  /** LineError's line. */
  line?: number;
}

/** What a worker posts about a failed job (structured clone would drop an Error's class and fields). */
export function serializeError(e: unknown): SerializedError {
  if (!(e instanceof Error)) return { name: "Error", message: String(e) };
  const out: SerializedError = { name: e.name, message: e.message, stack: e.stack };
  if (e instanceof KairosError) out.code = e.code;
  if (e instanceof ValidationError) out.field = e.field;
  if (e instanceof LineError) out.line = e.line;
  return out;
}

/**
 * The error a worker reported, as the same class on this thread: a ValidationError with its field, a
 * KairosError with its code, else a plain Error whose stack is the worker's.
 */
export function deserializeError(s: SerializedError, jobId?: number): Error {
  let e: Error;
  if (s.name === "ValidationError" && s.field !== undefined) {
    const prefix = `${s.field}: `;
    e = new ValidationError(
      s.field,
      s.message.startsWith(prefix) ? s.message.slice(prefix.length) : s.message,
    );
  } else if (s.name === "LineError" && s.line !== undefined) {
    e = new LineError(s.line, s.message.replace(/^line \d+: /, ""));
  } else if (s.code !== undefined) {
    e = new KairosError(s.code, s.message);
    e.name = s.name;
  } else {
    e = new Error(jobId === undefined ? s.message : `job ${jobId}: ${s.message}`);
    e.name = s.name;
  }
  if (s.stack) e.stack = s.stack;
  return e;
}

/** Options of {@link runJobs}. */
export interface RunJobsOptions {
  /** Worker threads to use; 0 or 1 runs inline on this thread. Default: available cores. */
  workers?: number;
  /** Called after each simulated day of any job. */
  onDay?: (jobId: number, day: number) => void;
}

/**
 * How to start a worker. From the built `dist` it is the plain worker.js. From TypeScript sources (tests,
 * `pnpm sim`) the worker must load TypeScript itself: on Node 20 a loader passed as `--import tsx` in a
 * worker's execArgv is not applied to the worker's entry module, so the worker starts from a tiny eval'd
 * script that registers tsx's ESM hooks and then imports worker.ts; `--conditions=kairos-source` makes
 * workspace packages resolve to their sources there too.
 */
export function workerEntry(): { entry: string | URL; options: WorkerOptions } {
  const workerUrl = new URL(import.meta.url.endsWith(".ts") ? "./worker.ts" : "./worker.js", import.meta.url);
  if (!import.meta.url.endsWith(".ts")) return { entry: workerUrl, options: {} };
  const tsxRoot = dirname(createRequire(import.meta.url).resolve("tsx/package.json"));
  const api = pathToFileURL(join(tsxRoot, "dist/esm/api/index.mjs")).href;
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(workerUrl.href)}); });`;
  return { entry: code, options: { eval: true, execArgv: ["--conditions=kairos-source"] } };
}

/** Runs jobs on a pool of worker threads (results in job order); same jobs, same results as inline. */
export async function runJobs(jobs: readonly Job[], options: RunJobsOptions = {}): Promise<JobResult[]> {
  const size = Math.min(jobs.length, options.workers ?? availableParallelism());
  if (size <= 1) return jobs.map((job) => runJob(job, (day) => options.onDay?.(job.id, day)));
  const { entry, options: workerOptions } = workerEntry();
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
        const worker = new Worker(entry, workerOptions);
        workers.push(worker);
        worker.on(
          "message",
          (m: { type: string; id?: number; day?: number; result?: JobResult; error?: SerializedError }) => {
            if (m.type === "day") options.onDay?.(m.id!, m.day!);
            else if (m.type === "done") {
              results.set(m.result!.id, m.result!);
              running--;
              feed(worker);
            } else if (m.type === "error") reject(deserializeError(m.error!, m.id));
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
