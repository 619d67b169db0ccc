// Worker-thread entry of the send plan (see send-plan-thread.ts): opens the decision log (read only) and the
// send ledger of the state directory, and queues each page it is given, in order, as `sendPlanner` does on
// the main thread (it loads neither the use-case compiler nor the metric library).
import { join } from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import { ledgerEntries, SqliteSendLedger } from "@kairos/braze-adapter";
import Database from "better-sqlite3";
import type { SendPlanInit, SendPlanReply, SendPlanRequest } from "./send-plan-thread.js";
import { sendPlanner } from "./send-planner.js";
import { DecisionLog } from "./state/decision-log.js";

const port = parentPort;
if (port) {
  const init = workerData as SendPlanInit;
  let failed = false;
  const fail = (e: unknown) => {
    if (failed) return;
    failed = true;
    const err = e instanceof Error ? e : new Error(String(e));
    port.postMessage({ type: "error", message: err.message, stack: err.stack } satisfies SendPlanReply);
  };
  try {
    const useCase = init.useCase;
    const db = new Database(join(init.stateDir, "kairos.sqlite"), { readonly: true });
    const ledger = new SqliteSendLedger(init.ledgerPath);
    const plan = sendPlanner(
      useCase,
      { decisions: new DecisionLog(db) },
      { enqueue: (requests) => ledger.enqueue(ledgerEntries(useCase.mapping, requests, init.now)) },
      init.day,
      init.now,
    );
    const handle = async (m: SendPlanRequest) => {
      if (m.type === "page") return plan.queue(m.first, m.last);
      await ledger.close();
      db.close();
      port.postMessage({ type: "finished", queued: plan.queued() } satisfies SendPlanReply);
      port.close();
    };
    // Pages are queued one after the other, in the order they were logged; after a failure, none.
    let done = Promise.resolve();
    port.on("message", (m: SendPlanRequest) => {
      done = done.then(() => (failed ? undefined : handle(m))).catch(fail);
    });
  } catch (e) {
    fail(e);
  }
}
