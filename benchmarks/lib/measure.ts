// Timing and memory helpers: time-budgeted loops with warm-up, and heap deltas after forced GC.
import { performance } from "node:perf_hooks";
import v8 from "node:v8";
import vm from "node:vm";

/** Result of one timed measurement. */
export interface Timing {
  /** Operations completed in the timed region (decisions, or feedback items), all repetitions. */
  ops: number;
  /** Wall-clock seconds of the timed region, all repetitions. */
  seconds: number;
  /** Best repetition's rate: the least disturbed by other processes and GC pauses (headline number). */
  perSecond: number;
  /** Median repetition's rate. */
  medianPerSecond: number;
  /** Rate of each repetition. */
  repetitions: number[];
  /** CPU seconds (user + system, all threads of this process) over the timed region. */
  cpuSeconds: number;
  /** ops / cpuSeconds: closer to one core's throughput when other processes compete for the CPU. */
  perCpuSecond: number;
}

/**
 * Runs `run(n)` (which must perform n operations) first for `warmupMs` while calibrating n so that one
 * call lasts about `chunkMs`, then `reps` timed repetitions of at least `budgetMs / reps` each. Timer reads
 * are amortised over a chunk, so fast operations are not dominated by `performance.now()`. Every
 * repetition times at least one call.
 */
export function timeIt(
  run: (n: number) => void,
  budgetMs: number,
  warmupMs: number,
  opsPerCall = 1,
  reps = 3,
  chunkMs = 2,
): Timing {
  let n = 1;
  const warmStart = performance.now();
  for (;;) {
    const t0 = performance.now();
    run(n);
    const dt = performance.now() - t0;
    if (performance.now() - warmStart >= warmupMs) break;
    if (dt < chunkMs) n *= 2;
  }
  let ops = 0;
  let seconds = 0;
  const rates: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let r = 0; r < reps; r++) {
    let repOps = 0;
    const start = performance.now();
    let elapsed = 0;
    do {
      run(n);
      repOps += n * opsPerCall;
      elapsed = performance.now() - start;
    } while (elapsed < budgetMs / reps);
    ops += repOps;
    seconds += elapsed / 1000;
    rates.push(repOps / (elapsed / 1000));
  }
  const cpu = process.cpuUsage(cpu0);
  // cpuUsage has microsecond resolution; never report less than one tick.
  const cpuSeconds = Math.max(cpu.user + cpu.system, 1) / 1e6;
  const sorted = [...rates].sort((a, b) => a - b);
  return {
    ops,
    seconds,
    perSecond: sorted[sorted.length - 1]!,
    medianPerSecond: sorted[Math.floor(sorted.length / 2)]!,
    repetitions: rates,
    cpuSeconds,
    perCpuSecond: ops / cpuSeconds,
  };
}

let cachedGc: (() => void) | undefined | null = null;

/**
 * The V8 garbage collector: `global.gc` when node runs with --expose-gc, otherwise obtained by turning the
 * flag on at run time and reading `gc` from a fresh context (works on Node 20). Undefined if neither works.
 */
export function getGc(): (() => void) | undefined {
  if (cachedGc !== null) return cachedGc;
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === "function") {
    cachedGc = exposed;
    return cachedGc;
  }
  try {
    v8.setFlagsFromString("--expose-gc");
    const fn: unknown = vm.runInNewContext("gc");
    cachedGc = typeof fn === "function" ? (fn as () => void) : undefined;
  } catch {
    cachedGc = undefined;
  }
  return cachedGc;
}

/** Whether node was started with --expose-gc (rather than the run-time fallback). */
export function gcExposedByFlag(): boolean {
  return typeof (globalThis as { gc?: () => void }).gc === "function";
}

/**
 * Live memory after full collections: the JS heap, and what lives outside it (`external`: typed-array
 * backing stores and the WebAssembly memories where linear models keep their inverses).
 */
export interface MemorySample {
  heapUsed: number;
  offHeap: number;
}

const GC_ROUNDS = Number(process.env.KAIROS_BENCH_GC_ROUNDS ?? 6);

/**
 * Samples memory after several full collections. `heapUsed` is `process.memoryUsage().heapUsed` minus the code
 * spaces (optimised code comes and goes with the JIT and is not model memory); with bytecode flushing off
 * (see {@link stabiliseHeap}) what remains is data.
 */
export function settledMemory(): MemorySample {
  const gc = getGc();
  // Several collections: V8 keeps maps alive for a few GCs after their last use (retain-maps-for-n-gc).
  if (gc) for (let i = 0; i < GC_ROUNDS; i++) gc();
  let code = 0;
  for (const space of v8.getHeapSpaceStatistics())
    if (space.space_name.includes("code")) code += space.space_used_size;
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed - code, offHeap: m.external };
}

/**
 * Turns off V8's bytecode flushing, which otherwise frees and recompiles function bytecode around forced
 * collections and adds ±100 KiB of noise to heap deltas. Call once, before the functions being measured run.
 */
export function stabiliseHeap(): void {
  v8.setFlagsFromString("--no-flush-bytecode");
}

/** Bytes retained per copy by what `build` returns, built `copies` times and kept alive until the second sample. */
export function retainedBytes<T>(
  build: () => T,
  copies = 1,
): {
  value: T;
  heapUsed: number;
  offHeap: number;
  total: number;
  copies: number;
} {
  const kept: T[] = [];
  const before = settledMemory();
  for (let i = 0; i < copies; i++) kept.push(build());
  const after = settledMemory();
  const heapUsed = (after.heapUsed - before.heapUsed) / copies;
  const offHeap = (after.offHeap - before.offHeap) / copies;
  return { value: kept[0]!, heapUsed, offHeap, total: heapUsed + offHeap, copies };
}
