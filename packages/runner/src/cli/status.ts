// `kairos status <use-case.json>`: the last cycles in the terminal.
import { openState } from "../state/open-state.js";
import { statusText } from "../status.js";
import { loadUseCase } from "../use-case/load.js";
import { type Command, STATE_OPTION, stateDirOf, UsageError } from "./command.js";

export const statusCommand: Command = {
  name: "status",
  summary: "print the last cycles, the current model and the send ledger",
  positionals: "use-case",
  options: { ...STATE_OPTION, days: { type: "string" } },
  usage: `usage: kairos status <use-case.json> [--state DIR] [--days N]

Prints one line per recent day (audience, decisions per group, skipped, sent, failed, rewards learned,
model version), the current model snapshot, the send ledger's counts, and Braze vs Kairos: per day and
campaign/Canvas, the sends and conversions Braze's data_series counted against Kairos' own. Reads only.

options:
  --state DIR   state directory of this use case (default: kairos-state/<use-case id>)
  --days N      how many days (default: 14)
  -h, --help    show this help

example:
  kairos status use-cases/win-back.json --days 7
`,
  async run(values, [file], io) {
    const useCase = await loadUseCase(file!);
    const days = values.days === undefined ? 14 : Number(values.days);
    if (!Number.isInteger(days) || days < 1)
      throw new UsageError(`--days needs a positive whole number, got "${values.days}"`);
    const state = openState(stateDirOf(values, useCase), useCase.id, { lock: false });
    try {
      io.out(await statusText(state, days, useCase));
      return 0;
    } finally {
      await state.close();
    }
  },
};
