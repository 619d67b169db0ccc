// `kairos validate <use-case.json>`: check a use-case file without touching state or Braze.
import { loadUseCase } from "../use-case/load.js";
import type { Command } from "./command.js";

export const validateCommand: Command = {
  name: "validate",
  summary: "check a use-case file (schema and cross-field rules); nothing else is touched",
  positionals: "use-case",
  options: {},
  usage: `usage: kairos validate <use-case.json>

Validates the file against the schema (packages/runner/schema/use-case.schema.json) and the rules
between fields: options named in Liquid mappings, eligibility, renames and the business-as-usual action
exist; every target option has a campaign or Canvas; send hours avoid the quiet hours; the policy's
settings are valid for its kind. Prints the size of the action space.

exit codes: 0 valid, 2 invalid (one line naming the field)

example:
  kairos validate use-cases/win-back.json
`,
  async run(_values, [file], io) {
    const useCase = await loadUseCase(file!);
    io.out(
      `${file}: valid (${useCase.id}: ${useCase.space.dimensions.length} dimensions, ${useCase.space.size} combinations, metric ${useCase.metric.name}, policy ${useCase.file.policy.kind})\n`,
    );
    return 0;
  },
};
