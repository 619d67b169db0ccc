// The benchmark suite: every policy × action space × context dimension, references, memory scaling, targets.
import os from "node:os";
import { JOINT_LIMIT } from "../../packages/core/src/index.js";
import { type BatchCase, type BatchRow, benchBatch, FULL_BATCH_CASES, QUICK_BATCH_CASES } from "./batches.js";
import { type HeapJob, type HeapResult, type HeapRun, measureHeap } from "./heap.js";
import { type Inputs, makeInputs } from "./inputs.js";
import { getGc, type Timing, timeIt } from "./measure.js";
import { NaiveArgmax, NaiveLinUcb } from "./naive.js";
import {
  FULL_DIMENSIONS,
  FULL_MEMORY_SPACES,
  FULL_SPACES,
  productOf,
  QUICK_DIMENSIONS,
  QUICK_MEMORY_SPACES,
  QUICK_SPACES,
  type SpaceSpec,
  sumOf,
} from "./spaces.js";
import {
  DEFAULT_DRAWS,
  expectedStructure,
  MEMORY_VARIANTS,
  naReason,
  type Structure,
  structureOf,
  trainedPolicy,
  VARIANTS,
  type Variant,
} from "./variants.js";

export interface SuiteOptions {
  mode: "full" | "quick";
  spaces: SpaceSpec[];
  dimensions: number[];
  memorySpaces: SpaceSpec[];
  memoryDimension: number;
  /** Batched workloads: decideBatch + update, timed per round. */
  batchCases: BatchCase[];
  /** Timed region of each measurement (decisions or updates of one cell). */
  budgetMs: number;
  warmupMs: number;
  /** Feedback items per update() call. */
  batchSize: number;
  /** Distinct pre-generated contexts cycled through by the decision loop. */
  contextPool: number;
  seed: number;
  /** Heap: copies of a small model are built until they hold this many bytes or take `heapSpendMs`. */
  heapTargetBytes: number;
  heapSpendMs: number;
  /** Only variants whose id contains one of these (all when empty; random always runs). */
  filter: string[];
  log: (line: string) => void;
}

export function defaultOptions(mode: "full" | "quick"): SuiteOptions {
  const quick = mode === "quick";
  return {
    mode,
    spaces: quick ? QUICK_SPACES : FULL_SPACES,
    dimensions: quick ? QUICK_DIMENSIONS : FULL_DIMENSIONS,
    memorySpaces: quick ? QUICK_MEMORY_SPACES : FULL_MEMORY_SPACES,
    memoryDimension: quick ? 4 : 32,
    batchCases: quick ? QUICK_BATCH_CASES : FULL_BATCH_CASES,
    budgetMs: quick ? 10 : 400,
    warmupMs: quick ? 5 : 100,
    batchSize: quick ? 20 : 1000,
    contextPool: quick ? 16 : 1024,
    seed: 20240607,
    heapTargetBytes: quick ? 1024 * 1024 : 8 * 1024 * 1024,
    heapSpendMs: quick ? 20 : 200,
    filter: [],
    log: () => {},
  };
}

/** Measurements of one policy (or reference) on one space at one context dimension. */
export interface CellResult {
  policy: string;
  kind: string;
  label: string;
  settings: Record<string, unknown>;
  space: string;
  d: number;
  status: "ok" | "n/a";
  reason?: string;
  /** How the model splits actions: per action (joint), per option (factorised), or no model. */
  structure?: Structure;
  blocks?: number;
  units?: number;
  /** Wall-clock decisions per second, best of 3 repetitions (the headline number). */
  decisionsPerSec?: number;
  decisionsMedianPerSec?: number;
  decisionOps?: number;
  decisionSeconds?: number;
  /** Decisions per CPU-second of this process (less sensitive to other load on the machine). */
  decisionsPerCpuSec?: number;
  /** Wall-clock feedback items learned per second, through update() on batches of `batchSize`. */
  updatesPerSec?: number;
  updateOps?: number;
  updateSeconds?: number;
  updatesMedianPerSec?: number;
  updatesPerCpuSec?: number;
  /** Retained bytes per model (JS heap without code + typed-array buffers), after learning every unit. */
  heapBytes?: number;
  /** Why heapBytes is missing, e.g. the delta was within the collector's noise. */
  heapError?: string;
  /** heapBytes split into JS heap (code spaces excluded) and typed-array buffers; either may be ~0. */
  heapBreakdown?: HeapBreakdown;
  /** Copies built for the heap measurement (small models are measured over several, then divided). */
  heapCopies?: number;
  trainingObservations?: number;
  /** Decisions/s divided by the random policy's on the same space and d. */
  decisionsVsRandom?: number;
  /** Throughput divided by the plain Float64Array LinUCB reference's on the same space and d. */
  decisionsVsRefLinucb?: number;
  updatesVsRefLinucb?: number;
}

