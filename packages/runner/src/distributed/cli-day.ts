// `kairos day <use-case.json> --redis URL`: the day on the workers (the options `kairos day` adds, and what
// it runs then).
import { BrazeClient } from "@kairos/braze-adapter";
import { ValidationError } from "@kairos/core";
import { type Io, stateDirOf } from "../cli/command.js";
import { dayLine } from "../cli/day-line.js";
import { progressPrinter } from "../cli/progress-printer.js";
import { brazeCredentials } from "../credentials.js";
import { openState } from "../state/open-state.js";
import type { UseCase } from "../use-case/compile.js";
import { runDistributedDay } from "./coordinator.js";
import { cycleSummaryOf } from "./decision-rows.js";
import { DEFAULT_PREFIX } from "./queue.js";

/** The options `kairos day` takes for the distributed mode. */
export const DISTRIBUTED_DAY_OPTIONS = {
  redis: { type: "string" },
  prefix: { type: "string" },
  shards: { type: "string" },
  "ledger-days": { type: "string" },
} as const;

/** Their lines in `kairos day --help`. */
export const DISTRIBUTED_DAY_USAGE = `  --redis URL       run the day on the workers (kairos worker --redis URL) through Redis: the
                    audience split in shards, each shard's decisions and sends on any worker; the
                    decisions and the day's cycle are then written to --state, for status and report
                    (with the day's data_series when BRAZE_REST_ENDPOINT and BRAZE_API_KEY are set)
  --shards N        audience shards (default 16; fixed by the use case's first day on Redis)
  --ledger-days N   days a settled send stays in the Redis ledgers (default 2, at least 1)
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
  const ledgerDays = values["ledger-days"] === undefined ? undefined : Number(values["ledger-days"]);
  if (ledgerDays !== undefined && !(Number.isInteger(ledgerDays) && ledgerDays >= 1))
    throw new ValidationError(
      "--ledger-days",
      `must be an integer of at least 1, got "${values["ledger-days"]}"`,
    );
  // Needed for a segment audience; else used, when present, to pull the day's data_series.
  const creds =
    "segment" in useCase.file.audience || (io.env.BRAZE_REST_ENDPOINT && io.env.BRAZE_API_KEY)
      ? brazeCredentials(io.env)
      : undefined;
  const braze = creds && new BrazeClient(creds);
  const state = openState(stateDirOf(values, useCase), useCase.id);
  try {
    const result = await runDistributedDay(useCase, {
      redisUrl: values.redis as string,
      state,
      prefix: (values.prefix as string | undefined) ?? DEFAULT_PREFIX,
      shards,
      ledgerDays,
      day: values.date as string | undefined,
      braze,
      audienceFile: values.audience as string | undefined,
      outcomesFolder: values.outcomes as string | undefined,
      onProgress: values.quiet ? undefined : progressPrinter(io),
    });
    io.out(dayLine(result.day, result.alreadyDone, "done on Redis", cycleSummaryOf(result.summary)));
    return 0;
  } finally {
    await state.close();
    await braze?.close();
  }
}
