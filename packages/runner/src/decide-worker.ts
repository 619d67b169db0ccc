// Worker-thread entry of the decide step (see decide-pool.ts): rebuilds what deciding needs of the use case
// (it loads @kairos/core and the use case's presetModules), restores the model from the snapshot it was given, and decides each page.
import { parentPort, workerData } from "node:worker_threads";
import { importPresetModules } from "@kairos/core";
import { Decider, policyFromSnapshot } from "./decide.js";
import { type Chunk, decideChunk, specOf, type WorkerInit } from "./decide-pool.js";

const port = parentPort;
if (port) {
  const init = workerData as WorkerInit;
  await importPresetModules(init.presetModules);
  const useCase = specOf(init);
  const decider = new Decider(useCase, policyFromSnapshot(useCase, init.snapshot), init.day);
  port.on("message", (m: { seq: number; chunk: Chunk }) => {
    try {
      port.postMessage({
        type: "done",
        seq: m.seq,
        result: decideChunk(decider, useCase, m.chunk),
      });
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      port.postMessage({ type: "error", seq: m.seq, message: err.message, stack: err.stack });
    }
  });
  port.postMessage({ type: "ready" });
}
