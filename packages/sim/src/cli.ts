#!/usr/bin/env node
import { mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  importPresetModules,
  KairosError,
  type PolicyKind,
  registeredPresets,
  ValidationError,
} from "@kairos/core";
import {
  type CommandSpec,
  commandHelp,
  intFlag,
  numberFlag,
  onePositional,
  type ParsedArgs,
  parseCommandArgs,
  stringFlag,
  UsageError,
} from "./cli-args.js";
import { COMMANDS, type CommandName, USAGE } from "./cli-usage.js";
import {
  type DecisionLogHeader,
  decisionLogHeader,
  formatDecisionLog,
  isValidPropensity,
} from "./decision-log.js";
import { buildWorld, replicationSeed } from "./experiment.js";
import { readText } from "./files.js";
import type { LoggedDecision } from "./loop.js";
import {
  ESTIMATORS,
  estimateWithDiagnostics,
  type OpeData,
  type OpeDiagnostics,
  type OpeEstimate,
} from "./ope/estimators.js";
import { formatBanditOpe, LineError, parseBanditOpe } from "./ope/format.js";
import { opeFromDecisionLog } from "./ope/from-decision-log.js";
import { evaluateOffPolicy } from "./ope/simulated.js";
import { buildPolicy, type PolicySpec, parsePolicyList, parsePolicySpec } from "./policies.js";
import { readBanditProblem, replay } from "./replay.js";
import { fmt, textTable } from "./report/format.js";
import { resultsHtml } from "./report/html.js";
import { resultsTable } from "./report/table.js";
import { loadScenario } from "./scenario/load.js";
import type { Scenario } from "./scenario/schema.js";
import { DEFAULT_POLICIES, type PolicyDecisions, simulate } from "./simulate.js";
import { didYouMean } from "./suggest.js";

export { UsageError } from "./cli-args.js";

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

