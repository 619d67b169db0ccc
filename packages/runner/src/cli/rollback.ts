// `kairos rollback <use-case.json> --to N`: return to an earlier model (see ../rollback.ts).
import { rollback } from "../rollback.js";
import { openState } from "../state/open-state.js";
import { loadUseCase } from "../use-case/load.js";
import { type Command, STATE_OPTION, stateDirOf, UsageError } from "./command.js";

export const rollbackCommand: Command = {
  name: "rollback",
  summary: "list model snapshots, or make an earlier one current",
  positionals: "use-case",
  options: { ...STATE_OPTION, to: { type: "string" }, list: { type: "boolean" } },
  usage: `usage: kairos rollback <use-case.json> (--list | --to N) [--state DIR]

Every learning step saves a snapshot of the model. --list shows them; --to N makes snapshot N the current
model by appending a copy of it (history is kept, so a rollback can be undone by another). Rewards learned
after snapshot N are not learned again.

options:
  --list        list the snapshots, newest first
  --to N        return to snapshot N
  --state DIR   state directory of this use case (default: kairos-state/<use-case id>)
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
    const state = openState(stateDirOf(values, useCase), useCase.id, { lock: to !== undefined });
    try {
      if (to !== undefined) {
        const id = rollback(state, to, Date.now());
        io.out(`model is now snapshot #${id} (a copy of #${to}); the next cycle decides with it\n`);
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
