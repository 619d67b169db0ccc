// Heap per model, measured in a separate node process that only builds models (no timing loops), so the
// JIT's own allocations and frees during benchmarks do not blur deltas of a few KiB.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRng } from "../../packages/core/src/index.js";
import { type InputOptions, makeInputs } from "./inputs.js";
import { gcExposedByFlag, getGc, retainedBytes, stabiliseHeap } from "./measure.js";
import { NaiveArgmax, NaiveLinUcb } from "./naive.js";
import type { SpaceSpec } from "./spaces.js";
import { expectedStructure, structureOf, trainedPolicy, type Variant } from "./variants.js";

export type HeapTarget =
  | { type: "policy"; variant: Variant }
  | { type: "ref-argmax"; sizes: number[] }
  | { type: "ref-linucb"; arms: number };

export interface HeapJob {
  key: string;
  target: HeapTarget;
  space: SpaceSpec;
  d: number;
}

export interface HeapPlan {
  jobs: HeapJob[];
  inputs: InputOptions;
  /** Copies are added until they hold this many bytes in all (noise is a few KiB)... */
  targetBytes: number;
  /** ...or building them would take longer than this. */
  spendMs: number;
  maxCopies: number;
}

export interface HeapResult {
  key: string;
  /** heapUsed (code spaces excluded) + memory outside the JS heap (typed arrays, WebAssembly), per copy. */
  heapBytes: number;
  heapUsedBytes: number;
  offHeapBytes: number;
  copies: number;
  /** Feedback items learned before measuring (every unit of the model touched). */
  trainingObservations: number;
  /** Units of the model (0 when it has none). */
  units: number;
  error?: string;
}

export interface HeapRun {
  method: "child-process" | "in-process";
  gc: "flag" | "runtime" | "unavailable";
  results: HeapResult[];
  note?: string;
}

function builder(job: HeapJob, plan: HeapPlan): { build: () => unknown; training: number } {
  const t = job.target;
  if (t.type === "ref-argmax") {
    const rng = createRng(`${plan.inputs.seed}:ref:${job.space.id}:${job.d}`);
    return { build: () => new NaiveArgmax(t.sizes, job.d, () => rng.next()), training: 0 };
  }
  if (t.type === "ref-linucb") return { build: () => new NaiveLinUcb(t.arms, job.d), training: 0 };
  const inputs = makeInputs(job.space, job.d, {
    ...plan.inputs,
    contextPool: Math.min(plan.inputs.contextPool, 64),
  });
  const training = inputs.coverage(expectedStructure(t.variant, job.space));
  return {
    build: () => trainedPolicy(t.variant, job.space, job.d, plan.inputs.seed, training),
    training: training.length,
  };
}

/** Small models are always built at least this many times, however slow: one copy is within GC noise. */
const MIN_COPIES = 8;

function medianOfThree(build: () => unknown, copies: number): ReturnType<typeof retainedBytes> {
  const rounds = [0, 1, 2].map(() => retainedBytes(build, copies));
  rounds.sort((a, b) => a.total - b.total);
  return rounds[1]!;
}

/** Runs heap jobs in this process: one build to warm up (and size), then enough copies to dwarf the noise. */
export function runHeapJobs(plan: HeapPlan): HeapResult[] {
  stabiliseHeap();
  const out: HeapResult[] = [];
  for (const job of plan.jobs) {
    try {
      const { build, training } = builder(job, plan);
      const t0 = performance.now();
      let m = retainedBytes(build);
      const took = performance.now() - t0;
      const units =
        job.target.type === "policy"
          ? (structureOf(m.value as ReturnType<typeof trainedPolicy>).units ?? 0)
          : job.target.type === "ref-argmax"
            ? job.target.sizes.reduce((s, n) => s + n, 0)
            : job.target.arms;
      if (Math.abs(m.total) < plan.targetBytes) {
        // Median of three measurements over several copies each; never the first build alone, which also
        // compiled code.
        const wanted = Math.ceil(plan.targetBytes / Math.max(Math.abs(m.total), 1024));
        const affordable = Math.floor(plan.spendMs / 3 / Math.max(took, 0.01));
        const copies = Math.min(plan.maxCopies, Math.max(MIN_COPIES, Math.min(wanted, affordable)));
        m = medianOfThree(build, copies);
        // A model retains memory, so a delta at or below zero is collector noise larger than the model:
        // measure once more over the most copies allowed, and report "unmeasured" rather than a wrong number.
        if (m.total <= 0 && copies < plan.maxCopies) m = medianOfThree(build, plan.maxCopies);
        if (m.total <= 0)
          throw new Error(`below measurement resolution (${m.total.toFixed(0)} B over ${m.copies} copies)`);
      } else if (took < plan.spendMs) {
        m = retainedBytes(build);
      }
      out.push({
        key: job.key,
        heapBytes: m.total,
        heapUsedBytes: m.heapUsed,
        offHeapBytes: m.offHeap,
        copies: m.copies,
        trainingObservations: training,
        units,
      });
    } catch (error) {
      out.push({
        key: job.key,
        heapBytes: Number.NaN,
        heapUsedBytes: Number.NaN,
        offHeapBytes: Number.NaN,
        copies: 0,
        trainingObservations: 0,
        units: 0,
        error: (error as Error).message.split("\n")[0],
      });
    }
  }
  return out;
}

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Runs the jobs in a child `node --expose-gc --no-flush-bytecode --import tsx heap-worker.ts`; falls back
 * to this process (noisier) when the child cannot run.
 */
export function measureHeap(plan: HeapPlan): HeapRun {
  const worker = path.join(here, "heap-worker.ts");
  const child = spawnSync(
    process.execPath,
    ["--expose-gc", "--no-flush-bytecode", "--max-old-space-size=4096", "--import", "tsx", worker],
    {
      cwd: path.resolve(here, "..", ".."),
      input: JSON.stringify(plan),
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (child.status === 0) {
    try {
      const parsed = JSON.parse(child.stdout) as { gc: HeapRun["gc"]; results: HeapResult[] };
      return { method: "child-process", gc: parsed.gc, results: parsed.results };
    } catch {
      // fall through
    }
  }
  const results = runHeapJobs(plan);
  return {
    method: "in-process",
    gc: gcExposedByFlag() ? "flag" : getGc() ? "runtime" : "unavailable",
    results,
    note: `heap child failed (status ${child.status}): ${(child.stderr ?? "").split("\n").slice(0, 3).join(" ")}`,
  };
}
