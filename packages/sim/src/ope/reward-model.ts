import { addOuter, invertSpd, matVec } from "@kairos/core";

/**
 * The direct method's reward model q̂(x, a) for rewards that are not 0/1: a pooled ridge regression on
 * [1, x], plus per action a ridge correction on [1, x] fitted jointly (intercept and slopes: a logging
 * policy that picks an action for some contexts more than others leaves the action's contexts off-centre,
 * and a shift fitted apart from the slopes would then be biased), shrunk towards the pooled fit by
 * `actionLambda`. An action with no more rounds than coefficients gets an intercept shift only.
 */
export class RidgeRewardModel implements RewardModel {
  private readonly pooled: Float64Array;
  private readonly perAction = new Map<number, Float64Array>();

  constructor(
    private readonly d: number,
    xs: readonly Float64Array[],
    actions: ArrayLike<number>,
    rewards: ArrayLike<number>,
    options: { lambda?: number; actionLambda?: number } = {},
  ) {
    const lambda = options.lambda ?? 1;
    const actionLambda = options.actionLambda ?? 1;
    const u = xs.map((x) => withIntercept(x, d));
    this.pooled = ridge(d + 1, u, rewards, lambda);
    const byAction = new Map<number, number[]>();
    for (let i = 0; i < xs.length; i++) {
      const list = byAction.get(actions[i]!) ?? [];
      list.push(i);
      byAction.set(actions[i]!, list);
    }
    for (const [a, rows] of byAction) {
      const p = rows.length > d + 1 ? d + 1 : 1;
      const residual = rows.map((i) => rewards[i]! - this.dot(this.pooled, u[i]!, d + 1));
      this.perAction.set(
        a,
        ridge(
          p,
          rows.map((i) => u[i]!),
          residual,
          actionLambda,
        ),
      );
    }
  }

  /** q̂(x, a). */
  predict(x: Float64Array, a: number): number {
    const u = withIntercept(x, this.d);
    let v = this.dot(this.pooled, u, this.d + 1);
    const w = this.perAction.get(a);
    if (w) v += this.dot(w, u, w.length);
    return v;
  }

  private dot(w: Float64Array, u: Float64Array, p: number): number {
    let s = 0;
    for (let k = 0; k < p; k++) s += w[k]! * u[k]!;
    return s;
  }
}

/** [1, x]. */
function withIntercept(x: Float64Array, d: number): Float64Array {
  const u = new Float64Array(d + 1);
  u[0] = 1;
  u.set(x.subarray(0, d), 1);
  return u;
}

/** Ridge regression weights (X'X + λI)⁻¹ X'y on the first d entries of each row. */
function ridge(d: number, xs: readonly Float64Array[], y: ArrayLike<number>, lambda: number): Float64Array {
  const a = new Float64Array(d * d);
  for (let k = 0; k < d; k++) a[k * d + k] = lambda;
  const b = new Float64Array(d);
  for (let i = 0; i < xs.length; i++) {
    addOuter(a, xs[i]!, 1, d);
    for (let k = 0; k < d; k++) b[k]! += xs[i]![k]! * y[i]!;
  }
  const inv = new Float64Array(d * d);
  if (!invertSpd(a, d, inv, new Float64Array(d * d))) return new Float64Array(d);
  return matVec(inv, b, d, new Float64Array(d));
}

/** A reward model q̂(x, a) the direct method and DR read. */
export interface RewardModel {
  predict(x: Float64Array, a: number): number;
}

/**
 * Logistic reward model for conversions (rewards 0 or 1), so predictions stay probabilities:
 * logit q̂(x, a) = β·[1, x] + γₐ·zₐ, with zₐ = [1, x] for an action logged often enough to fit its own
 * slopes (at least 5 rounds per coefficient) and zₐ = [1] (an intercept shift) otherwise. L2 penalties shrink
 * β (λ = 1) and every γₐ (λ = 5) towards 0, so rare actions fall back on the pooled fit. Fitted by
 * alternating penalised Newton steps on β and on each γₐ.
 */
