// `pnpm bench --against REV`: the speed targets' workloads on @kairos/core as of a git revision and on the
// working tree, in one process with interleaved repetitions, so that a shared, loaded machine slows both
// alike and the ratio stays meaningful.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as current from "../../packages/core/src/index.js";
import { FULL_BATCH_CASES } from "./batches.js";
import { options } from "./spaces.js";

/** What a workload needs of a core build (both revisions export these). */
type Core = Pick<typeof current, "createPolicy" | "createRng">;

/** One workload: builds a policy from a core and returns a step that performs some operations. */
interface Workload {
  id: string;
  label: string;
  /** "round": µs per decision of a batched round (decide + update); "decision": decisions per second. */
  measure: "round" | "decision";
  make: (core: Core) => () => number;
}

/** Old and new rates of one workload, per CPU-second of this process (best repetition of each). */
export interface AgainstRow {
  id: string;
  label: string;
  measure: Workload["measure"];
  /** µs per round, or decisions per second. */
  before: number;
  after: number;
  /** Throughput after ÷ before. */
  speedup: number;
}

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * `packages/core` as of `rev` (git archive into a temporary directory, removed when the process exits),
 * imported from its sources.
 */
export async function coreAt(rev: string): Promise<Core> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "kairos-core-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  const archive = execFileSync("git", ["archive", rev, "packages/core/src", "packages/core/package.json"], {
    cwd: repo,
    maxBuffer: 1 << 28,
  });
  execFileSync("tar", ["-x", "-C", dir], { input: archive });
  symlinkSync(path.join(repo, "packages/core/node_modules"), path.join(dir, "packages/core/node_modules"));
  return (await import(pathToFileURL(path.join(dir, "packages/core/src/index.ts")).href)) as Core;
}

function contexts(core: Core, n: number, d: number, seed: string): Float64Array[] {
  const rng = core.createRng(seed);
  return Array.from({ length: n }, () => {
    const x = new Float64Array(d);
    for (let i = 0; i < d; i++) x[i] = ((2 * rng.next() - 1) / Math.sqrt(d)) as number;
    return x;
  });
}

/** The 120,960-combination space of the main tables (6 dimensions, sum of options 44). */
const COMBOS: Record<string, string[]> = Object.fromEntries(
  [8, 7, 6, 6, 5, 12].map((count, k) => [`dim${k}`, options(`d${k}o`, count)]),
);

/** A space of the learning benchmark's marketing problem, "no SMS before 9" across blocks, one action excluded. */
const MARKETING = {
  dimensions: {
    offer: ["none", "10%", "20%", "free-shipping"],
    subject: ["plain", "urgency", "personal", "question"],
    channel: ["email", "sms", "push", "in-app", "whatsapp", "web-push"],
    hour: ["7", "9", "12", "15", "18", "21"],
  },
  constraints: [{ forbid: { channel: "sms", hour: "7" } }],
  eligibility: { denyActions: [{ offer: "20%", subject: "urgency", channel: "email", hour: "12" }] },
};

/**
 * Decisions on a policy that learned 1,024 random outcomes first: one at a time, or `decideBatch` of
 * `batch` contexts; with the space's constraints and an eligibility, when given.
 */
function decisions(
  kind: string,
  dimensions: Record<string, string[]>,
  draws: number,
  batch = 1,
  constrained?: Pick<typeof MARKETING, "constraints" | "eligibility">,
): Workload["make"] {
  return (core) => {
    const policy = core.createPolicy({
      kind,
      actionSpace: { dimensions, constraints: constrained?.constraints },
      context: { vectorLength: 32, intercept: false },
      rewardRange: [0, 1],
      seed: 1,
      propensityDraws: draws,
    } as Parameters<Core["createPolicy"]>[0]);
    const pool = contexts(core, 1024, 32, "against:decisions");
    const rng = core.createRng("against:actions");
    const size = Object.values(dimensions).reduce((p, o) => p * o.length, 1);
    policy.update(
      pool.map((x) => ({
        context: x,
        action: Math.floor(rng.next() * size),
        reward: rng.next() < 0.25 ? 1 : 0,
      })),
    );
    let k = 0;
    if (batch > 1) {
      const batches = Array.from({ length: pool.length / batch }, (_, b) =>
        pool.slice(b * batch, (b + 1) * batch),
      );
      return () => {
        policy.decideBatch(batches[k++ % batches.length]!);
        return batch;
      };
    }
    const options = constrained ? { eligibility: constrained.eligibility } : {};
    return () => {
      for (let i = 0; i < 20; i++) policy.decide(pool[k++ % pool.length]!, options);
      return 20;
    };
  };
}

