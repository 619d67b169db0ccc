import { createRng } from "@kairos/core";
import { normalQuantile } from "../stats.js";
import { LogisticRewardModel, type RewardModel, RidgeRewardModel } from "./reward-model.js";

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

/** One estimate with its interval, or the reason it has none. */
export interface OpeEstimate {
  estimator: EstimatorName;
  estimate: number;
  /**
   * 95% interval (by default), or null when the estimator cannot be trusted on this log: `warning` says why.
   * Intervals are normal intervals on the per-round terms (influence functions), widened by a bias bound
   * where the estimator drops or clips part of the correction.
   */
  ci: [number, number] | null;
  rounds: number;
  /** Standard error of the estimate (per-round terms; SNIPS by the delta method). */
  se: number;
  /** Why the estimate cannot be trusted here (then ci is null). */
  warning?: string;
  /** How the interval was built, when it is more than estimate ± z·se. */
  note?: string;
}

/** What the log says about the weights and the reward model, reported beside the estimates. */
export interface OpeDiagnostics {
  /** Mean importance weight π(a|x)/μ(a|x): about 1 when the log covers the target's choices. */
  meanWeight: number;
  meanWeightSe: number;
  /** Effective sample size of the weights, (Σw)²/Σw². */
  effectiveRounds: number;
  maxWeight: number;
  /** Reward model: logistic for 0/1 rewards, ridge otherwise; cross-fitted in `folds` folds. */
  model: "logistic" | "ridge";
  folds: number;
  /** Switch-DR's threshold on the weight. */
  switchThreshold: number;
}

/** Options of {@link estimatePolicyValue}. */
export interface OpeOptions {
  /** Clip importance weights π/μ at this value (IPS and SNIPS; the interval then includes the clipping bias). */
  maxWeight?: number;
  /** Seed of the cross-fitting folds. */
  seed?: string | number;
  /** Cross-fitting folds of the reward model. Default 5 (2 below 50 rounds). */
  folds?: number;
  /** Switch-DR threshold on the weight; default chosen from a grid by estimated MSE. */
  switchThreshold?: number;
  /** Confidence level. Default 0.95. */
  level?: number;
  /** Reward model; default logistic when every reward is 0 or 1, else ridge. */
  model?: "logistic" | "ridge";
}

const SWITCH_GRID = [1, 2, 3, 5, 10, 20, 50, 100, 1000, Number.POSITIVE_INFINITY];
/** Fewer effective rounds than this behind a mean of weighted terms: the normal interval is not reliable. */
const MIN_EFFECTIVE = 30;

/**
 * Estimates the target policy's value from a log with IPS, SNIPS, the direct method (DM), doubly robust (DR)
 * and switch-DR, each with an interval, or with a warning instead of one where the log cannot support it.
 *
 * - The reward model fits the reward type (logistic for 0/1 rewards, ridge otherwise) and is cross-fitted:
 *   each round's prediction comes from a model fitted on the other folds, so DR's correction is not
 *   evaluated on the model's own training data and its per-round terms are independent given the folds;
 *   their spread then includes the model's fitting noise, and DR's interval is estimate ± z·sd/√n.
 * - DM has no unbiased check of its own: its bias is estimated by the mean DR correction (weighted
 *   residuals). DM gets an interval only when that correction is within 2 standard errors of 0, and the
 *   interval is then widened by it (±z·√(se_DM² + se_corr² + corr²)); otherwise it is flagged misspecified.
 * - Switch-DR drops the correction where w > τ: its interval is widened by the dropped corrections' mean
 *   (its bias estimate) plus their noise. Clipped IPS likewise.
 * - Weights too heavy (fewer than 30 effective rounds behind the weighted rewards or corrections, or one
 *   round holding over 5% of the total weight) or too little overlap (the mean weight significantly below
 *   1: the target chooses actions the logging policy never does) give a warning and no interval.
 */
export function estimatePolicyValue(data: OpeData, options: OpeOptions = {}): OpeEstimate[] {
  return estimateWithDiagnostics(data, options).estimates;
}

