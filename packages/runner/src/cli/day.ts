// `kairos day <use-case.json>`: run (or finish) today's cycle; --dry-run prints the plan and sends nothing.
import { BrazeClient, systemClock } from "@kairos/braze-adapter";
import { ValidationError } from "@kairos/core";
import { brazeCredentials } from "../credentials.js";
import { dayOf } from "../days.js";
import { DISTRIBUTED_DAY_OPTIONS, DISTRIBUTED_DAY_USAGE, runDayOnRedis } from "../distributed/cli-day.js";
import { planDay } from "../plan.js";
import { runDay } from "../run-day.js";
import { openState } from "../state/open-state.js";
import { loadUseCase } from "../use-case/load.js";
import { type Command, STATE_OPTION, stateDirOf } from "./command.js";
import { dayLine } from "./day-line.js";
import { progressPrinter } from "./progress-printer.js";

export const dayCommand: Command = {
  name: "day",
  summary: "run today's cycle: audience, outcomes, learning, decisions, sends",
  positionals: "use-case",
  options: {
    ...STATE_OPTION,
    date: { type: "string" },
    "dry-run": { type: "boolean" },
    audience: { type: "string" },
    outcomes: { type: "string" },
    quiet: { type: "boolean" },
    ...DISTRIBUTED_DAY_OPTIONS,
  },
  usage: `usage: kairos day <use-case.json> [options]

Runs one daily cycle: reads the audience, ingests the outcome files that arrived, learns, decides for
every customer in one batch (with the control groups), and sends through the Braze trigger endpoints.
Idempotent and resumable: run it again for the same day after a crash and it finishes the day, with
nothing sent twice. Credentials come from BRAZE_REST_ENDPOINT and BRAZE_API_KEY only.

options:
  --state DIR       state directory of this use case (default: kairos-state/<use-case id>)
  --date YYYY-MM-DD the day to run (default: today, UTC)
  --dry-run         decide with the current model and print the plan; write and send nothing
  --audience FILE   read the audience from this file instead of the use case's
  --outcomes DIR    read outcome files from this folder instead of the use case's
  --quiet           no progress lines
${DISTRIBUTED_DAY_USAGE}  -h, --help        show this help

exit codes: 0 done, 1 failed (rerun to resume), 2 bad input (nothing was sent)

example:
  BRAZE_REST_ENDPOINT=https://rest.iad-01.braze.com BRAZE_API_KEY=... kairos day use-cases/win-back.json
`,
  async run(values, [file], io) {
    const useCase = await loadUseCase(file!);
    const date = values.date as string | undefined;
    if (date !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date))))
      throw new ValidationError("--date", `must be YYYY-MM-DD, got "${date}"`);
    if (values.redis !== undefined) return runDayOnRedis(useCase, values, io);
    const needsBraze = !values["dry-run"] || "segment" in useCase.file.audience;
    const creds = needsBraze ? brazeCredentials(io.env) : undefined;
    const braze = creds && new BrazeClient({ baseUrl: creds.baseUrl, apiKey: creds.apiKey });
    const dir = stateDirOf(values, useCase);
    const state = openState(dir, useCase.id, { lock: !values["dry-run"] });
    try {
      if (values["dry-run"]) {
        const day = date ?? dayOf(systemClock.now());
        const plan = await planDay(
          useCase,
          state,
          braze,
          day,
          systemClock.now(),
          values.audience as string | undefined,
        );
        io.out(
          `dry run of ${useCase.id} for ${day}: nothing is sent, no state is written\n${JSON.stringify(plan, null, 2)}\n`,
        );
        return 0;
      }
      const result = await runDay(useCase, state, braze!, {
        day: date,
        audienceFile: values.audience as string | undefined,
        outcomesFolder: values.outcomes as string | undefined,
        onProgress: values.quiet ? undefined : progressPrinter(io),
      });
      io.out(
        dayLine(result.day, result.alreadyDone, result.resumed ? "done (resumed)" : "done", result.summary),
      );
      return 0;
    } finally {
      await state.close();
      await braze?.close();
    }
  },
};
