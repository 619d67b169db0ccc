// The `kairos` command: dispatch, --help everywhere, and one exit-code policy: 0 success, 1 a failure a
// rerun may fix, 2 bad input (one line naming the field; nothing was sent).
import { KairosError, SnapshotMismatchError, ValidationError } from "@kairos/core";
import { type Command, type Io, parseCommand, UsageError } from "./command.js";
import { dayCommand } from "./day.js";
import { doctorCommand } from "./doctor.js";
import { exportLogCommand } from "./export-log.js";
import { reportCommand } from "./report.js";
import { rollbackCommand } from "./rollback.js";
import { statusCommand } from "./status.js";
import { validateCommand } from "./validate.js";
import { workerCommand } from "./worker.js";

const COMMANDS: readonly Command[] = [
  dayCommand,
  doctorCommand,
  statusCommand,
  reportCommand,
  rollbackCommand,
  validateCommand,
  exportLogCommand,
  workerCommand,
];

/** Help of `kairos` itself. */
export const USAGE = `usage: kairos <command> <use-case.json> [options]

Runs a Kairos use case in production against Braze, every day.

commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join("\n")}

Credentials: BRAZE_REST_ENDPOINT and BRAZE_API_KEY, from the environment only.
\`kairos <command> --help\` (or \`kairos help <command>\`) describes each command.

example:
  kairos validate use-cases/win-back.json && kairos doctor use-cases/win-back.json && kairos day use-cases/win-back.json
`;

/** Runs the command line `argv` (without node and script); returns the exit code. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h") {
    io.out(USAGE);
    return name === undefined ? 2 : 0;
  }
  const wanted = name === "help" ? rest[0] : name;
  const command = COMMANDS.find((c) => c.name === wanted);
  if (!command) {
    io.err(`kairos: unknown command "${wanted}" (commands: ${COMMANDS.map((c) => c.name).join(", ")})\n`);
    return 2;
  }
  if (name === "help" || rest.includes("--help") || rest.includes("-h")) {
    io.out(command.usage);
    return 0;
  }
  try {
    const { values, positionals } = parseCommand(command, rest);
    return await command.run(values, positionals, io);
  } catch (e) {
    if (e instanceof UsageError || e instanceof ValidationError || e instanceof SnapshotMismatchError) {
      io.err(`kairos ${command.name}: ${e.message}\n`);
      return 2;
    }
    if (e instanceof KairosError) {
      io.err(`kairos ${command.name}: ${e.message}\n`);
      return 1;
    }
    io.err(`kairos ${command.name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}