/** {@link estimatePolicyValue} plus what the log says about weights, overlap and the reward model. */
export function estimateWithDiagnostics(
  data: OpeData,
  options: OpeOptions = {},
): { estimates: OpeEstimate[]; diagnostics: OpeDiagnostics } {
  const n = data.a.length;
  if (n === 0) throw new Error("the log has no rounds");
  const z = normalQuantile(1 - (1 - (options.level ?? 0.95)) / 2);
  const maxWeight = options.maxWeight ?? Number.POSITIVE_INFINITY;
  const { qa, qpi, kind, folds } = crossFit(data, options);
  const w = new Float64Array(n);
  const wc = new Float64Array(n);
  const wr = new Float64Array(n);
  const wcr = new Float64Array(n);
  const corr = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    w[i] = data.pi[i]![data.a[i]!]! / data.pscore[i]!;
    wc[i] = Math.min(w[i]!, maxWeight);
    wr[i] = w[i]! * data.r[i]!;
    wcr[i] = wc[i]! * data.r[i]!;
    corr[i] = w[i]! * (data.r[i]! - qa[i]!);
  }
  const meanW = mean(w);
  const seW = seOf(w);
  let sumW2 = 0;
  let maxW = 0;
  for (const v of w) {
    sumW2 += v * v;
    if (v > maxW) maxW = v;
  }
  const ess = sumW2 > 0 ? (meanW * n) ** 2 / sumW2 : 0;
  const tau = options.switchThreshold ?? chooseThreshold(w, qpi, corr);

  // What makes a normal interval unreliable on this log, whatever the estimator.
  const overlap =
    meanW + 2 * seW < 0.95
      ? `too little overlap: mean weight ${fmt(meanW)} (±${fmt(seW)}), so the log covers about ${Math.round(100 * meanW)}% of the target's choices`
      : undefined;
  const heavy = (terms: Float64Array, what: string): string | undefined => {
    const e = effective(terms);
    if (e < MIN_EFFECTIVE) return `weights too heavy: ${what} rest on about ${fmt(e)} effective rounds`;
    if (meanW > 0 && maxW / (meanW * n) > 0.05)
      return `weights too heavy: one round holds ${Math.round((100 * maxW) / (meanW * n))}% of the total weight`;
    return undefined;
  };

  const out: OpeEstimate[] = [];
  const push = (
    estimator: EstimatorName,
    estimate: number,
    se: number,
    halfWidth: number,
    warning: string | undefined,
    note?: string,
  ) =>
    out.push({
      estimator,
      estimate,
      ci: warning ? null : [estimate - halfWidth, estimate + halfWidth],
      rounds: n,
      se,
      ...(warning ? { warning } : {}),
      ...(note && !warning ? { note } : {}),
    });

  // IPS (clipped: the bias of clipping is estimated by the clipped-off part and added to the interval).
  const ips = mean(wcr);
  const clippedOff = Float64Array.from(wr, (v, i) => v - wcr[i]!);
  const clipBias = mean(clippedOff);
  const clipped = clippedOff.some((v) => v !== 0);
  const ipsSe = seOf(wcr);
  push(
    "ips",
    ips,
    ipsSe,
    clipped ? Math.abs(clipBias) + z * Math.hypot(ipsSe, seOf(clippedOff)) : z * ipsSe,
    overlap ?? heavy(wr, "the weighted rewards"),
    clipped ? "widened by the estimated clipping bias" : undefined,
  );
  // SNIPS: ratio estimator, delta-method standard error.
  const sw = sum(wc);
  const snips = sw > 0 ? sum(wcr) / sw : Number.NaN;
  const snipsSe = seOf(Float64Array.from(wc, (v, i) => v * (data.r[i]! - snips))) / (mean(wc) || 1);
  push(
    "snips",
    snips,
    snipsSe,
    z * snipsSe,
    overlap ??
      heavy(wr, "the weighted rewards") ??
      (clipped ? "clipped weights bias SNIPS by an amount the log cannot bound" : undefined),
  );
  // DR: cross-fitted DM plus the weighted residual.
  const drTerms = Float64Array.from(qpi, (v, i) => v + corr[i]!);
  const dr = mean(drTerms);
  const drSe = seOf(drTerms);
  const drWarning = overlap ?? heavy(corr, "the corrections (weighted residuals)");
  // DM: only as good as the model; its bias is checked against the DR correction.
  const dm = mean(qpi);
  const dmSe = seOf(qpi);
  const bias = mean(corr);
  const biasSe = seOf(corr);
  const zBias = biasSe > 0 ? bias / biasSe : bias === 0 ? 0 : Number.POSITIVE_INFINITY;
  const dmWarning =
    (drWarning ? `the model cannot be checked on this log (${drWarning})` : undefined) ??
    (Math.abs(zBias) > 2
      ? `reward model misspecified: the weighted residuals average ${fmt(bias)} (z = ${zBias.toFixed(1)}), DR differs from DM by that`
      : undefined);
  push(
    "dm",
    dm,
    dmSe,
    z * Math.sqrt(dmSe ** 2 + biasSe ** 2 + bias ** 2),
    dmWarning,
    "widened by the model check (the mean weighted residual and its error)",
  );
  push("dr", dr, drSe, z * drSe, drWarning);
  // Switch-DR: DR's correction where w ≤ τ; the dropped corrections estimate its bias.
  const kept = Float64Array.from(qpi, (v, i) => v + (w[i]! <= tau ? corr[i]! : 0));
  const dropped = Float64Array.from(corr, (v, i) => (w[i]! > tau ? v : 0));
  let droppedRounds = 0;
  for (const v of w) if (v > tau) droppedRounds++;
  const switchEst = mean(kept);
  const switchSe = seOf(kept);
  const switchWarning =
    overlap ??
    heavy(
      Float64Array.from(corr, (v, i) => (w[i]! <= tau ? v : 0)),
      "the kept corrections",
    ) ??
    (droppedRounds > 0 && effective(dropped) < MIN_EFFECTIVE
      ? `its bias (the corrections dropped on ${droppedRounds} rounds with weight above τ = ${tau}) cannot be bounded from the log`
      : undefined);
  push(
    "switch-dr",
    switchEst,
    switchSe,
    droppedRounds > 0 ? Math.abs(mean(dropped)) + z * Math.hypot(switchSe, seOf(dropped)) : z * switchSe,
    switchWarning,
    droppedRounds > 0
      ? `τ = ${tau}: widened by the dropped corrections (bias estimate and its error)`
      : undefined,
  );
  const order = new Map(ESTIMATORS.map((e, i) => [e, i]));
  out.sort((a, b) => order.get(a.estimator)! - order.get(b.estimator)!);
  return {
    estimates: out,
    diagnostics: {
      meanWeight: meanW,
      meanWeightSe: seW,
      effectiveRounds: ess,
      maxWeight: maxW,
      model: kind,
      folds,
      switchThreshold: tau,
    },
  };
}