export interface HeapBreakdown {
  heapUsedBytes: number;
  offHeapBytes: number;
}

export interface MemoryRow {
  space: string;
  optionCounts: number[];
  sumOfOptions: number;
  productOfOptions: number;
  d: number;
  policy: string;
  status: "ok" | "n/a";
  reason?: string;
  units?: number;
  heapBytes?: number;
  heapBreakdown?: HeapBreakdown;
  heapCopies?: number;
  bytesPerOption?: number;
}

export interface Target {
  id: string;
  description: string;
  threshold: string;
  /** Wall-clock measurement the target is judged on. */
  measured: number | null;
  /** The same per CPU-second of this process, for runs on a loaded machine. */
  measuredPerCpuSecond?: number;
  /** Time targets (µs per round): the same in CPU µs of this process, for runs on a loaded machine. */
  measuredCpu?: number;
  met: boolean;
}

export interface BenchResults {
  format: "kairos-bench-core/v1";
  meta: {
    date: string;
    mode: "full" | "quick";
    node: string;
    v8: string;
    platform: string;
    arch: string;
    cpuModel: string;
    cores: number;
    totalMemoryBytes: number;
    heapMethod: HeapRun["method"];
    heapGc: HeapRun["gc"];
    heapNote?: string;
    /** 1-minute load average at the start and at the end of the run (other processes share the CPU). */
    loadAverage: { start: number; end: number };
    durationSeconds: number;
  };
  inputs: {
    spaces: { id: string; label: string; optionCounts: number[]; sumOfOptions: number; product: number }[];
    dimensions: number[];
    policies: { id: string; kind: string; label: string; settings: Record<string, unknown> }[];
    budgetMs: number;
    warmupMs: number;
    batchSize: number;
    contextPool: number;
    seed: number;
    jointLimit: number;
    contexts: string;
    rewards: string;
    timing: string;
    memory: string;
    batches?: string;
  };
  baseline: string;
  results: CellResult[];
  memoryScaling: MemoryRow[];
  /** Rounds in batches (absent in runs saved before they were measured). */
  batchRounds?: BatchRow[];
  targets: Target[];
}

export const REF_ARGMAX_JOINT = "ref:argmax-joint";
export const REF_ARGMAX_FACTORISED = "ref:argmax-factorised";
export const REF_LINUCB = "ref:linucb";

const REFERENCE_LABELS: Record<string, string> = {
  [REF_ARGMAX_JOINT]: "ref: Float64Array θ·x argmax per action",
  [REF_ARGMAX_FACTORISED]: "ref: Float64Array θ·x argmax per option",
  [REF_LINUCB]: "ref: Float64Array LinUCB per action",
};

const cellKey = (policy: string, space: string, d: number) => `${policy}|${space}|${d}`;

function optionCounts(space: SpaceSpec): number[] {
  return Object.values(space.dimensions).map((o) => o.length);
}

function heapJobs(variants: Variant[], opts: SuiteOptions): HeapJob[] {
  const jobs: HeapJob[] = [];
  for (const space of opts.spaces) {
    for (const d of opts.dimensions) {
      for (const variant of variants) {
        if (naReason(variant, space)) continue;
        jobs.push({ key: cellKey(variant.id, space.id, d), target: { type: "policy", variant }, space, d });
      }
      const size = productOf(space);
      jobs.push({
        key: cellKey(REF_ARGMAX_JOINT, space.id, d),
        target: { type: "ref-argmax", sizes: [size] },
        space,
        d,
      });
      jobs.push({
        key: cellKey(REF_ARGMAX_FACTORISED, space.id, d),
        target: { type: "ref-argmax", sizes: optionCounts(space) },
        space,
        d,
      });
      if (size <= JOINT_LIMIT) {
        jobs.push({
          key: cellKey(REF_LINUCB, space.id, d),
          target: { type: "ref-linucb", arms: size },
          space,
          d,
        });
      }
    }
  }
  for (const space of opts.memorySpaces) {
    for (const variant of MEMORY_VARIANTS) {
      if (naReason(variant, space)) continue;
      jobs.push({
        key: cellKey(`memory:${variant.id}`, space.id, opts.memoryDimension),
        target: { type: "policy", variant },
        space,
        d: opts.memoryDimension,
      });
    }
  }
  return jobs;
}