export class LogisticRewardModel implements RewardModel {
  private readonly beta: Float64Array;
  private readonly gamma = new Map<number, Float64Array>();

  constructor(
    private readonly d: number,
    xs: readonly Float64Array[],
    actions: ArrayLike<number>,
    rewards: ArrayLike<number>,
    options: { lambda?: number; actionLambda?: number; rounds?: number } = {},
  ) {
    const lambda = options.lambda ?? 1;
    const actionLambda = options.actionLambda ?? 5;
    const n = xs.length;
    const u = xs.map((x) => {
      const v = new Float64Array(d + 1);
      v[0] = 1;
      v.set(x, 1);
      return v;
    });
    const byAction = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const list = byAction.get(actions[i]!) ?? [];
      list.push(i);
      byAction.set(actions[i]!, list);
    }
    this.beta = new Float64Array(d + 1);
    for (const [a, rows] of byAction)
      this.gamma.set(a, new Float64Array(rows.length >= 5 * (d + 1) ? d + 1 : 1));
    const pooled = new Float64Array(n);
    const own = new Float64Array(n);
    const all = Int32Array.from({ length: n }, (_, i) => i);
    for (let round = 0; round < (options.rounds ?? 8); round++) {
      for (let i = 0; i < n; i++) own[i] = this.dot(this.gamma.get(actions[i]!)!, u[i]!);
      newtonStep(this.beta, u, all, rewards, own, lambda);
      for (let i = 0; i < n; i++) pooled[i] = this.dot(this.beta, u[i]!);
      for (const [a, rows] of byAction)
        newtonStep(this.gamma.get(a)!, u, rows, rewards, pooled, actionLambda);
    }
  }

  predict(x: Float64Array, a: number): number {
    let eta = this.beta[0]!;
    for (let k = 0; k < this.d; k++) eta += this.beta[k + 1]! * x[k]!;
    const g = this.gamma.get(a);
    if (g) {
      eta += g[0]!;
      for (let k = 1; k < g.length; k++) eta += g[k]! * x[k - 1]!;
    }
    return 1 / (1 + Math.exp(-eta));
  }

  private dot(w: Float64Array, u: Float64Array): number {
    let s = 0;
    for (let k = 0; k < w.length; k++) s += w[k]! * u[k]!;
    return s;
  }
}

/**
 * One penalised Newton step for logistic regression on the first w.length entries of u over the given rows,
 * with a fixed offset per row: minimises −loglik + λ/2 |w|². Updates w in place.
 */
function newtonStep(
  w: Float64Array,
  u: readonly Float64Array[],
  rows: ArrayLike<number>,
  y: ArrayLike<number>,
  offset: Float64Array,
  lambda: number,
): void {
  const p = w.length;
  const h = new Float64Array(p * p);
  const g = new Float64Array(p);
  for (let k = 0; k < p; k++) {
    h[k * p + k] = lambda;
    g[k] = lambda * w[k]!;
  }
  for (let j = 0; j < rows.length; j++) {
    const i = rows[j]!;
    const ui = u[i]!;
    let eta = offset[i]!;
    for (let k = 0; k < p; k++) eta += w[k]! * ui[k]!;
    const mu = 1 / (1 + Math.exp(-eta));
    const v = Math.max(mu * (1 - mu), 1e-9);
    const resid = mu - y[i]!;
    for (let k = 0; k < p; k++) {
      g[k]! += resid * ui[k]!;
      for (let l = 0; l <= k; l++) h[k * p + l]! += v * ui[k]! * ui[l]!;
    }
  }
  for (let k = 0; k < p; k++) for (let l = 0; l < k; l++) h[l * p + k] = h[k * p + l]!;
  const inv = new Float64Array(p * p);
  if (!invertSpd(h, p, inv, new Float64Array(p * p))) return;
  const step = matVec(inv, g, p, new Float64Array(p));
  for (let k = 0; k < p; k++) w[k]! -= step[k]!;
}
