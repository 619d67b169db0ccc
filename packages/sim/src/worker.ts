import { parentPort } from "node:worker_threads";
import { type Job, runJob } from "./experiment.js";

// Worker-thread entry: runs the jobs it is sent, one at a time, reporting each finished day for progress.
const port = parentPort;
if (port) {
  port.on("message", (job: Job) => {
    try {
      const result = runJob(job, (day) => port.postMessage({ type: "day", id: job.id, day }));
      port.postMessage({ type: "done", result });
    } catch (e) {
      port.postMessage({ type: "error", id: job.id, message: e instanceof Error ? e.message : String(e) });
    }
  });
}
