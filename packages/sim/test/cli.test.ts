import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { formatDuration, main, progressLine } from "../src/cli.js";
import { COMMANDS } from "../src/cli-usage.js";
import { parseDecisionLog } from "../src/decision-log.js";
import { fixtureJson, fixturePath, simulationPath } from "./helpers.js";

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return cliWith({}, ...argv);
}

async function cliWith(
  io: { progressDelay?: number; isTTY?: boolean },
  ...argv: string[]
): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s), isTTY: false, ...io });
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), "kairos-sim-cli-"));

/** Writes the fixture scenario, changed by `edit`, to a file of the test directory; returns its path. */
function scenarioFile(name: string, edit: (json: Record<string, unknown>) => void): string {
  const json = fixtureJson();
  edit(json);
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(json, null, 2));
  return file;
}

/** Runs the CLI and expects exit code 2 with one line on stderr matching `message`, nothing on stdout. */
async function expectUsageError(argv: string[], message: RegExp): Promise<string> {
  const r = await cli(...argv);
  expect(r.code, argv.join(" ")).toBe(2);
  expect(r.err.trim().split("\n"), argv.join(" ")).toHaveLength(1);
  expect(r.err, argv.join(" ")).toMatch(message);
  expect(r.out, argv.join(" ")).toBe("");
  return r.err.trim();
}