function heapFields(h: HeapResult | undefined): Partial<CellResult> {
  if (!h) return {};
  if (h.error) return { heapError: h.error };
  return {
    heapBytes: h.heapBytes,
    heapBreakdown: { heapUsedBytes: h.heapUsedBytes, offHeapBytes: h.offHeapBytes },
    heapCopies: h.copies,
    ...(h.trainingObservations > 0 ? { trainingObservations: h.trainingObservations } : {}),
  };
}

function decisionFields(t: Timing): Partial<CellResult> {
  return {
    decisionsPerSec: t.perSecond,
    decisionsMedianPerSec: t.medianPerSecond,
    decisionOps: t.ops,
    decisionSeconds: t.seconds,
    decisionsPerCpuSec: t.perCpuSecond,
  };
}

function updateFields(t: Timing): Partial<CellResult> {
  return {
    updatesPerSec: t.perSecond,
    updatesMedianPerSec: t.medianPerSecond,
    updateOps: t.ops,
    updateSeconds: t.seconds,
    updatesPerCpuSec: t.perCpuSecond,
  };
}

function benchPolicy(
  variant: Variant,
  space: SpaceSpec,
  d: number,
  inputs: Inputs,
  opts: SuiteOptions,
): CellResult {
  const base: CellResult = {
    policy: variant.id,
    kind: variant.kind,
    label: variant.label,
    settings: variant.settings,
    space: space.id,
    d,
    status: "n/a",
  };
  const reason = naReason(variant, space);
  if (reason) return { ...base, reason };
  const training = inputs.coverage(expectedStructure(variant, space));
  let policy: ReturnType<typeof trainedPolicy>;
  try {
    policy = trainedPolicy(variant, space, d, opts.seed, training);
  } catch (error) {
    return { ...base, reason: (error as Error).message.split("\n")[0] };
  }
  const { batches, contexts } = inputs;
  getGc()?.();
  let b = 0;
  const updates = timeIt(
    (n) => {
      for (let i = 0; i < n; i++) policy.update(batches[b++ % batches.length]!);
    },
    opts.budgetMs,
    opts.warmupMs,
    opts.batchSize,
  );
  getGc()?.();
  let c = 0;
  let sink = 0;
  const decisions = timeIt(
    (n) => {
      for (let i = 0; i < n; i++) sink += policy.decide(contexts[c++ % contexts.length]!).actionIndex;
    },
    opts.budgetMs,
    opts.warmupMs,
  );
  if (!Number.isFinite(sink)) throw new Error("unreachable");
  return {
    ...base,
    status: "ok",
    ...structureOf(policy),
    ...decisionFields(decisions),
    ...updateFields(updates),
  };
}