async function cmdRun(argv: string[], p: ParsedArgs, io: Out): Promise<void> {
  const file = onePositional(COMMANDS.run, p);
  const scenario = loadScenario(file);
  await importPresetModules(scenario.presetModules);
  const listed = stringFlag(p, "policies");
  const policies = listed === undefined ? scenarioPolicies(scenario) : parsePolicyList(listed);
  // Core policies are built once here (cheap), so bad settings fail before any work starts, in one line
  // naming where the setting was written; the simulator's baselines fail as early, in their jobs.
  checkPolicies(
    scenario,
    policies.filter((s) => s.kind in registeredPresets()),
    listed === undefined ? "scenario" : "--policies",
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
  const quiet = p.values.quiet === true;
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
  if (p.values.json) io.out(`${JSON.stringify(results)}\n`);
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

async function cmdCheck(p: ParsedArgs, io: Out): Promise<void> {
  const s = loadScenario(onePositional(COMMANDS.check, p));
  await importPresetModules(s.presetModules);
  const specs = scenarioPolicies(s);
  for (const kind of Object.keys(s.policySettings)) {
    if (!specs.some((spec) => spec.kind === kind)) specs.push({ label: kind, kind, params: {} });
  }
  checkPolicies(s, specs, "scenario");
  const combos = Object.values(s.actions.dimensions).reduce((n, o) => n * o.length, 1);
  io.out(
    `${s.name}: valid · ${Object.keys(s.features).length} features · ${Object.keys(s.actions.dimensions).length} dimensions (${combos} combinations) · ` +
      `${s.response.terms.length} response terms · ${s.days} days · ${s.population.size} customers · ${specs.length} policies\n`,
  );
}

/** The scenario's `policies` (else the default list); an unknown name is reported at `policies[i]`. */
function scenarioPolicies(scenario: Scenario): PolicySpec[] {
  if (!scenario.policies) return parsePolicyList(DEFAULT_POLICIES);
  const specs = scenario.policies.map((text, i) => {
    try {
      return parsePolicySpec(text);
    } catch (e) {
      if (e instanceof ValidationError) throw new ValidationError(`policies[${i}]`, afterField(e));
      throw e;
    }
  });
  return parsePolicyList(specs.map((s) => s.label).join(","));
}

/** A ValidationError's message without its leading field. */
function afterField(e: ValidationError): string {
  return e.message.startsWith(`${e.field}: `) ? e.message.slice(e.field.length + 2) : e.message;
}

/**
 * Builds every policy once, as the simulator will (settings from the spec over the scenario's
 * `policySettings`), so bad settings fail before any simulation, in one line naming where the setting was
 * written: `policySettings.<kind>.<key>` in the scenario, or the spec on the command line. `policySettings`
 * keys must be registered policy kinds (core's, and those of the scenario's `presetModules`).
 */
function checkPolicies(scenario: Scenario, specs: readonly PolicySpec[], source: "scenario" | "--policies") {
  const kinds = Object.keys(registeredPresets());
  for (const kind of Object.keys(scenario.policySettings)) {
    if (!kinds.includes(kind)) {
      throw new ValidationError(
        `policySettings.${kind}`,
        `not a core policy kind${didYouMean(kind, kinds)}; settings apply to ${kinds.join(", ")}`,
      );
    }
  }
  // A small population is enough to build policies: only the context schema's scaling depends on it.
  const world = buildWorld(scenario, replicationSeed(scenario, 1), Math.min(scenario.population.size, 1000));
  for (const spec of specs) {
    try {
      buildPolicy(spec, { scenario, space: world.space, context: world.context, seed: world.seed });
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      const setting = /^policy\.([^.[]+)/.exec(e.field)?.[1];
      const what = afterField(e).replace(/^Unrecognized key: "[^"]*"$/, "unknown setting");
      const fromSpec = setting !== undefined && setting in spec.params;
      const scenarioSettings = scenario.policySettings[spec.kind as PolicyKind];
      if (!fromSpec && setting !== undefined && scenarioSettings && setting in scenarioSettings)
        throw new ValidationError(`policySettings.${spec.kind}${e.field.slice("policy".length)}`, what);
      const listed = scenario.policies?.indexOf(spec.label) ?? -1;
      const where = source === "--policies" ? "--policies" : listed >= 0 ? `policies[${listed}]` : "policies";
      throw new ValidationError(
        where,
        `"${spec.label}": ${setting !== undefined ? `${e.field.slice("policy.".length)}: ` : ""}${what}`,
      );
    }
  }
}

/** Reads a JSON Lines file; an error on a line names the file and the line (`file.jsonl:3: …`). */
function readLines<T>(file: string, read: (file: string) => T): T {
  try {
    return read(file);
  } catch (e) {
    if (e instanceof LineError)
      throw new KairosError(e.code, `${file}:${e.line}: ${e.message.replace(/^line \d+: /, "")}`);
    throw e;
  }
}

function cmdOpe(p: ParsedArgs, io: Out): void {
  const file = onePositional(COMMANDS.ope, p);
  const text = readLines(file, readText);
  const seed = stringFlag(p, "seed") ?? 0;
  const target = stringFlag(p, "target");
  const snapshotFile = stringFlag(p, "snapshot");
  let name: string;
  let data: OpeData;
  let numActions: number;
  if (/^\s*\{[^\n]*"format"\s*:\s*"kairos-decision-log\/v1"/.test(text)) {
    if (!target)
      throw new UsageError(
        `${file} is a kairos-decision-log/v1 log: ope needs --target <policy> to evaluate (kairos-sim ope --help)`,
      );
    if (target === "logging" && snapshotFile)
      throw new UsageError(
        "--snapshot restores a target policy: the logging policy's probabilities are in the log",
      );
    const snapshot = snapshotFile === undefined ? undefined : readText(snapshotFile);
    const converted = readLines(file, () => opeFromDecisionLog(text, { target, snapshot, seed }));
    const h = converted.header;
    name = `${h.scenario ?? h.useCase ?? h.policy}:${target}`;
    data = converted.data;
    numActions = converted.numActions;
  } else {
    if (target || snapshotFile)
      throw new UsageError("--target and --snapshot apply to kairos-decision-log/v1 logs only");
    const parsed = readLines(file, () => parseBanditOpe(text));
    name = parsed.header.name;
    data = parsed.data;
    numActions = parsed.header.numActions;
  }
  const outFile = stringFlag(p, "out");
  if (outFile) writeFileSync(outFile, formatBanditOpe(name, data, numActions));
  const { estimates, diagnostics } = estimateWithDiagnostics(data, {
    maxWeight: numberFlag(p, "clip"),
    seed,
  });
  if (p.values.json) {
    for (const e of estimates)
      io.out(
        `${JSON.stringify({ estimator: e.estimator, estimate: e.estimate, ci: e.ci, rounds: e.rounds, ...(e.warning ? { warning: e.warning } : {}) })}\n`,
      );
    return;
  }
  io.out(
    `${name || "log"}: ${data.a.length} rounds, ${numActions} actions, context dimension ${data.x[0]!.length}\n` +
      `${describeDiagnostics(diagnostics)}\n\n`,
  );
  io.out(
    `${textTable(
      ["estimator", "estimate", "95% interval", "std. error"],
      estimates.map((e) => [e.estimator, fmt(e.estimate), intervalText(e), fmt(e.se)]),
    )}\n`,
  );
}

/** An estimate's interval, or why it has none. */
function intervalText(e: OpeEstimate): string {
  return e.ci ? `[${fmt(e.ci[0])}, ${fmt(e.ci[1])}]` : `cannot be trusted here: ${e.warning}`;
}

/** One line on the weights and the reward model. */
function describeDiagnostics(d: OpeDiagnostics): string {
  return (
    `weights: mean ${fmt(d.meanWeight)} (±${fmt(d.meanWeightSe)}; about 1 when the log covers the target), ` +
    `max ${fmt(d.maxWeight)}, effective rounds ${Math.round(d.effectiveRounds)} · reward model ${d.model}, ` +
    `cross-fitted in ${d.folds} folds · switch-DR τ = ${d.switchThreshold}`
  );
}

function cmdReplay(p: ParsedArgs, io: Out): void {
  const policy = stringFlag(p, "policy");
  if (!policy) throw new UsageError("replay needs --policy <name> (kairos-sim replay --help)");
  const problem = readLines(onePositional(COMMANDS.replay, p), readBanditProblem);
  const result = replay(problem, { policy, batch: intFlag(p, "batch"), seed: stringFlag(p, "seed") ?? 0 });
  if (p.values.json) io.out(`${JSON.stringify(result)}\n`);
  else {
    io.out(
      `${result.policy} on ${result.problem || "problem"}: ${result.rounds} rounds · mean reward ${fmt(result.meanReward)} · ` +
        `mean expected ${fmt(result.meanExpected)} (oracle ${fmt(result.oracleExpected)}) · regret ${fmt(result.regret)} · ${result.seconds.toFixed(2)} s\n`,
    );
  }
}

function cmdEvaluate(p: ParsedArgs, io: Out): void {
  const scenario = loadScenario(onePositional(COMMANDS.evaluate, p));
  const logging = stringFlag(p, "logging");
  const target = stringFlag(p, "target");
  if (!logging || !target)
    throw new UsageError(
      "evaluate needs --logging <policy> and --target <policy> (kairos-sim evaluate --help)",
    );
  const result = evaluateOffPolicy(scenario, {
    logging: parsePolicySpec(logging),
    target: parsePolicySpec(target),
    days: intFlag(p, "days"),
    trainDays: intFlag(p, "train-days", 0),
    populationSize: intFlag(p, "customers", 10),
    replication: intFlag(p, "seed") ?? 1,
    maxWeight: numberFlag(p, "clip"),
  });
  const outFile = stringFlag(p, "out");
  if (outFile)
    writeFileSync(outFile, formatBanditOpe(`${scenario.name}:${target}`, result.data, result.numActions));
  const logFile = stringFlag(p, "log");
  if (logFile)
    writeDecisionLog(logFile, decisionLogHeader(scenario, logging, result.context), result.decisions, io);
  if (p.values.json) {
    for (const e of result.estimates) {
      io.out(
        `${JSON.stringify({ estimator: e.estimator, estimate: e.estimate, ci: e.ci, rounds: e.rounds, truth: result.truth, error: e.error, ...(e.warning ? { warning: e.warning } : {}) })}\n`,
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
          intervalText(e),
          fmt(e.error),
          e.covered === null ? "(no interval)" : e.covered ? "yes" : "no",
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
    if (command === undefined) {
      out.err(USAGE);
      return 2;
    }
    if (command === "help" || command === "--help" || command === "-h") {
      const topic = rest[0];
      if (topic !== undefined && Object.hasOwn(COMMANDS, topic))
        out.out(commandHelp(COMMANDS[topic as CommandName]));
      else out.out(USAGE);
      return 0;
    }
    if (!Object.hasOwn(COMMANDS, command)) {
      const names = Object.keys(COMMANDS);
      throw new UsageError(
        `unknown command "${command}"${didYouMean(command, names)} (commands: ${names.join(", ")}; kairos-sim --help)`,
      );
    }
    const spec: CommandSpec = COMMANDS[command as CommandName];
    const args = parseCommandArgs(spec, rest);
    if (args.help) {
      out.out(commandHelp(spec));
      return 0;
    }
    switch (command as CommandName) {
      case "run":
        await cmdRun(rest, args, out);
        break;
      case "check":
        await cmdCheck(args, out);
        break;
      case "ope":
        cmdOpe(args, out);
        break;
      case "replay":
        cmdReplay(args, out);
        break;
      case "evaluate":
        cmdEvaluate(args, out);
        break;
    }
    return 0;
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
