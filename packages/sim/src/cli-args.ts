// Command-line parsing for kairos-sim (and the repository's scripts): node:util's strict parseArgs, with its
// errors turned into one-line usage errors, and help text generated from the same option table.
import { parseArgs } from "node:util";
import { didYouMean } from "./suggest.js";

/** Bad command-line usage: reported in one line with exit code 2. */
export class UsageError extends Error {}

/** One `--flag` of a command. */
export interface FlagSpec {
  type: "string" | "boolean";
  /** What the value is, in help: `N`, `DIR`, `a,b,…`. */
  value?: string;
  help: string;
  /** The default, in words, for help. */
  default?: string;
}

/** A command: its positional argument, flags, help text and examples. */
export interface CommandSpec {
  /** `kairos-sim run`. */
  name: string;
  /** One line: what the command does. */
  summary: string;
  /** The positional argument in help (`<scenario.json>`), if the command takes one. */
  positional?: string;
  /** The positional argument in errors ("scenario file"). */
  positionalName?: string;
  flags: Record<string, FlagSpec>;
  /** Paragraphs after the options. */
  notes?: string[];
  examples: string[];
}

/** Parsed arguments of a command; `help` when --help or -h was given. */
export interface ParsedArgs {
  help: boolean;
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
}

/** Columns help text is wrapped to. */
const HELP_WIDTH = 100;

/** Splits text into lines of at most `width` characters at spaces (a longer word stays whole). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines;
}

/** The help text of a command: usage line, summary, options with defaults, notes, examples. */
export function commandHelp(cmd: CommandSpec): string {
  const rows: [string, string][] = Object.entries(cmd.flags).map(([name, f]) => [
    `--${name}${f.value ? ` ${f.value}` : ""}`,
    `${f.help}${f.default ? ` (default: ${f.default})` : ""}`,
  ]);
  rows.push(["-h, --help", "show this help"]);
  const width = Math.min(28, Math.max(...rows.map(([l]) => l.length)) + 2);
  const lines = [
    `usage: ${cmd.name}${cmd.positional ? ` ${cmd.positional}` : ""} [options]`,
    "",
    cmd.summary,
    "",
    "options:",
    ...rows.map(([left, right]) => {
      const body = wrap(right, HELP_WIDTH - 2 - width).join(`\n  ${" ".repeat(width)}`);
      return left.length + 2 > width
        ? `  ${left}\n  ${" ".repeat(width)}${body}`
        : `  ${left.padEnd(width)}${body}`;
    }),
  ];
  for (const note of cmd.notes ?? []) lines.push("", note);
  lines.push("", cmd.examples.length > 1 ? "examples:" : "example:", ...cmd.examples.map((e) => `  ${e}`));
  return `${lines.join("\n")}\n`;
}

/**
 * Parses a command's arguments strictly (node:util parseArgs): an unknown flag, a missing value or a value
 * given to a boolean flag is a one-line UsageError naming the flag, with a suggestion for a misspelled one.
 * `--help`/`-h` anywhere before `--` asks for help (nothing else is checked then). An empty value (`--days=`)
 * counts as missing.
 */
export function parseCommandArgs(cmd: CommandSpec, argv: readonly string[]): ParsedArgs {
  const end = argv.indexOf("--");
  const before = end < 0 ? argv : argv.slice(0, end);
  if (before.includes("--help") || before.includes("-h")) return { help: true, positionals: [], values: {} };
  const options = Object.fromEntries(Object.entries(cmd.flags).map(([name, f]) => [name, { type: f.type }]));
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
  } catch (e) {
    throw new UsageError(describeParseError(e, cmd));
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  for (const [name, v] of Object.entries(values)) {
    if (v === "") throw new UsageError(`--${name} needs a value`);
  }
  return { help: false, positionals: parsed.positionals, values };
}

/** node:util's parse errors, in one line. */
function describeParseError(e: unknown, cmd: CommandSpec): string {
  const err = e as Error & { code?: string };
  const flag = /'(-[^' ]+)/.exec(err.message)?.[1] ?? "";
  const known = Object.keys(cmd.flags).map((n) => `--${n}`);
  switch (err.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${flag}${didYouMean(flag, known, "") || ` (${cmd.name} --help lists the options)`}`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      if (/does not take an argument/.test(err.message)) return `${flag} takes no value`;
      if (/ambiguous/.test(err.message))
        return `${flag} needs a value (write ${flag}=<value> for a value starting with "-")`;
      return `${flag} needs a value`;
    default:
      return err.message.split("\n")[0]!;
  }
}

/** The single positional argument of a command, or a UsageError. */
export function onePositional(cmd: CommandSpec, args: ParsedArgs): string {
  const what = cmd.positionalName ?? "argument";
  if (args.positionals.length === 0)
    throw new UsageError(`expected exactly one ${what} (${cmd.name} --help)`);
  if (args.positionals.length > 1)
    throw new UsageError(
      `expected exactly one ${what}, got ${args.positionals.length}: ${args.positionals.join(" ")}`,
    );
  return args.positionals[0]!;
}

/** A whole-number flag ≥ `min`, or undefined when absent. */
export function intFlag(args: ParsedArgs, name: string, min = 1): number | undefined {
  const v = args.values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== "string" || !Number.isInteger(n) || n < min)
    throw new UsageError(`--${name} must be a whole number ≥ ${min}, got "${v}"`);
  return n;
}

/** A positive-number flag, or undefined when absent. */
export function numberFlag(args: ParsedArgs, name: string): number | undefined {
  const v = args.values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== "string" || !Number.isFinite(n) || n <= 0)
    throw new UsageError(`--${name} must be a positive number, got "${v}"`);
  return n;
}

/** A string flag, or undefined when absent. */
export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === "string" ? v : undefined;
}