describe("kairos-sim CLI", () => {
  it("exits with code 2 and a one-line reason on bad input", async () => {
    const bad = join(dir, "bad.json");
    const json = fixtureJson();
    (json.response as { terms: unknown[] }).terms.push({ effect: 1, when: { chanel: "sms" } });
    writeFileSync(bad, JSON.stringify(json));
    const cases: [string[], RegExp][] = [
      [["frobnicate"], /unknown command/],
      [["run"], /exactly one scenario file/],
      [["run", join(dir, "missing.json")], /cannot read scenario/],
      [["run", bad], /response\.terms\[7\]\.when\.chanel/],
      [["run", fixturePath("personal.json"), "--days", "zero"], /--days must be a whole number/],
      [["run", fixturePath("personal.json"), "--policies", "nonsense"], /unknown policy "nonsense"/],
      [["run", fixturePath("personal.json"), "--colour"], /unknown option --colour \(kairos-sim run --help/],
      [
        ["run", fixturePath("personal.json"), "--seed", "2"],
        /unknown option --seed \(did you mean --seeds\?\)/,
      ],
      [["run", fixturePath("personal.json"), "--days"], /--days needs a value/],
      [["run", fixturePath("personal.json"), "--days="], /--days needs a value/],
      [["run", fixturePath("personal.json"), "--json=yes"], /--json takes no value/],
      [
        ["replay", fixturePath("personal.json"), "--polcy", "linucb"],
        /unknown option --polcy \(did you mean --policy\?\)/,
      ],
      [["ope", fixturePath("personal.json"), "--clip", "-1"], /--clip needs a value/],
      [["rnu", fixturePath("personal.json")], /unknown command "rnu" \(did you mean "run"\?\)/],
      [["run", fixturePath("personal.json"), "--log", join(dir, "l.jsonl")], /--log needs --log-policy/],
      [["run", fixturePath("personal.json"), "--log-policy", "random"], /--log-policy needs --log/],
      [
        ["run", fixturePath("personal.json"), "--log", join(dir, "l.jsonl"), "--log-policy", "linucb"],
        /cannot log "linucb": not among the policies run/,
      ],
      [
        ["run", fixturePath("personal.json"), "--policies", "oracle", "--log", join(dir, "l.jsonl")],
        /the oracle has no propensities/,
      ],
      [
        [
          "run",
          fixturePath("personal.json"),
          "--policies",
          "lints:propensityDraws=0",
          "--log",
          join(dir, "l.jsonl"),
        ],
        /propensityDraws must be > 0/,
      ],
      [["ope", join(dir, "missing.jsonl")], /cannot read/],
      [["replay", fixturePath("personal.json")], /needs --policy/],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(...argv);
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.err, argv.join(" ")).toMatch(message);
      expect(r.err.trim().split("\n"), argv.join(" ")).toHaveLength(1);
      expect(r.out).toBe("");
    }
  });

  it("run prints the table and writes report.html and results.json", async () => {
    const out = join(dir, "run");
    const r = await cli(
      "run",
      fixturePath("personal.json"),
      "--policies",
      "random,ab-test,factorised-thompson",
      "--days",
      "4",
      "--customers",
      "300",
      "--workers",
      "1",
      "--out",
      out,
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/policy \(kairos group\)/);
    expect(r.out).toMatch(/factorised-thompson/);
    expect(r.out).toMatch(/uplift vs random/);
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
    expect(results.format).toBe("kairos-sim-results/v1");
    expect(results.policies).toHaveLength(3);
    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html).toMatch(/<svg/);
    expect(html).toMatch(/Cumulative regret/);
    expect(html).toMatch(/Best channel chosen/);
    expect(html).not.toMatch(/<script/);
  });

  it("run --log writes the chosen policy's decision log, with propensities, and the same results", async () => {
    const log = join(dir, "logs", "thompson.jsonl");
    const argv = [
      "run",
      fixturePath("personal.json"),
      "--policies",
      "random,factorised-thompson",
      "--days",
      "4",
      "--customers",
      "300",
      "--seeds",
      "2",
      "--workers",
      "2",
      "--json",
      "--quiet",
    ];
    const plain = await cli(...argv);
    const r = await cli(...argv, "--log", log, "--log-policy", "factorised-thompson");
    expect(r.code, r.err).toBe(0);
    expect(r.err).toBe("");
    expect(existsSync(log)).toBe(true);
    const lines = readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({
      format: "kairos-decision-log/v1",
      policy: "factorised-thompson",
      seed: expect.stringMatching(/-1$/),
    });
    const rows = lines.slice(1);
    expect(rows.length).toBeGreaterThan(50);
    for (const row of rows) {
      expect(row.propensity).toBeGreaterThan(0);
      expect(row.propensity).toBeLessThanOrEqual(1);
      expect(Number.isFinite(row.reward)).toBe(true);
    }
    // Thompson propensities are estimates, not all 1: the policy explores.
    expect(rows.some((row) => row.propensity < 1)).toBe(true);
    expect(parseDecisionLog(readFileSync(log, "utf8")).rows).toHaveLength(rows.length);
    // Logging only adds propensities: the decisions, hence the results, are unchanged.
    const strip = (out: string) => ({ ...JSON.parse(out), seconds: 0 });
    expect(strip(r.out)).toEqual(strip(plain.out));
  });

  it("run shows progress with the time left on stderr, and --quiet hides it", async () => {
    const argv = [
      "run",
      fixturePath("personal.json"),
      "--policies",
      "random,linucb",
      "--days",
      "10",
      "--customers",
      "200",
      "--workers",
      "1",
    ];
    const shown = await cliWith({ progressDelay: 0 }, ...argv);
    expect(shown.code).toBe(0);
    const lines = shown.err.trim().split("\n");
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) expect(line).toMatch(/^simulating \d+% · \d+ s/);
    expect(lines.slice(1, -1).every((l) => /elapsed, about \d+ s left$/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/^simulating 100% · \d+ s, done$/);
    expect(shown.out).toMatch(/policy \(kairos group\)/);
    expect(shown.out).not.toMatch(/simulating/);

    const quiet = await cliWith({ progressDelay: 0 }, ...argv, "--quiet");
    expect(quiet.code).toBe(0);
    expect(quiet.err).toBe("");
    const untimed = (out: string) => out.replace(/\d+\.\d s$/m, "– s");
    expect(untimed(quiet.out)).toBe(untimed(shown.out));

    // A terminal gets one line rewritten in place, ended once.
    const tty = await cliWith({ progressDelay: 0, isTTY: true }, ...argv);
    expect(tty.err.startsWith("\r")).toBe(true);
    expect(tty.err.match(/\n/g)).toHaveLength(1);
  });

  it("formats durations and progress lines", () => {
    expect(formatDuration(4.4)).toBe("4 s");
    expect(formatDuration(185)).toBe("3 min 05 s");
    expect(formatDuration(3720)).toBe("1 h 02 min");
    expect(progressLine(0.5, 30)).toBe("simulating 50% · 30 s elapsed, about 30 s left");
    expect(progressLine(0.25, 60)).toBe("simulating 25% · 1 min 00 s elapsed, about 3 min 00 s left");
    expect(progressLine(0.01, 3)).toBe("simulating 1% · 3 s elapsed");
    expect(progressLine(1, 75)).toBe("simulating 100% · 1 min 15 s, done");
  });

  it("ope --json prints one line per estimator", async () => {
    const file = join(dir, "log.jsonl");
    const rows = [
      { format: "bandit-ope/v1", name: "toy", contextDim: 1, numActions: 2 },
      { x: [1], a: 0, r: 1, pscore: 0.5, pi: [1, 0] },
      { x: [0], a: 1, r: 0, pscore: 0.5, pi: [0, 1] },
      { x: [1], a: 1, r: 1, pscore: 0.5, pi: [0.5, 0.5] },
    ];
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join("\n"));
    const r = await cli("ope", file, "--json");
    expect(r.code).toBe(0);
    const lines = r.out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.estimator)).toEqual(["ips", "snips", "dm", "dr", "switch-dr"]);
    // Three rounds cannot support a normal interval: ci is null and a warning says why.
    for (const l of lines) {
      expect(Object.keys(l)).toEqual(["estimator", "estimate", "ci", "rounds", "warning"]);
      expect(l.ci).toBeNull();
    }
    // IPS: (2·1 + 2·0 + 1·1) / 3 = 1.
    expect(lines[0].estimate).toBeCloseTo(1, 12);
    expect(lines[0].rounds).toBe(3);
  });

  it("replay --json prints exactly one result line; a malformed line is named", async () => {
    const file = join(dir, "problem.jsonl");
    const rounds = Array.from({ length: 60 }, (_, i) => {
      const x = [i % 2, 1];
      const p = i % 2 ? [0.2, 0.8, 0.5] : [0.9, 0.1, 0.5];
      return { x, r: p.map((v) => (v > 0.5 ? 1 : 0)), p };
    });
    const header = { format: "bandit-problem/v1", name: "toy", contextDim: 2, numActions: 3, batchSize: 10 };
    writeFileSync(file, [header, ...rounds].map((r) => JSON.stringify(r)).join("\n"));
    const r = await cli("replay", file, "--policy", "lints", "--seed", "3", "--json");
    expect(r.code).toBe(0);
    const lines = r.out.trim().split("\n");
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0]!);
    expect(Object.keys(result)).toEqual([
      "system",
      "policy",
      "problem",
      "rounds",
      "meanReward",
      "meanExpected",
      "oracleExpected",
      "regret",
      "seconds",
    ]);
    expect(result).toMatchObject({ system: "kairos", policy: "lints", problem: "toy", rounds: 60 });
    expect(result.oracleExpected).toBeCloseTo(0.85, 12);
    expect(result.regret).toBeCloseTo(60 * (0.85 - result.meanExpected), 9);

    writeFileSync(
      file,
      [header, rounds[0], { x: [1], r: [0, 0, 0], p: [0, 0, 0] }].map((r) => JSON.stringify(r)).join("\n"),
    );
    const bad = await cli("replay", file, "--policy", "linucb");
    expect(bad.code).toBe(2);
    expect(bad.err.trim()).toBe(`kairos-sim: ${file}:3: x must be an array of 2 finite numbers`);
  });

  it("the real process exits with code 2 on bad input", () => {
    const entry = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
    const r = spawnSync(
      process.execPath,
      ["--import", "tsx", "--conditions=kairos-source", entry, "run", join(dir, "nope.json")],
      {
        encoding: "utf8",
        cwd: fileURLToPath(new URL("../../..", import.meta.url)),
      },
    );
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(/^kairos-sim: cannot read scenario/);
    expect(existsSync(entry)).toBe(true);
  });

  it("every command has --help: usage, each option with its default, an example; exit 0", async () => {
    for (const [name, spec] of Object.entries(COMMANDS)) {
      for (const argv of [
        [name, "--help"],
        [name, "-h"],
        ["help", name],
        [name, "file.json", "--bogus", "--help"],
      ]) {
        const r = await cli(...argv);
        expect(r.code, argv.join(" ")).toBe(0);
        expect(r.err).toBe("");
        expect(r.out.startsWith(`usage: kairos-sim ${name} `), argv.join(" ")).toBe(true);
        for (const [flag, f] of Object.entries(spec.flags)) {
          expect(r.out, `${name} --${flag}`).toContain(`--${flag}`);
          if ("default" in f && f.default) expect(r.out).toContain(`(default: ${f.default.split(" ")[0]}`);
        }
        expect(r.out).toMatch(/\nexamples?:\n {2}kairos-sim /);
      }
    }
    const top = await cli("--help");
    expect(top.code).toBe(0);
    for (const name of Object.keys(COMMANDS)) expect(top.out).toContain(`  ${name} `);
  });

  it("run --help and replay --help name every flag the command accepts (one table parses and documents)", async () => {
    const help = await cli("run", "--help");
    for (const flag of [
      "policies",
      "days",
      "seeds",
      "customers",
      "workers",
      "out",
      "log",
      "log-policy",
      "json",
      "quiet",
    ])
      expect(help.out).toContain(`--${flag} `);
    expect(help.out).toContain("(default: 1)");
    const replay = await cli("replay", "--help");
    expect(replay.out).toMatch(/--batch B +rounds per batch \(default: the header's batchSize, else 1\)/);
  });

  it("bad files: no such file, JSON syntax errors at line:column, misspelled keys with a suggestion", async () => {
    await expectUsageError(
      ["run", join(dir, "missing.json")],
      /^kairos-sim: cannot read scenario \S+missing\.json: no such file$/m,
    );
    await expectUsageError(["check", dir], /cannot read scenario \S+: it is a directory$/m);
    const broken = join(dir, "broken.json");
    writeFileSync(broken, '{\n  "name": "x",\n  "days" 14\n}\n');
    await expectUsageError(
      ["check", broken],
      /broken\.json:3:10 is not valid JSON: unexpected "1", expected : after the key$/m,
    );
    writeFileSync(broken, '{\n  "name": "x",\n  "days": 14,\n}\n');
    await expectUsageError(
      ["check", broken],
      /broken\.json:3:13 is not valid JSON: trailing comma before \}$/m,
    );
    const dayz = scenarioFile("dayz.json", (j) => {
      j.dayz = j.days;
      delete j.days;
    });
    // One message for the two zod issues (unknown "dayz", missing "days").
    await expectUsageError(["check", dayz], /^kairos-sim: dayz: unknown key \(did you mean "days"\?\)$/m);
    const windw = scenarioFile("windw.json", (j) => {
      j.fatigue = { perMessage: 0.1, windw: 3 };
    });
    await expectUsageError(
      ["run", windw],
      /^kairos-sim: fatigue\.windw: unknown key \(did you mean "window"\?\)$/m,
    );
    const chanel = scenarioFile("chanel.json", (j) => {
      (j.response as { terms: unknown[] }).terms.push({ effect: 1, when: { chanel: "sms" } });
    });
    await expectUsageError(["check", chanel], /when\.chanel: .* \(did you mean "channel"\?\)$/m);
    const groups = scenarioFile("groups.json", (j) => {
      j.groups = { kairos: 0.8, random: 0.2, bau: 0.1 };
    });
    await expectUsageError(
      ["check", groups],
      /groups: group shares must sum to 1, they sum to 1\.1 \(kairos 0\.8 \+ random 0\.2 \+ bau 0\.1 \+ holdout 0\)$/m,
    );
  });

  it("ope errors name the file and line", async () => {
    const file = join(dir, "bad-ope.jsonl");
    writeFileSync(
      file,
      [
        JSON.stringify({ format: "bandit-ope/v1", name: "toy", contextDim: 1, numActions: 2 }),
        JSON.stringify({ x: [1], a: 0, r: 1, pscore: 0.5, pi: [1, 0] }),
        JSON.stringify({ x: [1], a: 5, r: 1, pscore: 0.5, pi: [1, 0] }),
      ].join("\n"),
    );
    const err = await expectUsageError(["ope", file], /a must be an integer/);
    expect(err).toBe(`kairos-sim: ${file}:3: a must be an integer in [0, 2)`);
    await expectUsageError(["ope", join(dir, "none.jsonl")], /cannot read \S+none\.jsonl: no such file$/m);
  });

  it("check builds every policy of the scenario: unknown names and settings fail in one line", async () => {
    const valid = scenarioFile("policies-valid.json", (j) => {
      j.policies = ["random", "valid"];
    });
    await expectUsageError(["check", valid], /^kairos-sim: policies\[1\]: unknown policy "valid"/m);
    const thomson = scenarioFile("policies-thomson.json", (j) => {
      j.policies = ["random", "factorised-thomson"];
    });
    await expectUsageError(
      ["check", thomson],
      /policies\[1\]: unknown policy "factorised-thomson" \(did you mean "factorised-thompson"\?\)/,
    );
    const kind = scenarioFile("settings-kind.json", (j) => {
      j.policySettings = { "factorised-thomson": { propensityDraws: 5 } };
    });
    await expectUsageError(
      ["check", kind],
      /^kairos-sim: policySettings\.factorised-thomson: not a core policy kind \(did you mean "factorised-thompson"\?\)/m,
    );
    const setting = scenarioFile("settings-key.json", (j) => {
      j.policySettings = { "factorised-thompson": { interaction: [["channel", "offer"]] } };
    });
    await expectUsageError(
      ["check", setting],
      /^kairos-sim: policySettings\.factorised-thompson\.interaction: /m,
    );
    const value = scenarioFile("settings-value.json", (j) => {
      j.policies = ["random", "epsilon-greedy"];
      j.policySettings = { "epsilon-greedy": { epsilon: 2 } };
    });
    await expectUsageError(["check", value], /^kairos-sim: policySettings\.epsilon-greedy\.epsilon: /m);
    // The same settings, on the command line, are named by the spec.
    await expectUsageError(
      ["run", fixturePath("personal.json"), "--policies", "random,epsilon-greedy:epsilon=2", "--quiet"],
      /^kairos-sim: --policies: "epsilon-greedy:epsilon=2": epsilon: /m,
    );
    const ok = await cli("check", fixturePath("personal.json"));
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/^personal-test: valid · .* · 8 policies\n$/);
  });

  it("check accepts every scenario in simulations/ with its policies", async () => {
    const names = readdirSync(dirname(simulationPath("default.json"))).filter((f) => f.endsWith(".json"));
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) {
      const r = await cli("check", simulationPath(name));
      expect(r.code, `${name}: ${r.err}`).toBe(0);
    }
  });

  it("a policy failing in a worker thread is bad input: one line, exit 2, no stack", async () => {
    // segment-ab-test needs a segment feature: the error is thrown while a worker builds the policy.
    const noSegment = scenarioFile("no-segment.json", (j) => {
      j.population = { size: 200 };
    });
    const argv = ["run", noSegment, "--policies", "random,segment-ab-test", "--days", "2", "--quiet"];
    const err = await expectUsageError(
      [...argv, "--workers", "2"],
      /segment-ab-test needs population\.segmentFeature/,
    );
    expect(err).not.toMatch(/job \d|unexpected|at /);
    // Same line as inline.
    expect(err).toBe(await expectUsageError([...argv, "--workers", "1"], /segment-ab-test/));
  });

  it("replay accepts every preset setting on the command line, JSON values included", async () => {
    const file = join(dir, "problem-2d.jsonl");
    const actions = [
      { channel: "email", hour: 9 },
      { channel: "email", hour: 18 },
      { channel: "sms", hour: 9 },
      { channel: "sms", hour: 18 },
    ];
    const header = { format: "bandit-problem/v1", name: "2d", contextDim: 2, numActions: 4, actions };
    const rounds = Array.from({ length: 40 }, (_, i) => ({
      x: [i % 2, 1],
      r: [0, 1, 0, i % 2],
      p: [0.1, 0.6, 0.2, 0.4],
    }));
    writeFileSync(file, [header, ...rounds].map((r) => JSON.stringify(r)).join("\n"));
    for (const policy of [
      'factorised-thompson:interactions=[["channel","hour"]];propensityDraws=0',
      "factorised-ucb:interactions=channel*hour;alpha=0.5",
      'beta-thompson:prior={"alpha":2,"beta":3}',
      "epsilon-greedy:epsilon=.2;structure=factorised",
    ]) {
      const r = await cli("replay", file, "--policy", policy, "--json");
      expect(r.code, `${policy}: ${r.err}`).toBe(0);
      expect(JSON.parse(r.out)).toMatchObject({ policy, rounds: 40 });
    }
  });
});