/**
 * Cross-fitted reward model: rounds are split into folds at random (seeded); each fold's predictions
 * q̂(x, a) of the logged action and q̂(x, π) = Σₖ π(k|x) q̂(x, k) come from a model fitted on the other folds.
 */
function crossFit(
  data: OpeData,
  options: OpeOptions,
): { qa: Float64Array; qpi: Float64Array; kind: "logistic" | "ridge"; folds: number } {
  const n = data.a.length;
  const d = data.x[0]!.length;
  let binary = true;
  for (let i = 0; i < n && binary; i++) if (data.r[i] !== 0 && data.r[i] !== 1) binary = false;
  const kind = options.model ?? (binary ? "logistic" : "ridge");
  const folds = Math.max(2, Math.min(options.folds ?? (n < 50 ? 2 : 5), n));
  const rng = createRng(`${options.seed ?? 0}\u0000folds`);
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  }
  const foldOf = new Int32Array(n);
  perm.forEach((row, k) => {
    foldOf[row] = k % folds;
  });
  const qa = new Float64Array(n);
  const qpi = new Float64Array(n);
  for (let f = 0; f < folds; f++) {
    const train: number[] = [];
    for (let i = 0; i < n; i++) if (foldOf[i] !== f) train.push(i);
    const xs = train.map((i) => data.x[i]!);
    const as = train.map((i) => data.a[i]!);
    const rs = train.map((i) => data.r[i]!);
    const model: RewardModel =
      kind === "logistic" ? new LogisticRewardModel(d, xs, as, rs) : new RidgeRewardModel(d, xs, as, rs);
    for (let i = 0; i < n; i++) {
      if (foldOf[i] !== f) continue;
      const pi = data.pi[i]!;
      const x = data.x[i]!;
      qa[i] = model.predict(x, data.a[i]!);
      let v = 0;
      for (let k = 0; k < pi.length; k++) if (pi[k]! > 0) v += pi[k]! * model.predict(x, k);
      qpi[i] = v;
    }
  }
  return { qa, qpi, kind, folds };
}

function sum(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]!;
  return s;
}

function mean(v: ArrayLike<number>): number {
  return v.length ? sum(v) / v.length : Number.NaN;
}

/** Effective number of rounds behind a mean of terms: (Σ|t|)² / Σt² (n for equal terms, 1 for a single one). */
function effective(terms: Float64Array): number {
  let a = 0;
  let b = 0;
  for (const t of terms) {
    a += Math.abs(t);
    b += t * t;
  }
  return b > 0 ? (a * a) / b : Number.POSITIVE_INFINITY;
}

function fmt(v: number): string {
  return Number.isFinite(v) ? Number(v.toPrecision(3)).toString() : String(v);
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
