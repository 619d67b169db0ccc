#!/usr/bin/env node
import { mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { KairosError } from "@kairos/core";
import {
  type DecisionLogHeader,
  decisionLogHeader,
  formatDecisionLog,
  isValidPropensity,
} from "./decision-log.js";
import type { LoggedDecision } from "./loop.js";
import { ESTIMATORS, estimatePolicyValue } from "./ope/estimators.js";
import { formatBanditOpe, readBanditOpe } from "./ope/format.js";
import { evaluateOffPolicy } from "./ope/simulated.js";
import { parsePolicyList, parsePolicySpec } from "./policies.js";
import { readBanditProblem, replay } from "./replay.js";
import { fmt, textTable } from "./report/format.js";
import { resultsHtml } from "./report/html.js";
import { resultsTable } from "./report/table.js";
import { loadScenario } from "./scenario/load.js";
import { DEFAULT_POLICIES, type PolicyDecisions, simulate } from "./simulate.js";

/** Bad command-line usage: reported in one line with exit code 2. */
export class UsageError extends Error {}

const USAGE = `kairos-sim: simulate customers to compare Kairos policies with the baselines marketers use

usage:
  kairos-sim run <scenario.json> [--policies a,b,…] [--days N] [--seeds N|1,2,3] [--customers N]
                 [--workers N] [--out DIR] [--log decisions.jsonl] [--log-policy <policy>]
                 [--json] [--quiet]
  kairos-sim check <scenario.json>
  kairos-sim evaluate <scenario.json> --logging <policy> --target <policy> [--days N] [--train-days N]
                 [--customers N] [--seed N] [--out ope.jsonl] [--log decisions.jsonl] [--json]
  kairos-sim ope <log.jsonl> [--json] [--clip M] [--bootstrap B] [--seed S]
  kairos-sim replay <problem.jsonl> --policy <name> [--batch B] [--seed S] [--json]

Policies: random, bau, ab-test, segment-ab-test, oracle and every core kind (linucb,
factorised-thompson, …); settings after a colon, separated by ';': "epsilon-greedy:epsilon=0.05".`;

interface Parsed {
  positional: string[];
  flags: Map<string, string | true>;
}

/** Splits argv into positionals and `--flag value` / `--flag=value` / boolean flags, rejecting unknown ones. */
export function parseArgs(
  argv: readonly string[],
  valued: readonly string[],
  booleans: readonly string[],
): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (booleans.includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags.set(name, true);
    } else if (valued.includes(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || value === "") throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return { positional, flags };
}

function intFlag(p: Parsed, name: string, min = 1): number | undefined {
  const v = p.flags.get(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`--${name} must be a whole number ≥ ${min}, got "${v}"`);
  return n;
}

function numberFlag(p: Parsed, name: string): number | undefined {
  const v = p.flags.get(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number, got "${v}"`);
  return n;
}

function stringFlag(p: Parsed, name: string): string | undefined {
  const v = p.flags.get(name);
  return typeof v === "string" ? v : undefined;
}

function onePositional(p: Parsed, what: string): string {
  if (p.positional.length !== 1) throw new UsageError(`expected exactly one ${what}`);
  return p.positional[0]!;
}

/** `--seeds 3` (three replications) or `--seeds 1,4,9` (those replications). */
function parseSeeds(text: string | undefined): number | number[] | undefined {
  if (text === undefined) return undefined;
  const parts = text.split(",").map((s) => s.trim());
  const nums = parts.map(Number);
  if (nums.some((n) => !Number.isInteger(n) || n < 1))
    throw new UsageError(`--seeds must be a count or a list of whole numbers ≥ 1, got "${text}"`);
  return parts.length === 1 ? nums[0]! : nums;
}

type Out = {
  out: (s: string) => void;
  err: (s: string) => void;
  /** Whether stderr is a terminal (progress then rewrites one line). */
  isTTY: boolean;
  /** Seconds a run must last before progress shows (2; tests use 0). */
  progressDelay: number;
};

/** A duration for people: "42 s", "3 min 05 s", "1 h 02 min". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}

/** One progress line: done share, time so far and, until done, the time left at the pace so far. */
export function progressLine(fraction: number, elapsed: number): string {
  const done = `simulating ${Math.floor(fraction * 100)}% · ${formatDuration(elapsed)}`;
  if (fraction >= 1) return `${done}, done`;
  // Before 5% the pace says little (workers are still starting).
  if (fraction < 0.05) return `${done} elapsed`;
  return `${done} elapsed, about ${formatDuration((elapsed * (1 - fraction)) / fraction)} left`;
}

async function cmdRun(argv: string[], io: Out): Promise<void> {
  const p = parseArgs(
    argv,
    ["policies", "days", "seeds", "customers", "workers", "out", "log", "log-policy"],
    ["json", "quiet"],
  );
  const file = onePositional(p, "scenario file");
  const scenario = loadScenario(file);
  const policies = parsePolicyList(
    stringFlag(p, "policies") ?? scenario.policies?.join(",") ?? DEFAULT_POLICIES,
  );
  const logFile = stringFlag(p, "log");
  let logPolicy = stringFlag(p, "log-policy");
  if (logPolicy && !logFile) throw new UsageError("--log-policy needs --log <file.jsonl>");
  if (logFile && !logPolicy) {
    if (policies.length > 1) {
      throw new UsageError(
        `--log needs --log-policy <name> when several policies run (${policies.map((s) => s.label).join(", ")})`,
      );
    }
    logPolicy = policies[0]!.label;
  }
  let logged: PolicyDecisions | undefined;
  const started = performance.now();
  let lastShown = -1;
  const quiet = p.flags.has("quiet");
  const results = await simulate(scenario, {
    policies,
    replications: parseSeeds(stringFlag(p, "seeds")),
    days: intFlag(p, "days"),
    populationSize: intFlag(p, "customers", 10),
    workers: intFlag(p, "workers", 0),
    onProgress: (fraction) => {
      if (quiet) return;
      // Progress only on runs long enough to wonder about, on stderr so stdout stays the table: every 5%,
      // with the time left at the pace so far (a terminal rewrites one line).
      const elapsed = (performance.now() - started) / 1000;
      if (elapsed < io.progressDelay) return;
      const step = Math.floor(fraction * 20);
      if (step === lastShown) return;
      lastShown = step;
      const line = progressLine(fraction, elapsed);
      io.err(io.isTTY ? `\r${line}\x1b[K${fraction >= 1 ? "\n" : ""}` : `${line}\n`);
    },
    ...(logFile && logPolicy
      ? {
          log: {
            policy: logPolicy,
            onLog: (l: PolicyDecisions) => {
              logged = l;
            },
          },
        }
      : {}),
  });
  if (lastShown >= 0 && io.isTTY && lastShown < 20) io.err("\n");
  const outDir = stringFlag(p, "out");
  if (outDir) {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, "results.json"), `${JSON.stringify(results, null, 1)}\n`);
    writeFileSync(
      join(outDir, "report.html"),
      resultsHtml(results, {
        driftDays: scenario.drift.map((d) => d.day),
        command: `kairos-sim run ${argv.join(" ")}`,
      }),
    );
  }
  let logNote = "";
  if (logFile && logged) {
    const written = writeDecisionLog(
      logFile,
      decisionLogHeader(scenario, logged.policy, logged.context, logged.seed),
      logged.decisions,
      io,
    );
    logNote = `wrote ${written} decisions of ${logged.policy} (replication ${logged.replication}) to ${logFile}\n`;
  }
  if (p.flags.has("json")) io.out(`${JSON.stringify(results)}\n`);
  else {
    io.out(resultsTable(results));
    if (outDir) io.out(`\nwrote ${join(outDir, "report.html")} and ${join(outDir, "results.json")}\n`);
    if (logNote) io.out(`${outDir ? "" : "\n"}${logNote}`);
  }
}

/**
 * Writes a decision log, leaving out (and reporting on stderr) decisions without a propensity in (0, 1]: the
 * format requires one, and an off-policy estimate from a log with a made-up propensity would be wrong.
 * Returns how many decisions were written.
 */
function writeDecisionLog(
  file: string,
  header: DecisionLogHeader,
  decisions: readonly LoggedDecision[],
  io: Out,
): number {
  const usable = decisions.filter((d) => isValidPropensity(d.propensity));
  const left = decisions.length - usable.length;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, formatDecisionLog(header, usable));
  if (left > 0) io.err(`kairos-sim: ${left} decisions without a usable propensity left out of ${file}\n`);
  return usable.length;
}

function cmdCheck(argv: string[], io: Out): void {
  const p = parseArgs(argv, [], []);
  const s = loadScenario(onePositional(p, "scenario file"));
  const combos = Object.values(s.actions.dimensions).reduce((n, o) => n * o.length, 1);
  io.out(
    `${s.name}: valid · ${Object.keys(s.features).length} features · ${Object.keys(s.actions.dimensions).length} dimensions (${combos} combinations) · ` +
      `${s.response.terms.length} response terms · ${s.days} days · ${s.population.size} customers\n`,
  );
}

function cmdOpe(argv: string[], io: Out): void {
  const p = parseArgs(argv, ["clip", "bootstrap", "seed"], ["json"]);
  const { header, data } = readBanditOpe(onePositional(p, "log file"));
  const estimates = estimatePolicyValue(data, {
    maxWeight: numberFlag(p, "clip"),
    bootstrap: intFlag(p, "bootstrap", 0),
    seed: stringFlag(p, "seed") ?? 0,
  });
  if (p.flags.has("json")) {
    for (const e of estimates)
      io.out(
        `${JSON.stringify({ estimator: e.estimator, estimate: e.estimate, ci: e.ci, rounds: e.rounds })}\n`,
      );
    return;
  }
  io.out(
    `${header.name || "log"}: ${data.a.length} rounds, ${header.numActions} actions, context dimension ${header.contextDim}\n\n`,
  );
  io.out(
    `${textTable(
      ["estimator", "estimate", "95% interval", "std. error"],
      estimates.map((e) => [e.estimator, fmt(e.estimate), `[${fmt(e.ci[0])}, ${fmt(e.ci[1])}]`, fmt(e.se)]),
    )}\n`,
  );
}

function cmdReplay(argv: string[], io: Out): void {
  const p = parseArgs(argv, ["policy", "batch", "seed"], ["json"]);
  const policy = stringFlag(p, "policy");
  if (!policy) throw new UsageError("replay needs --policy <name>");
  const problem = readBanditProblem(onePositional(p, "problem file"));
  const result = replay(problem, { policy, batch: intFlag(p, "batch"), seed: stringFlag(p, "seed") ?? 0 });
  if (p.flags.has("json")) io.out(`${JSON.stringify(result)}\n`);
  else {
    io.out(
      `${result.policy} on ${result.problem || "problem"}: ${result.rounds} rounds · mean reward ${fmt(result.meanReward)} · ` +
        `mean expected ${fmt(result.meanExpected)} (oracle ${fmt(result.oracleExpected)}) · regret ${fmt(result.regret)} · ${result.seconds.toFixed(2)} s\n`,
    );
  }
}

function cmdEvaluate(argv: string[], io: Out): void {
  const p = parseArgs(
    argv,
    ["logging", "target", "days", "train-days", "customers", "seed", "out", "log", "bootstrap", "clip"],
    ["json"],
  );
  const scenario = loadScenario(onePositional(p, "scenario file"));
  const logging = stringFlag(p, "logging");
  const target = stringFlag(p, "target");
  if (!logging || !target) throw new UsageError("evaluate needs --logging <policy> and --target <policy>");
  const result = evaluateOffPolicy(scenario, {
    logging: parsePolicySpec(logging),
    target: parsePolicySpec(target),
    days: intFlag(p, "days"),
    trainDays: intFlag(p, "train-days", 0),
    populationSize: intFlag(p, "customers", 10),
    replication: intFlag(p, "seed") ?? 1,
    bootstrap: intFlag(p, "bootstrap", 0),
    maxWeight: numberFlag(p, "clip"),
  });
  const outFile = stringFlag(p, "out");
  if (outFile)
    writeFileSync(outFile, formatBanditOpe(`${scenario.name}:${target}`, result.data, result.numActions));
  const logFile = stringFlag(p, "log");
  if (logFile)
    writeDecisionLog(logFile, decisionLogHeader(scenario, logging, result.context), result.decisions, io);
  if (p.flags.has("json")) {
    for (const e of result.estimates) {
      io.out(
        `${JSON.stringify({ estimator: e.estimator, estimate: e.estimate, ci: e.ci, rounds: e.rounds, truth: result.truth, error: e.error })}\n`,
      );
    }
    return;
  }
  io.out(
    `${target} evaluated from ${result.data.a.length} decisions logged by ${logging} · truth ${fmt(result.truth)} per decision ` +
      `(logging policy got ${fmt(result.loggingValue)})\n\n`,
  );
  io.out(
    `${textTable(
      ["estimator", "estimate", "95% interval", "error", "covers truth"],
      ESTIMATORS.map((name) => {
        const e = result.estimates.find((x) => x.estimator === name)!;
        return [
          name,
          fmt(e.estimate),
          `[${fmt(e.ci[0])}, ${fmt(e.ci[1])}]`,
          fmt(e.error),
          e.covered ? "yes" : "no",
        ];
      }),
    )}\n`,
  );
}

/** Runs the CLI; returns the exit code (0 ok, 2 bad arguments or input, 1 unexpected failure). */
export async function main(argv: readonly string[], io?: Partial<Out>): Promise<number> {
  const out: Out = {
    out: io?.out ?? ((s) => process.stdout.write(s)),
    err: io?.err ?? ((s) => process.stderr.write(s)),
    isTTY: io?.isTTY ?? Boolean(process.stderr.isTTY),
    progressDelay: io?.progressDelay ?? 2,
  };
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "run":
        await cmdRun(rest, out);
        return 0;
      case "check":
        cmdCheck(rest, out);
        return 0;
      case "ope":
        cmdOpe(rest, out);
        return 0;
      case "replay":
        cmdReplay(rest, out);
        return 0;
      case "evaluate":
        cmdEvaluate(rest, out);
        return 0;
      case "help":
      case "--help":
      case "-h":
        out.out(`${USAGE}\n`);
        return 0;
      case undefined:
        out.err(`${USAGE}\n`);
        return 2;
      default:
        throw new UsageError(`unknown command "${command}" (run, check, evaluate, ope, replay)`);
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof KairosError) {
      out.err(`kairos-sim: ${e.message.split("\n")[0]}\n`);
      return 2;
    }
    out.err(`kairos-sim: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}

// Run when executed directly (bin, tsx), not when imported by tests.
const invoked = process.argv[1] ? safeRealpath(process.argv[1]) : "";
if (invoked === safeRealpath(fileURLToPath(import.meta.url))) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

function safeRealpath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
