// The decision service as a process: POST /decide and POST /feedback over a use case's state directory
// (the one `kairos day` uses), until SIGINT or SIGTERM.
//
// Run: npx tsx --conditions=kairos-source packages/runner/examples/decision-service.ts <use-case.json>
//        [--state DIR] [--host 127.0.0.1] [--port 8080] [--learn-every 60]
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { DecisionService, loadUseCase, openState, startDecisionService } from "../src/index.js";

const { values, positionals } = parseArgs({
  options: {
    state: { type: "string" },
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "8080" },
    "learn-every": { type: "string", default: "60" },
  },
  allowPositionals: true,
});
if (positionals.length !== 1) {
  console.error(
    "usage: decision-service.ts <use-case.json> [--state DIR] [--host H] [--port N] [--learn-every S]",
  );
  process.exit(2);
}
const useCase = await loadUseCase(positionals[0]!);
// The lock: `kairos day` from another process is refused while this runs (status and report still read).
const state = openState(resolve(values.state ?? `kairos-state/${useCase.id}`), useCase.id);
const service = new DecisionService({ useCase, state, learnEveryMs: 1000 * Number(values["learn-every"]) });
const http = await startDecisionService(service, { host: values.host, port: Number(values.port) });
console.log(`${useCase.id}: decision service on ${http.url} (POST /decide, POST /feedback, GET /health)`);

const stop = async () => {
  await http.close();
  service.learnNow(); // windows that closed since the last learning step
  await state.close();
  process.exit(0);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
