// A `kairos worker` as a child process for the distributed tests: the same startWorker the command runs, with
// a short job lock (a killed worker's job is taken over within seconds) and short activation delays; one line
// per job started, completed or failed, so the parent knows where to SIGKILL it.
// Run: tsx --conditions=kairos-source worker-child.ts <redis url> <prefix> [lock ms, default 2000]
import { startWorker } from "../../src/distributed/worker.js";
import { FAST_ACTIVATION } from "../fixtures/run-day-child.js";

const [redisUrl, prefix, lockMs] = process.argv.slice(2);
const worker = await startWorker({
  redisUrl: redisUrl!,
  prefix: prefix!,
  env: process.env,
  lockDurationMs: Number(lockMs ?? 2_000),
  activation: FAST_ACTIVATION,
  retry: { baseDelayMs: 5, maxDelayMs: 20 },
  log: (line) => process.stdout.write(`${line}\n`),
});
process.stdout.write("READY\n");
process.once("SIGTERM", () => {
  void worker.close().then(() => process.exit(0));
});