/** The workloads the speed targets are judged on (see suite.ts's targets). */
export const AGAINST_WORKLOADS: Workload[] = [
  ...FULL_BATCH_CASES.map(
    (c): Workload => ({
      id: c.id,
      label: c.label,
      measure: "round",
      make: (core) => {
        const policy = core.createPolicy({
          kind: c.kind,
          actionSpace: { dimensions: { arm: options("arm", c.arms) } },
          context: { vectorLength: c.d, intercept: false },
          rewardRange: [0, 1],
          seed: 1,
          ...c.settings,
        } as Parameters<Core["createPolicy"]>[0]);
        const batches = Array.from({ length: 16 }, (_, b) => contexts(core, c.batch, c.d, `against:${b}`));
        const rng = core.createRng("against:rewards");
        let k = 0;
        return () => {
          const xs = batches[k++ % batches.length]!;
          const made = policy.decideBatch(xs);
          policy.update(
            made.map((d, i) => ({
              context: xs[i]!,
              action: c.feedback === "record" ? d.action : d.actionIndex,
              reward: rng.next() < 0.25 ? 1 : 0,
            })),
          );
          return c.batch;
        };
      },
    }),
  ),
  ...[100, 0].map(
    (draws): Workload => ({
      id: `lints@draws${draws}:arms-10:d32`,
      label: `lints [propensityDraws ${draws}], 10 arms, d = 32, decide`,
      measure: "decision",
      make: decisions("lints", { arm: options("arm", 10) }, draws),
    }),
  ),
  ...[100, 0].map(
    (draws): Workload => ({
      id: `factorised-thompson@draws${draws}:combos-120960:d32`,
      label: `factorised-thompson (shared model) [propensityDraws ${draws}], 120,960 combinations, d = 32, decide`,
      measure: "decision",
      make: decisions("factorised-thompson", COMBOS, draws),
    }),
  ),
  {
    id: "factorised-thompson@draws100:marketing-576-constrained:d32",
    label:
      'factorised-thompson [propensityDraws 100], 576 combinations, "no SMS before 9" across blocks and an excluded action, d = 32, decide',
    measure: "decision",
    make: decisions("factorised-thompson", MARKETING.dimensions, 100, 1, MARKETING),
  },
  {
    id: "factorised-thompson@draws0:combos-120960:d32:b128",
    label:
      "factorised-thompson (shared model) [propensityDraws 0], 120,960 combinations, d = 32, decideBatch of 128",
    measure: "decision",
    make: decisions("factorised-thompson", COMBOS, 0, 128),
  },
];

/**
 * Each workload on both cores: `reps` alternating repetitions of at least `repMs` each, rates per
 * CPU-second of this process, best repetition of each side.
 */
export function compareCores(
  before: Core,
  reps = 12,
  repMs = 150,
  log?: (line: string) => void,
): AgainstRow[] {
  return AGAINST_WORKLOADS.map((w) => {
    const steps = [w.make(before), w.make(current)];
    const best = [0, 0];
    for (let r = 0; r < reps; r++) {
      steps.forEach((step, side) => {
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        let ops = 0;
        while (performance.now() - t0 < repMs) ops += step();
        const cpu = process.cpuUsage(cpu0);
        best[side] = Math.max(best[side]!, ops / (Math.max(cpu.user + cpu.system, 1) / 1e6));
      });
    }
    const value = (rate: number) => (w.measure === "round" ? 1e6 / rate : rate);
    const row = {
      id: w.id,
      label: w.label,
      measure: w.measure,
      before: value(best[0]!),
      after: value(best[1]!),
      speedup: best[1]! / best[0]!,
    };
    log?.(`  ${w.id}: ${row.speedup.toFixed(2)}×`);
    return row;
  });
}
