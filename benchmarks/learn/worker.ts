// Worker-thread entry of the learning benchmark: runs the jobs it is sent, one at a time.
import { parentPort } from "node:worker_threads";
import { type Job, runJob } from "./harness.js";

const port = parentPort;
if (port) {
  port.on("message", ({ i, job }: { i: number; job: Job }) => {
    try {
      port.postMessage({ i, result: runJob(job) });
    } catch (e) {
      port.postMessage({ i, error: e instanceof Error ? e.message : String(e) });
    }
  });
}
