import { createRng } from "@kairos/core";
import { percentileInterval } from "../stats.js";
import { RidgeRewardModel } from "./reward-model.js";

/** Logged bandit data plus the target policy's probabilities: what every estimator reads. */
export interface OpeData {
  /** Context vectors (length d each). */
  x: readonly Float64Array[];
  /** Logged action indices in [0, K). */
  a: ArrayLike<number>;
  /** Observed rewards. */
  r: ArrayLike<number>;
  /** Logging propensity of the logged action. */
  pscore: ArrayLike<number>;
  /** Target policy probabilities over the K actions, per round. */
  pi: readonly ArrayLike<number>[];
}

/** An OpeData being filled round by round. */
export interface OpeDataBuilder extends OpeData {
  x: Float64Array[];
  a: number[];
  r: number[];
  pscore: number[];
  pi: Float64Array[];
}

/** Empty columns to push rounds into. */
export function emptyOpeData(): OpeDataBuilder {
  return { x: [], a: [], r: [], pscore: [], pi: [] };
}

/** Estimator names, in output order. */
export const ESTIMATORS = ["ips", "snips", "dm", "dr", "switch-dr"] as const;
/** One estimator's name. */
export type EstimatorName = (typeof ESTIMATORS)[number];

/** One estimate with its bootstrap interval. */
export interface OpeEstimate {
  estimator: EstimatorName;
  estimate: number;
  ci: [number, number];
  rounds: number;
  /** Analytic standard error (of the mean of per-round terms; SNIPS by the delta method). */
  se: number;
}

/** Options of {@link estimatePolicyValue}. */
export interface OpeOptions {
  /** Clip importance weights π/μ at this value (IPS and SNIPS); default no clipping. */
  maxWeight?: number;
  /** Bootstrap resamples for the intervals. Default 500. */
  bootstrap?: number;
  /** Seed of the bootstrap resampling. */
  seed?: string | number;
  /** Switch-DR threshold on the weight; default chosen from a grid by estimated MSE. */
  switchThreshold?: number;
  /** Confidence level. Default 0.95. */
  level?: number;
}

const SWITCH_GRID = [1, 2, 3, 5, 10, 20, 50, 100, 1000, Number.POSITIVE_INFINITY];

/**
 * Estimates the target policy's value from a log with IPS, SNIPS, the direct method, doubly robust and
 * switch-DR. IPS and SNIPS are deterministic functions of the data; DM, DR and switch-DR use a ridge
 * reward model fitted on the log. Intervals are percentile bootstraps over rounds with the reward model
 * held fixed (they reflect sampling noise of the log, not refitting noise).
 */
export function estimatePolicyValue(data: OpeData, options: OpeOptions = {}): OpeEstimate[] {
  const n = data.a.length;
  if (n === 0) throw new Error("the log has no rounds");
  const maxWeight = options.maxWeight ?? Number.POSITIVE_INFINITY;
  const d = data.x[0]!.length;
  const model = new RidgeRewardModel(d, data.x, data.a, data.r);
  const w = new Float64Array(n);
  const wr = new Float64Array(n);
  const dm = new Float64Array(n);
  const residual = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = data.a[i]!;
    const pi = data.pi[i]!;
    const raw = pi[a]! / data.pscore[i]!;
    w[i] = Math.min(raw, maxWeight);
    wr[i] = w[i]! * data.r[i]!;
    let v = 0;
    for (let k = 0; k < pi.length; k++) if (pi[k]! > 0) v += pi[k]! * model.predict(data.x[i]!, k);
    dm[i] = v;
    // The DR correction uses the unclipped weight: clipping is an IPS option.
    residual[i] = raw * (data.r[i]! - model.predict(data.x[i]!, a));
  }
  const rawW = Float64Array.from({ length: n }, (_, i) => data.pi[i]![data.a[i]!]! / data.pscore[i]!);
  const tau = options.switchThreshold ?? chooseThreshold(rawW, dm, residual);
  const dr = Float64Array.from({ length: n }, (_, i) => dm[i]! + residual[i]!);
  const sw = Float64Array.from({ length: n }, (_, i) => dm[i]! + (rawW[i]! <= tau ? residual[i]! : 0));

  const meanOf = (v: Float64Array, idx?: Int32Array) => {
    let s = 0;
    if (idx) for (const i of idx) s += v[i]!;
    else for (const x of v) s += x;
    return s / n;
  };
  const snipsOf = (idx?: Int32Array) => {
    let num = 0;
    let den = 0;
    if (idx)
      for (const i of idx) {
        num += wr[i]!;
        den += w[i]!;
      }
    else
      for (let i = 0; i < n; i++) {
        num += wr[i]!;
        den += w[i]!;
      }
    return den > 0 ? num / den : Number.NaN;
  };
  const stat: Record<EstimatorName, (idx?: Int32Array) => number> = {
    ips: (idx) => meanOf(wr, idx),
    snips: snipsOf,
    dm: (idx) => meanOf(dm, idx),
    dr: (idx) => meanOf(dr, idx),
    "switch-dr": (idx) => meanOf(sw, idx),
  };
  const reps = options.bootstrap ?? 500;
  const rng = createRng(`${options.seed ?? 0}\u0000bootstrap`);
  const samples: Record<EstimatorName, number[]> = { ips: [], snips: [], dm: [], dr: [], "switch-dr": [] };
  const idx = new Int32Array(n);
  for (let b = 0; b < reps; b++) {
    for (let i = 0; i < n; i++) idx[i] = Math.floor(rng.next() * n);
    for (const e of ESTIMATORS) samples[e].push(stat[e](idx));
  }
  const snips = snipsOf();
  const se: Record<EstimatorName, number> = {
    ips: seOf(wr),
    snips: seOf(Float64Array.from({ length: n }, (_, i) => w[i]! * (data.r[i]! - snips))) / (meanOf(w) || 1),
    dm: seOf(dm),
    dr: seOf(dr),
    "switch-dr": seOf(sw),
  };
  return ESTIMATORS.map((e) => ({
    estimator: e,
    estimate: stat[e](),
    ci: reps > 0 ? percentileInterval(samples[e], options.level ?? 0.95) : [Number.NaN, Number.NaN],
    rounds: n,
    se: se[e],
  }));
}

/** Standard error of the mean of per-round terms. */
function seOf(v: Float64Array): number {
  const n = v.length;
  if (n < 2) return 0;
  let m = 0;
  for (const x of v) m += x;
  m /= n;
  let ss = 0;
  for (const x of v) ss += (x - m) ** 2;
  return Math.sqrt(ss / (n - 1) / n);
}

/**
 * Switch-DR keeps the DR correction only on rounds whose weight is at most τ. τ is picked from a grid by
 * estimated MSE: variance of the switched terms / n, plus the squared mean of the corrections dropped
 * (an estimate of the bias the switch introduces).
 */
function chooseThreshold(w: Float64Array, dm: Float64Array, residual: Float64Array): number {
  const n = w.length;
  let best = Number.POSITIVE_INFINITY;
  let bestMse = Number.POSITIVE_INFINITY;
  for (const tau of SWITCH_GRID) {
    const terms = Float64Array.from({ length: n }, (_, i) => dm[i]! + (w[i]! <= tau ? residual[i]! : 0));
    let dropped = 0;
    for (let i = 0; i < n; i++) if (w[i]! > tau) dropped += residual[i]!;
    const mse = seOf(terms) ** 2 + (dropped / n) ** 2;
    if (mse < bestMse) {
      bestMse = mse;
      best = tau;
    }
  }
  return best;
}
