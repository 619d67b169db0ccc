// `kairos rollback <use-case.json> --to N [--redis URL]`: return to an earlier model (see ../rollback.ts),
// and with --redis, make it the model the workers share too.
import type { ConnectionOptions } from "bullmq";
import { Redis } from "ioredis";
import { UseCaseKeys } from "../distributed/keys.js";
import { rollbackShared } from "../distributed/model.js";
import { connectionOf, DEFAULT_PREFIX } from "../distributed/queue.js";
import { rollback } from "../rollback.js";
import { openState, type RunnerState } from "../state/open-state.js";
import type { UseCase } from "../use-case/compile.js";
import { loadUseCase } from "../use-case/load.js";
import { type Command, STATE_OPTION, stateDirOf, UsageError } from "./command.js";

export const rollbackCommand: Command = {
  name: "rollback",
  summary: "list model snapshots, or make an earlier one current",
  positionals: "use-case",
  options: {
    ...STATE_OPTION,
    to: { type: "string" },
    list: { type: "boolean" },
    redis: { type: "string" },
    prefix: { type: "string" },
  },
  usage: `usage: kairos rollback <use-case.json> (--list | --to N) [--state DIR] [--redis URL [--prefix P]]

Every learning step saves a snapshot of the model. --list shows them; --to N makes snapshot N the current
model by appending a copy of it (history is kept, so a rollback can be undone by another). Rewards learned
after snapshot N are not learned again. A use case run with \`kairos day --redis\` keeps the model its
workers share in Redis: give the same --redis (and --prefix) so the rollback reaches it.

options:
  --list        list the snapshots, newest first
  --to N        return to snapshot N
  --state DIR   state directory of this use case (default: kairos-state/<use-case id>)
  --redis URL   also make it the workers' model (the use case runs with kairos day --redis)
  --prefix P    key prefix in Redis (default ${DEFAULT_PREFIX})
  -h, --help    show this help

example:
  kairos rollback use-cases/win-back.json --to 12
`,
  async run(values, [file], io) {
    const useCase = await loadUseCase(file!);
    if (values.list === undefined && values.to === undefined) throw new UsageError("give --list or --to N");
    const to = values.to === undefined ? undefined : Number(values.to);
    if (to !== undefined && (!Number.isInteger(to) || to < 1))
      throw new UsageError(`--to needs a snapshot number, got "${values.to}"`);
    // A bad URL: one line, before anything.
    const connection = values.redis === undefined ? undefined : connectionOf(values.redis as string);
    const state = openState(stateDirOf(values, useCase), useCase.id, { lock: to !== undefined });
    try {
      if (to !== undefined) {
        // The workers' model first: if Redis refuses, the local history stays as it was.
        if (connection) {
          const prefix = (values.prefix as string | undefined) ?? DEFAULT_PREFIX;
          await rollbackOnRedis(connection, new UseCaseKeys(prefix, useCase.id), useCase, state, to);
        }
        const id = rollback(state, to, Date.now());
        io.out(
          `model is now snapshot #${id} (a copy of #${to})${connection ? ", in Redis too" : ""}; the next cycle decides with it\n`,
        );
      }
      for (const s of state.snapshots.list(values.list ? 50 : 3))
        io.out(
          `#${String(s.id).padEnd(4)} ${new Date(s.createdAt).toISOString().slice(0, 16)}  ${(s.day ?? "").padEnd(10)}  version ${String(s.policyVersion).padStart(4)}  learned ${String(s.learned).padStart(6)}  ${s.reason}\n`,
        );
      return 0;
    } finally {
      await state.close();
    }
  },
};

/** Makes local snapshot `to` the model in Redis (nothing when there is no such snapshot: rollback says so). */
async function rollbackOnRedis(
  connection: ConnectionOptions,
  keys: UseCaseKeys,
  useCase: UseCase,
  state: RunnerState,
  to: number,
): Promise<void> {
  const target = state.snapshots.get(to);
  if (!target) return;
  const redis = new Redis({ ...(connection as object), maxRetriesPerRequest: 3 });
  try {
    await rollbackShared(redis, keys, useCase, JSON.parse(target.json));
  } finally {
    redis.disconnect();
  }
}
