import { addOuter, invertSpd, matVec } from "@kairos/core";

/**
 * The direct method's reward model q̂(x, a): a pooled ridge regression on the context (with a per-action
 * intercept shift), plus a per-action ridge correction shrunk towards it, so actions with few logged
 * rounds fall back on what all rounds say.
 */
export class RidgeRewardModel {
  private readonly pooled: Float64Array;
  private readonly perAction = new Map<number, Float64Array>();
  private readonly actionMean = new Map<number, number>();

  constructor(
    private readonly d: number,
    xs: readonly Float64Array[],
    actions: ArrayLike<number>,
    rewards: ArrayLike<number>,
    options: { lambda?: number; actionLambda?: number } = {},
  ) {
    const lambda = options.lambda ?? 1;
    const actionLambda = options.actionLambda ?? 10;
    this.pooled = ridge(d, xs, rewards, lambda);
    // Residuals per action: their mean is the action's shift, then a ridge fit of what remains.
    const byAction = new Map<number, number[]>();
    for (let i = 0; i < xs.length; i++) {
      const list = byAction.get(actions[i]!) ?? [];
      list.push(i);
      byAction.set(actions[i]!, list);
    }
    for (const [a, rows] of byAction) {
      const residual = rows.map((i) => rewards[i]! - this.dot(this.pooled, xs[i]!));
      const shift = residual.reduce((s, v) => s + v, 0) / (rows.length + actionLambda);
      this.actionMean.set(a, shift);
      if (rows.length > d) {
        const w = ridge(
          d,
          rows.map((i) => xs[i]!),
          residual.map((v) => v - shift),
          actionLambda,
        );
        this.perAction.set(a, w);
      }
    }
  }

  /** q̂(x, a). */
  predict(x: Float64Array, a: number): number {
    let v = this.dot(this.pooled, x) + (this.actionMean.get(a) ?? 0);
    const w = this.perAction.get(a);
    if (w) v += this.dot(w, x);
    return v;
  }

  private dot(w: Float64Array, x: Float64Array): number {
    let s = 0;
    for (let k = 0; k < this.d; k++) s += w[k]! * x[k]!;
    return s;
  }
}

/** Ridge regression weights (X'X + λI)⁻¹ X'y. */
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
