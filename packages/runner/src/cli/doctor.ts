// `kairos doctor <use-case.json>`: is everything in place? (see ../doctor.ts)
import { doctor } from "../doctor.js";
import { loadUseCase } from "../use-case/load.js";
import { type Command, STATE_OPTION, stateDirOf } from "./command.js";

export const doctorCommand: Command = {
  name: "doctor",
  summary: "check the use case, credentials, state directory, API key permissions and creatives",
  positionals: "use-case",
  options: { ...STATE_OPTION },
  usage: `usage: kairos doctor <use-case.json> [--state DIR]

Checks, without sending anything or writing any profile: the use-case file, BRAZE_REST_ENDPOINT and
BRAZE_API_KEY, the state directory, the API key's permissions (one harmless read per permission), and
that each campaign's or Canvas' creative reads only trigger properties Kairos sends.

options:
  --state DIR   state directory of this use case (default: kairos-state/<use-case id>)
  -h, --help    show this help

exit codes: 0 all good, 1 something blocks \`kairos day\` (lines marked FAIL), 2 bad input

example:
  kairos doctor use-cases/win-back.json
`,
  async run(values, [file], io) {
    const useCase = await loadUseCase(file!);
    const checks = await doctor(useCase, stateDirOf(values, useCase), io.env);
    const mark = { ok: "ok  ", fail: "FAIL", warn: "warn", skip: "skip" } as const;
    for (const c of checks) io.out(`${mark[c.status]}  ${c.name}: ${c.detail}\n`);
    const failed = checks.filter((c) => c.status === "fail").length;
    io.out(failed ? `${failed} problem(s) block kairos day\n` : "ready\n");
    return failed ? 1 : 0;
  },
};