function benchReferences(space: SpaceSpec, d: number, inputs: Inputs, opts: SuiteOptions): CellResult[] {
  const size = productOf(space);
  const out: CellResult[] = [];
  const cell = (id: string): CellResult => ({
    policy: id,
    kind: "reference",
    label: REFERENCE_LABELS[id]!,
    settings: {},
    space: space.id,
    d,
    status: "n/a",
  });
  const { contexts, batches } = inputs;
  let sink = 0;
  let state = opts.seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  for (const [id, sizes] of [
    [REF_ARGMAX_JOINT, [size]],
    [REF_ARGMAX_FACTORISED, optionCounts(space)],
  ] as const) {
    const ref = new NaiveArgmax(sizes, d, next);
    let c = 0;
    getGc()?.();
    const t = timeIt(
      (n) => {
        for (let i = 0; i < n; i++) sink += ref.decide(contexts[c++ % contexts.length]!);
      },
      opts.budgetMs,
      opts.warmupMs,
    );
    out.push({
      ...cell(id),
      status: "ok",
      structure: id === REF_ARGMAX_JOINT ? "joint" : "factorised",
      blocks: sizes.length,
      units: sizes.reduce((s, n) => s + n, 0),
      ...decisionFields(t),
    });
  }
  if (size > JOINT_LIMIT) {
    out.push({ ...cell(REF_LINUCB), reason: "per-action reference limited like joint models" });
  } else {
    const ref = new NaiveLinUcb(size, d);
    getGc()?.();
    let b = 0;
    const updates = timeIt(
      (n) => {
        for (let i = 0; i < n; i++) {
          for (const f of batches[b++ % batches.length]!)
            ref.update(f.context as Float64Array, f.action as number, f.reward);
        }
      },
      opts.budgetMs,
      opts.warmupMs,
      opts.batchSize,
    );
    let c = 0;
    const decisions = timeIt(
      (n) => {
        for (let i = 0; i < n; i++) sink += ref.decide(contexts[c++ % contexts.length]!);
      },
      opts.budgetMs,
      opts.warmupMs,
    );
    out.push({
      ...cell(REF_LINUCB),
      status: "ok",
      structure: "joint",
      blocks: 1,
      units: size,
      ...decisionFields(decisions),
      ...updateFields(updates),
    });
  }
  if (!Number.isFinite(sink)) throw new Error("unreachable");
  return out;
}

function addRatios(cells: CellResult[]): void {
  const random = cells.find((c) => c.policy === "random" && c.status === "ok");
  const ref = cells.find((c) => c.policy === REF_LINUCB && c.status === "ok");
  for (const cell of cells) {
    if (cell.status !== "ok") continue;
    if (random?.decisionsPerSec && cell.decisionsPerSec)
      cell.decisionsVsRandom = cell.decisionsPerSec / random.decisionsPerSec;
    if (ref?.decisionsPerSec && cell.decisionsPerSec)
      cell.decisionsVsRefLinucb = cell.decisionsPerSec / ref.decisionsPerSec;
    if (ref?.updatesPerSec && cell.updatesPerSec)
      cell.updatesVsRefLinucb = cell.updatesPerSec / ref.updatesPerSec;
  }
}

function memoryRows(heap: Map<string, HeapResult>, opts: SuiteOptions): MemoryRow[] {
  const rows: MemoryRow[] = [];
  const d = opts.memoryDimension;
  for (const space of opts.memorySpaces) {
    for (const variant of MEMORY_VARIANTS) {
      const row: MemoryRow = {
        space: space.id,
        optionCounts: optionCounts(space),
        sumOfOptions: sumOf(space),
        productOfOptions: productOf(space),
        d,
        policy: variant.id,
        status: "n/a",
      };
      const reason = naReason(variant, space);
      const h = heap.get(cellKey(`memory:${variant.id}`, space.id, d));
      if (reason || !h || h.error) {
        rows.push({ ...row, reason: reason ?? h?.error ?? "not measured" });
        continue;
      }
      rows.push({
        ...row,
        status: "ok",
        ...(h.units > 0 ? { units: h.units } : {}),
        heapBytes: h.heapBytes,
        heapBreakdown: { heapUsedBytes: h.heapUsedBytes, offHeapBytes: h.offHeapBytes },
        heapCopies: h.copies,
        bytesPerOption: h.heapBytes / sumOf(space),
      });
    }
  }
  return rows;
}

/** Targets of the batched workloads (issue 8): µs per round, propensities on and off. */
const ROUND_TARGETS: Record<string, number> = {
  [FULL_BATCH_CASES[0]!.id]: 5,
  [FULL_BATCH_CASES[1]!.id]: 2,
};

