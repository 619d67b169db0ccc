// The commands of kairos-sim: flags with their defaults, help text and examples (see cli-args.ts).
import type { CommandSpec } from "./cli-args.js";
import { DEFAULT_POLICIES } from "./simulate.js";

const POLICY_NOTE =
  "Policies: random, bau, ab-test, segment-ab-test, oracle and every core kind (linucb, factorised-thompson, …).\n" +
  'Settings go after a colon, separated by ";"; a value is read as JSON when it is JSON, else as text:\n' +
  '  "epsilon-greedy:epsilon=0.05;halfLife=7"  "ab-test:days=14"  \'factorised-ucb:interactions=[["channel","hour"]]\'';

export const COMMANDS = {
  run: {
    name: "kairos-sim run",
    summary:
      "Simulates the scenario's customers day by day, runs every policy on the kairos group next to the random,\n" +
      "business-as-usual and holdout groups, and prints the comparison table (uplift, regret, share of the oracle).",
    positional: "<scenario.json>",
    positionalName: "scenario file",
    flags: {
      policies: {
        type: "string",
        value: "a,b,…",
        help: "policies to compare",
        default: `the scenario's "policies", else ${DEFAULT_POLICIES}`,
      },
      days: { type: "string", value: "N", help: "days simulated", default: 'the scenario\'s "days"' },
      seeds: {
        type: "string",
        value: "N|1,2,3",
        help: "replications: how many, or which (numbers ≥ 1)",
        default: "1",
      },
      customers: {
        type: "string",
        value: "N",
        help: "customers simulated (≥ 10)",
        default: 'the scenario\'s "population.size"',
      },
      workers: {
        type: "string",
        value: "N",
        help: "worker threads; 0 or 1 runs on the main thread",
        default: "available cores",
      },
      out: { type: "string", value: "DIR", help: "write report.html and results.json to DIR" },
      log: {
        type: "string",
        value: "FILE.jsonl",
        help: "write one policy's decisions (first replication) as a kairos-decision-log/v1 file",
      },
      "log-policy": {
        type: "string",
        value: "NAME",
        help: "the policy --log writes, as listed in --policies",
        default: "the only policy run",
      },
      json: { type: "boolean", help: "print the results as one JSON line instead of the table" },
      quiet: { type: "boolean", help: "no progress on stderr (shown on runs longer than 2 s)" },
    },
    notes: [POLICY_NOTE],
    examples: [
      "kairos-sim run simulations/default.json --seeds 3 --out sim-out",
      'kairos-sim run simulations/default.json --days 14 --policies "random,linucb,epsilon-greedy:epsilon=0.05"',
    ],
  },
  check: {
    name: "kairos-sim check",
    summary:
      'Validates a scenario file and builds every policy it names (its "policies", else the default list, and\n' +
      'every kind in "policySettings") with the scenario\'s settings; prints a one-line summary.',
    positional: "<scenario.json>",
    positionalName: "scenario file",
    flags: {},
    examples: ["kairos-sim check simulations/default.json"],
  },
  evaluate: {
    name: "kairos-sim evaluate",
    summary:
      "Off-policy evaluation against the truth: trains the target policy in the simulator, logs the logging\n" +
      "policy's decisions on the same customers, and compares every estimator's estimate with the true value.",
    positional: "<scenario.json>",
    positionalName: "scenario file",
    flags: {
      logging: { type: "string", value: "POLICY", help: "the policy whose decisions are logged (required)" },
      target: { type: "string", value: "POLICY", help: "the policy evaluated from the log (required)" },
      days: { type: "string", value: "N", help: "days logged", default: 'the scenario\'s "days"' },
      "train-days": {
        type: "string",
        value: "N",
        help: "days the target learns before it is evaluated",
        default: 'the scenario\'s "days"',
      },
      customers: {
        type: "string",
        value: "N",
        help: "customers simulated (≥ 10)",
        default: 'the scenario\'s "population.size"',
      },
      seed: { type: "string", value: "N", help: "replication simulated", default: "1" },
      clip: { type: "string", value: "M", help: "clip importance weights at M", default: "no clipping" },
      out: { type: "string", value: "FILE.jsonl", help: "write the log as a bandit-ope/v1 file" },
      log: { type: "string", value: "FILE.jsonl", help: "write the logging policy's kairos-decision-log/v1" },
      json: { type: "boolean", help: "print one JSON line per estimator instead of the table" },
    },
    notes: [POLICY_NOTE],
    examples: [
      "kairos-sim evaluate simulations/default.json --logging random --target factorised-thompson --days 7 --customers 3000",
    ],
  },
  ope: {
    name: "kairos-sim ope",
    summary:
      "Estimates a target policy's value per decision from a bandit-ope/v1 log, or from a kairos-decision-log/v1\n" +
      "log and a target (--target, optionally restored from --snapshot), with IPS, SNIPS, DM, DR and switch-DR:\n" +
      "each with a 95% interval, or a warning instead where the log cannot support one.",
    positional: "<log.jsonl>",
    positionalName: "log file",
    flags: {
      clip: { type: "string", value: "M", help: "clip importance weights at M", default: "no clipping" },
      target: {
        type: "string",
        value: "POLICY",
        help: "target policy, for a kairos-decision-log/v1 log (a core kind with settings, or logging: the logging policy from the log's probabilities)",
      },
      snapshot: {
        type: "string",
        value: "FILE.json",
        help: "kairos-policy/v1 snapshot the target is restored from",
        default: "an untrained target",
      },
      out: { type: "string", value: "FILE.jsonl", help: "write the converted log as bandit-ope/v1" },
      seed: {
        type: "string",
        value: "S",
        help: "seed of the cross-fitting folds and the target's draws",
        default: "0",
      },
      json: { type: "boolean", help: "print one JSON line per estimator instead of the table" },
    },
    examples: [
      "kairos-sim ope ope.jsonl --json",
      "kairos-sim ope decisions.jsonl --target factorised-thompson --snapshot policy.json --out ope.jsonl",
      "kairos-sim ope exported.jsonl --target logging",
    ],
  },
  replay: {
    name: "kairos-sim replay",
    summary:
      "Replays a bandit-problem/v1 full-feedback dataset: the policy decides each batch from the state at its\n" +
      "start and learns after it; prints mean reward, mean expected reward, the oracle's and the regret.",
    positional: "<problem.jsonl>",
    positionalName: "problem file",
    flags: {
      policy: {
        type: "string",
        value: "NAME",
        help: "a core policy kind, with settings after a colon (required)",
      },
      batch: {
        type: "string",
        value: "B",
        help: "rounds per batch",
        default: "the header's batchSize, else 1",
      },
      seed: { type: "string", value: "S", help: "the policy's seed", default: "0" },
      json: { type: "boolean", help: "print the result as one JSON line" },
    },
    notes: [
      'Settings: every option of the preset, after a colon, separated by ";"; a value is read as JSON when it\n' +
        "is JSON, else as text.",
    ],
    examples: [
      "kairos-sim replay problem.jsonl --policy linucb:alpha=0.5 --json",
      'kairos-sim replay problem.jsonl --policy \'factorised-thompson:interactions=[["channel","hour"]];propensityDraws=50\'',
    ],
  },
} satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

/** `kairos-sim --help`: the commands, and where each one's options are. */
export const USAGE = `kairos-sim: simulate customers to compare Kairos policies with the baselines marketers use

usage: kairos-sim <command> [arguments] [options]

commands:
  run <scenario.json>       simulate and compare policies with the control groups (the main job)
  check <scenario.json>     validate a scenario and the policies it names
  evaluate <scenario.json>  off-policy evaluation checked against the simulator's truth
  ope <log.jsonl>           off-policy estimates from a bandit-ope/v1 log
  replay <problem.jsonl>    replay a full-feedback bandit-problem/v1 dataset

Run "kairos-sim <command> --help" for a command's options, defaults and an example.

example:
  kairos-sim run simulations/default.json --seeds 3 --out sim-out
`;
