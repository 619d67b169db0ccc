// Runs the benchmark's jobs on worker threads (each job is deterministic: same results in any order or
// thread). Started from TypeScript, a worker must register tsx itself before importing worker.ts (on Node
// 20 an `--import tsx` in a worker's execArgv is not applied to its entry module), as packages/sim does.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker, type WorkerOptions } from "node:worker_threads";
import { type Job, type JobResult, runJob } from "./harness.js";

function workerEntry(): { entry: string | URL; options: WorkerOptions } {
  const workerUrl = new URL(import.meta.url.endsWith(".ts") ? "./worker.ts" : "./worker.js", import.meta.url);
  if (!import.meta.url.endsWith(".ts")) return { entry: workerUrl, options: {} };
  const tsxRoot = dirname(createRequire(import.meta.url).resolve("tsx/package.json"));
  const api = pathToFileURL(join(tsxRoot, "dist/esm/api/index.mjs")).href;
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(workerUrl.href)}); });`;
  return { entry: code, options: { eval: true, execArgv: ["--conditions=kairos-source"] } };
}

/** Runs the jobs (results in job order), calling `onDone` as each finishes. */
export async function runJobs(
  jobs: readonly Job[],
  workers: number,
  onDone: (result: JobResult, done: number) => void,
): Promise<JobResult[]> {
  const results: JobResult[] = new Array(jobs.length);
  let done = 0;
  const size = Math.min(jobs.length, workers);
  if (size <= 1) {
    jobs.forEach((job, i) => {
      results[i] = runJob(job);
      onDone(results[i]!, ++done);
    });
    return results;
  }
  const { entry, options } = workerEntry();
  const pool: Worker[] = [];
  let next = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const feed = (worker: Worker) => {
        if (next >= jobs.length) {
          if (done === jobs.length) resolve();
          return;
        }
        const i = next++;
        worker.postMessage({ i, job: jobs[i] });
      };
      for (let w = 0; w < size; w++) {
        const worker = new Worker(entry, options);
        pool.push(worker);
        worker.on("message", (m: { i: number; result?: JobResult; error?: string }) => {
          if (m.error !== undefined) {
            reject(new Error(`job ${m.i}: ${m.error}`));
            return;
          }
          results[m.i] = m.result!;
          onDone(m.result!, ++done);
          feed(worker);
        });
        worker.on("error", reject);
        worker.on("exit", (code) => {
          if (code !== 0 && done < jobs.length) reject(new Error(`worker stopped with exit code ${code}`));
        });
        feed(worker);
      }
    });
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return results;
}