function targetsOf(
  results: CellResult[],
  memory: MemoryRow[],
  rounds: BatchRow[],
  opts: SuiteOptions,
): Target[] {
  const targets: Target[] = [];
  for (const row of rounds) {
    const max = ROUND_TARGETS[row.id];
    if (max === undefined) continue;
    targets.push({
      id: `${row.id}:round`,
      description: `${row.label}: µs per round (decision + its share of the update)`,
      threshold: `≤ ${max} µs`,
      measured: row.usPerRound,
      measuredCpu: row.cpuUsPerRound,
      met: row.usPerRound <= max,
    });
  }
  const arms = opts.spaces[0]!.id;
  const large = opts.spaces[opts.spaces.length - 1]!.id;
  const d = opts.dimensions.includes(32) ? 32 : opts.dimensions[0]!;
  const rate = (policy: string, space: string, metric: "decisionsPerSec" | "updatesPerSec", min: number) => {
    const cell = results.find(
      (r) => r.policy === policy && r.space === space && r.d === d && r.status === "ok",
    );
    const measured = cell?.[metric] ?? null;
    const what = metric === "decisionsPerSec" ? "decisions" : "updates";
    const perCpu = cell?.[metric === "decisionsPerSec" ? "decisionsPerCpuSec" : "updatesPerCpuSec"];
    targets.push({
      id: `${policy}:${space}:d${d}:${what}`,
      description: `${policy} on ${space} at d = ${d}: ${what}/s`,
      threshold: `≥ ${min.toLocaleString("en-US")}`,
      measured,
      ...(perCpu !== undefined ? { measuredPerCpuSecond: perCpu } : {}),
      met: measured !== null && measured >= min,
    });
  };
  for (const policy of ["linucb", "lints@draws0", `lints@draws${DEFAULT_DRAWS}`]) {
    rate(policy, arms, "decisionsPerSec", 100_000);
    rate(policy, arms, "updatesPerSec", 100_000);
  }
  for (const policy of ["factorised-thompson@draws0", `factorised-thompson@draws${DEFAULT_DRAWS}`])
    rate(policy, large, "decisionsPerSec", 20_000);
  // Memory: within each group of spaces sharing a sum of options, the factorised heap must stay flat
  // while the product grows by orders of magnitude (when the memory spaces were measured).
  if (opts.memorySpaces.length === 0) return targets;
  for (const policy of ["factorised-thompson", "factorised-ucb"]) {
    const rows = memory.filter((r) => r.policy === policy && r.status === "ok");
    let worst = 1;
    let spread = 1;
    for (const sum of new Set(rows.map((r) => r.sumOfOptions))) {
      const group = rows.filter((r) => r.sumOfOptions === sum);
      const heaps = group.map((r) => r.heapBytes!);
      const products = group.map((r) => r.productOfOptions);
      worst = Math.max(worst, Math.max(...heaps) / Math.min(...heaps));
      spread = Math.max(spread, Math.max(...products) / Math.min(...products));
    }
    targets.push({
      id: `${policy}:memory`,
      description: `${policy}: max heap ratio between spaces with equal sum of options, products up to ${Math.round(spread).toLocaleString("en-US")}× apart`,
      threshold: "≤ 1.10×",
      measured: rows.length > 0 ? worst : null,
      met: rows.length > 0 && worst <= 1.1 && spread >= 10,
    });
  }
  return targets;
}

