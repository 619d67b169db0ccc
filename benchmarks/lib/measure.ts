// Timing and memory helpers: time-budgeted loops with warm-up, and heap deltas after forced GC.
import { performance } from "node:perf_hooks";
import v8 from "node:v8";
import vm from "node:vm";

/** Result of one timed measurement. */
export interface Timing {
  /** Operations completed in the timed region (decisions, or feedback items). */
  ops: number;
  seconds: number;
  perSecond: number;
}

/**
 * Runs `run(n)` (which must perform n operations) first for `warmupMs` while calibrating n so that one
 * call lasts about `chunkMs`, then repeatedly for at least `budgetMs`. Timer reads are amortised over a
 * chunk, so fast operations are not dominated by `performance.now()`. At least one call is timed.
 */
export function timeIt(
  run: (n: number) => void,
  budgetMs: number,
  warmupMs: number,
  opsPerCall = 1,
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
  const start = performance.now();
  let elapsed = 0;
  do {
    run(n);
    ops += n * opsPerCall;
    elapsed = performance.now() - start;
  } while (elapsed < budgetMs);
  const seconds = elapsed / 1000;
  return { ops, seconds, perSecond: ops / seconds };
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

/** Live memory after full collections: JS heap and typed-array backing stores (kept outside the heap). */
export interface MemorySample {
  heapUsed: number;
  arrayBuffers: number;
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
  return { heapUsed: m.heapUsed - code, arrayBuffers: m.arrayBuffers };
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
  arrayBuffers: number;
  total: number;
  copies: number;
} {
  const kept: T[] = [];
  const before = settledMemory();
  for (let i = 0; i < copies; i++) kept.push(build());
  const after = settledMemory();
  const heapUsed = (after.heapUsed - before.heapUsed) / copies;
  const arrayBuffers = (after.arrayBuffers - before.arrayBuffers) / copies;
  return { value: kept[0]!, heapUsed, arrayBuffers, total: heapUsed + arrayBuffers, copies };
}
