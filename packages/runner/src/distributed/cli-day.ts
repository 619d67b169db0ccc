// `kairos day <use-case.json> --redis URL`: the day on the workers (the options `kairos day` adds, and what
// it runs then).
import { BrazeClient } from "@kairos/braze-adapter";
import { ValidationError } from "@kairos/core";
import type { Io } from "../cli/command.js";
import { progressPrinter } from "../cli/progress-printer.js";
import { brazeCredentials } from "../credentials.js";
import type { UseCase } from "../use-case/compile.js";
import { runDistributedDay } from "./coordinator.js";
import { DEFAULT_PREFIX } from "./queue.js";

/** The options `kairos day` takes for the distributed mode. */
export const DISTRIBUTED_DAY_OPTIONS = {
  redis: { type: "string" },
  prefix: { type: "string" },
  shards: { type: "string" },
} as const;

/** Their lines in `kairos day --help`. */
export const DISTRIBUTED_DAY_USAGE = `  --redis URL       run the day on the workers (kairos worker --redis URL) through Redis: the
                    audience split in shards, each shard's decisions and sends on any worker
  --shards N        audience shards (default 16; fixed by the use case's first day on Redis)
  --prefix P        key prefix in Redis (default ${DEFAULT_PREFIX}; the workers')
`;

/** Runs the day on the workers and prints its summary; returns the exit code. */
export async function runDayOnRedis(
  useCase: UseCase,
  values: Record<string, string | boolean | undefined>,
  io: Io,
): Promise<number> {
  if (values["dry-run"])
    throw new ValidationError("--dry-run", "not with --redis (run the dry run without it)");
  const shards = values.shards === undefined ? undefined : Number(values.shards);
  if (shards !== undefined && !(Number.isInteger(shards) && shards >= 1 && shards <= 4096))
    throw new ValidationError("--shards", `must be an integer from 1 to 4096, got "${values.shards}"`);
  const creds = "segment" in useCase.file.audience ? brazeCredentials(io.env) : undefined;
  const braze = creds && new BrazeClient(creds);
  try {
    const result = await runDistributedDay(useCase, {
      redisUrl: values.redis as string,
      prefix: (values.prefix as string | undefined) ?? DEFAULT_PREFIX,
      shards,
      day: values.date as string | undefined,
      braze,
      audienceFile: values.audience as string | undefined,
      outcomesFolder: values.outcomes as string | undefined,
      onProgress: values.quiet ? undefined : progressPrinter(io),
    });
    const s = result.summary;
    io.out(
      result.alreadyDone
        ? `${result.day}: already done (sent ${s.sent}, failed ${s.failed})\n`
        : `${result.day}: done on Redis: ${s.audience} customers, decided ${JSON.stringify(s.decided)}, sent ${s.sent}, failed ${s.failed}, learned ${s.learned?.learned ?? 0}\n`,
    );
    return 0;
  } finally {
    await braze?.close();
  }
}