/** Runs the whole suite and returns every number. */
export function runSuite(opts: SuiteOptions): BenchResults {
  const started = Date.now();
  const loadStart = os.loadavg()[0]!;
  const variants = VARIANTS.filter(
    (v) => v.id === "random" || opts.filter.length === 0 || opts.filter.some((f) => v.id.includes(f)),
  );
  const jobs = heapJobs(variants, opts);
  opts.log(`measuring heap of ${jobs.length} models in a child process…`);
  const heapRun = measureHeap({
    jobs,
    inputs: { seed: opts.seed, batchSize: opts.batchSize, contextPool: opts.contextPool },
    targetBytes: opts.heapTargetBytes,
    spendMs: opts.heapSpendMs,
    maxCopies: 64,
  });
  const heap = new Map(heapRun.results.map((h) => [h.key, h]));
  opts.log(`  ${heapRun.method}, gc ${heapRun.gc}, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const results: CellResult[] = [];
  for (const space of opts.spaces) {
    for (const d of opts.dimensions) {
      opts.log(`${space.id} d=${d}`);
      const inputs = makeInputs(space, d, opts);
      const cells: CellResult[] = [];
      for (const variant of variants) {
        const t0 = Date.now();
        const cell = benchPolicy(variant, space, d, inputs, opts);
        cells.push(cell);
        opts.log(
          `  ${variant.id.padEnd(30)} ${
            cell.status === "ok"
              ? `${cell.decisionsPerSec!.toFixed(0).padStart(10)} dec/s ${cell.updatesPerSec!.toFixed(0).padStart(10)} upd/s`
              : `n/a: ${cell.reason}`
          } (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
        );
      }
      cells.push(...benchReferences(space, d, inputs, opts));
      for (const cell of cells) {
        if (cell.status === "ok")
          Object.assign(cell, heapFields(heap.get(cellKey(cell.policy, space.id, d))));
      }
      addRatios(cells);
      results.push(...cells);
    }
  }
  const memory = memoryRows(heap, opts);
  const rounds = opts.batchCases.map((c) => {
    const row = benchBatch(c, opts.seed, opts.budgetMs, opts.warmupMs);
    opts.log(
      `  ${c.id.padEnd(30)} ${row.usPerRound.toFixed(2).padStart(8)} µs/round (decide ${row.decideUsPerRound.toFixed(2)}, update ${row.updateUsPerRound.toFixed(2)})`,
    );
    return row;
  });
  const cpus = os.cpus();
  return {
    format: "kairos-bench-core/v1",
    meta: {
      date: new Date().toISOString(),
      mode: opts.mode,
      node: process.version,
      v8: process.versions.v8,
      platform: `${os.type()} ${os.release()}`,
      arch: process.arch,
      cpuModel: cpus[0]?.model.trim() ?? "unknown",
      cores: cpus.length,
      totalMemoryBytes: os.totalmem(),
      heapMethod: heapRun.method,
      heapGc: heapRun.gc,
      ...(heapRun.note ? { heapNote: heapRun.note } : {}),
      loadAverage: { start: loadStart, end: os.loadavg()[0]! },
      durationSeconds: (Date.now() - started) / 1000,
    },
    inputs: {
      spaces: opts.spaces.map((s) => ({
        id: s.id,
        label: s.label,
        optionCounts: optionCounts(s),
        sumOfOptions: sumOf(s),
        product: productOf(s),
      })),
      dimensions: opts.dimensions,
      policies: variants.map((v) => ({ id: v.id, kind: v.kind, label: v.label, settings: v.settings })),
      budgetMs: opts.budgetMs,
      warmupMs: opts.warmupMs,
      batchSize: opts.batchSize,
      contextPool: opts.contextPool,
      seed: opts.seed,
      jointLimit: JOINT_LIMIT,
      contexts:
        "Float64Array vectors with entries uniform in [-1, 1]/√d; context { vectorLength: d, intercept: false }; decide(context) with default options (topK 1, generated decisionId)",
      rewards: "Bernoulli(0.25) in {0, 1}; rewardRange [0, 1]; actions as indexes drawn uniformly",
      timing:
        "single thread; per cell the policy first learns one batch touching every unit (untimed), then update() on batches of `batchSize` items and decide() one at a time are each warmed up for `warmupMs` then timed in 3 repetitions of at least `budgetMs`/3; the headline rate is the best repetition (medians and per-CPU-second rates are in the JSON too)",
      batches:
        "per batched case: a fresh policy learns as it goes: decideBatch of `batch` pre-generated contexts (entries uniform in [-1, 1]/√d, default options: propensities as configured, topK 1), then update with their outcomes (Bernoulli(0.25)); the feedback items are built outside the timed regions; warm-up `warmupMs`, then 3 repetitions of at least `budgetMs`/3; the headline is the best repetition's µs per round (decide + update time / decisions)",
      memory:
        "child process (node --expose-gc --no-flush-bytecode): delta of heapUsed (code spaces excluded) + external (typed arrays and WebAssembly memories) after forced GCs, around building and training a policy on a batch touching every unit (joint: every action; factorised: every option); small models are built several times and the delta divided",
    },
    baseline:
      "Same process, same inputs: the `random` policy (the full decide() path without a model: validation, encoding, keyed RNG, decision record) and plain Float64Array references without validation, encoding or propensities: θ·x argmax per action and per option, and disjoint LinUCB per action (Sherman–Morrison updates). Ratios: decisions/s ÷ random's, and decisions/s ÷ ref:linucb's on the same space and d.",
    results,
    memoryScaling: memory,
    batchRounds: rounds,
    targets: targetsOf(results, memory, rounds, opts),
  };
}
