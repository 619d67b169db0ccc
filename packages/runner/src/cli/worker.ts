// `kairos worker --redis URL`: a worker of the distributed mode, until SIGINT or SIGTERM.
import { ValidationError } from "@kairos/core";
import { DEFAULT_PREFIX } from "../distributed/queue.js";
import { startWorker } from "../distributed/worker.js";
import type { Command } from "./command.js";

export const workerCommand: Command = {
  name: "worker",
  summary: "take distributed day jobs from Redis (see kairos day --redis)",
  positionals: "none",
  options: {
    redis: { type: "string" },
    prefix: { type: "string" },
    "lock-ms": { type: "string" },
    quiet: { type: "boolean" },
  },
  usage: `usage: kairos worker --redis URL [options]

Takes the jobs of distributed days (kairos day <use-case.json> --redis URL) from Redis, one at a time, for
any use case, until SIGINT or SIGTERM (the current job finishes first). Run as many as you like on as many
machines; a worker killed mid-job has its job taken over by another, with nothing sent twice. Credentials
come from BRAZE_REST_ENDPOINT and BRAZE_API_KEY only.

options:
  --redis URL     redis://[user:password@]host:port[/db] (the coordinator's)
  --prefix P      key prefix in Redis (default ${DEFAULT_PREFIX}; the coordinator's)
  --lock-ms N     a killed worker's job is taken over after about N ms (default 30000); longer than any
                  stall of this process
  --quiet         no line per job
  -h, --help      show this help

exit codes: 0 stopped by a signal, 1 Redis or Braze unreachable, 2 bad input

example:
  BRAZE_REST_ENDPOINT=https://rest.iad-01.braze.com BRAZE_API_KEY=... kairos worker --redis redis://10.0.0.5:6379
`,
  async run(values, _positionals, io) {
    if (typeof values.redis !== "string")
      throw new ValidationError("--redis", "required (redis://host:port)");
    const lockMs = values["lock-ms"] === undefined ? undefined : Number(values["lock-ms"]);
    if (lockMs !== undefined && !(Number.isInteger(lockMs) && lockMs >= 1_000))
      throw new ValidationError(
        "--lock-ms",
        `must be an integer of at least 1000, got "${values["lock-ms"]}"`,
      );
    const worker = await startWorker({
      redisUrl: values.redis,
      prefix: (values.prefix as string | undefined) ?? DEFAULT_PREFIX,
      env: io.env,
      lockDurationMs: lockMs,
      log: values.quiet ? undefined : (line) => io.err(`${line}\n`),
    });
    io.err(`worker ready on ${new URL(values.redis).host}\n`);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await worker.close();
    return 0;
  },
};
