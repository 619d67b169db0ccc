// Same-process reference implementations on plain Float64Arrays, with no validation, no encoding, no
// explanations and no propensities: what the arithmetic alone costs, to put the policies' numbers in scale.

/**
 * Argmax of θ·x per block of units, units stored row-major in one Float64Array. With one block of K units
 * this is the textbook per-arm argmax; with one block per dimension it is the factorised argmax.
 */
export class NaiveArgmax {
  readonly theta: Float64Array;
  private readonly sizes: readonly number[];

  constructor(
    sizes: readonly number[],
    private readonly d: number,
    next: () => number,
  ) {
    this.sizes = sizes;
    const units = sizes.reduce((s, n) => s + n, 0);
    this.theta = new Float64Array(units * d);
    for (let i = 0; i < this.theta.length; i++) this.theta[i] = next() - 0.5;
  }

  /** Returns a checksum of the chosen unit per block (so the work cannot be optimised away). */
  decide(x: Float64Array): number {
    const d = this.d;
    const theta = this.theta;
    let unit = 0;
    let chosen = 0;
    for (const size of this.sizes) {
      let best = Number.NEGATIVE_INFINITY;
      let bestAt = 0;
      for (let u = 0; u < size; u++, unit++) {
        const row = unit * d;
        let s = 0;
        for (let i = 0; i < d; i++) s += theta[row + i]! * x[i]!;
        if (s > best) {
          best = s;
          bestAt = u;
        }
      }
      chosen += bestAt;
    }
    return chosen;
  }
}

/**
 * Disjoint LinUCB (Li et al., 2010, algorithm 1) over K arms: per arm A⁻¹ (d×d), b and θ = A⁻¹b, updated by
 * Sherman–Morrison in O(d²). Decisions score θ·x + α·√(xᵀA⁻¹x) for every arm and take the argmax.
 */
export class NaiveLinUcb {
  private readonly inverse: Float64Array;
  private readonly target: Float64Array;
  private readonly theta: Float64Array;
  private readonly u: Float64Array;

  constructor(
    private readonly arms: number,
    private readonly d: number,
    private readonly alpha = 1,
  ) {
    this.inverse = new Float64Array(arms * d * d);
    for (let a = 0; a < arms; a++) for (let i = 0; i < d; i++) this.inverse[a * d * d + i * d + i] = 1;
    this.target = new Float64Array(arms * d);
    this.theta = new Float64Array(arms * d);
    this.u = new Float64Array(d);
  }

  decide(x: Float64Array): number {
    const d = this.d;
    let best = Number.NEGATIVE_INFINITY;
    let bestArm = 0;
    for (let a = 0; a < this.arms; a++) {
      const base = a * d * d;
      let mean = 0;
      let q = 0;
      for (let i = 0; i < d; i++) {
        mean += this.theta[a * d + i]! * x[i]!;
        let s = 0;
        const row = base + i * d;
        for (let j = 0; j < d; j++) s += this.inverse[row + j]! * x[j]!;
        q += x[i]! * s;
      }
      const score = mean + this.alpha * Math.sqrt(Math.max(0, q));
      if (score > best) {
        best = score;
        bestArm = a;
      }
    }
    return bestArm;
  }

  update(x: Float64Array, arm: number, reward: number): void {
    const d = this.d;
    const base = arm * d * d;
    const inv = this.inverse;
    const u = this.u;
    let denom = 1;
    for (let i = 0; i < d; i++) {
      let s = 0;
      const row = base + i * d;
      for (let j = 0; j < d; j++) s += inv[row + j]! * x[j]!;
      u[i] = s;
      denom += x[i]! * s;
    }
    for (let i = 0; i < d; i++) {
      const ui = u[i]! / denom;
      const row = base + i * d;
      for (let j = 0; j < d; j++) inv[row + j]! -= ui * u[j]!;
    }
    for (let i = 0; i < d; i++) this.target[arm * d + i]! += reward * x[i]!;
    for (let i = 0; i < d; i++) {
      let s = 0;
      const row = base + i * d;
      for (let j = 0; j < d; j++) s += inv[row + j]! * this.target[arm * d + j]!;
      this.theta[arm * d + i] = s;
    }
  }
}
