// What every `kairos` command is made of, and the parsing they share (node:util parseArgs, strict): an
// unknown option or a missing value is one line and exit code 2.
import { resolve } from "node:path";
import { type ParseArgsConfig, parseArgs } from "node:util";
import type { UseCase } from "../use-case/compile.js";

/** Where a command writes (the process' streams, or buffers in tests). */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Whether `err` is a terminal (progress redraws one line). */
  tty?: boolean;
}

/** Bad command-line input: printed as one line, exit code 2. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** A `kairos` command. */
export interface Command {
  name: string;
  summary: string;
  /** The full --help text. */
  usage: string;
  options: Options;
  /** Positional arguments: the use-case file, or none. */
  positionals: "use-case" | "none";
  run(values: Record<string, string | boolean | undefined>, positionals: string[], io: Io): Promise<number>;
}

/** Options every use-case command takes. */
export const STATE_OPTION: Options = { state: { type: "string" } };

/** Parses a command's arguments; throws UsageError with one line naming the problem. */
export function parseCommand(
  command: Command,
  argv: readonly string[],
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options: command.options, strict: true, allowPositionals: true });
  } catch (e) {
    const err = e as Error & { code?: string };
    const flag = /'(-[^' ]+)/.exec(err.message)?.[1] ?? "";
    if (err.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION")
      throw new UsageError(`unknown option ${flag} (kairos ${command.name} --help lists the options)`);
    if (err.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") throw new UsageError(`${flag} needs a value`);
    throw new UsageError(err.message.split("\n")[0]!);
  }
  const positionals = parsed.positionals;
  if (command.positionals === "use-case" && positionals.length !== 1)
    throw new UsageError(
      positionals.length === 0
        ? `which use case? kairos ${command.name} <use-case.json>`
        : `unexpected argument ${positionals[1]} (one use-case file)`,
    );
  if (command.positionals === "none" && positionals.length > 0)
    throw new UsageError(`unexpected argument ${positionals[0]}`);
  return { values: parsed.values as Record<string, string | boolean | undefined>, positionals };
}

/** The state directory: --state, else kairos-state/<use-case id> under the current directory. */
export function stateDirOf(values: Record<string, unknown>, useCase: UseCase): string {
  return resolve(typeof values.state === "string" ? values.state : `kairos-state/${useCase.id}`);
}
