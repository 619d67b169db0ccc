import { parentPort } from "node:worker_threads";
import { importPresetModules } from "@kairos/core";
import { type Job, runJob } from "./experiment.js";
import { serializeError } from "./parallel.js";

// Worker-thread entry: runs the jobs it is sent, one at a time, reporting each finished day for progress.
// A failure is sent back with its kind (ValidationError and its field, KairosError and its code), so the
// main thread rethrows the same kind of error and the CLI reports bad input as bad input.
const port = parentPort;
if (port) {
  port.on("message", async (job: Job) => {
    try {
      await importPresetModules(job.scenario.presetModules);
      const result = runJob(job, (day) => port.postMessage({ type: "day", id: job.id, day }));
      port.postMessage({ type: "done", result });
    } catch (e) {
      port.postMessage({ type: "error", id: job.id, error: serializeError(e) });
    }
  });
}
