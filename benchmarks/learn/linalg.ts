// Small dense linear algebra for the peers and references (kept apart from @kairos/core's, so the
// baselines do not share code with what they are compared with). Matrices are row-major Float64Arrays.

/** In place: a ← a − (a x)(a x)ᵀ / (1 + xᵀ a x), the inverse after adding x xᵀ (a symmetric). */
export function shermanMorrison(a: Float64Array, x: Float64Array, d: number, scratch: Float64Array): void {
  let q = 0;
  for (let i = 0; i < d; i++) {
    let s = 0;
    const row = i * d;
    for (let j = 0; j < d; j++) s += a[row + j]! * x[j]!;
    scratch[i] = s;
    q += s * x[i]!;
  }
  const k = 1 / (1 + q);
  for (let i = 0; i < d; i++) {
    const si = scratch[i]! * k;
    const row = i * d;
    for (let j = 0; j < d; j++) a[row + j] -= si * scratch[j]!;
  }
}

/** xᵀ a x for a symmetric d × d matrix stored at `offset` in `a`. */
export function quadratic(a: Float64Array, x: Float64Array, d: number, offset = 0): number {
  let q = 0;
  for (let i = 0; i < d; i++) {
    const row = offset + i * d;
    const xi = x[i]!;
    let s = 0.5 * a[row + i]! * xi;
    for (let j = i + 1; j < d; j++) s += a[row + j]! * x[j]!;
    q += 2 * s * xi;
  }
  return q;
}

/** out ← a x. */
export function matVec(a: Float64Array, x: Float64Array, d: number, out: Float64Array): void {
  for (let i = 0; i < d; i++) {
    let s = 0;
    const row = i * d;
    for (let j = 0; j < d; j++) s += a[row + j]! * x[j]!;
    out[i] = s;
  }
}

export function dot(a: Float64Array, b: Float64Array, d: number, offset = 0): number {
  let s = 0;
  for (let i = 0; i < d; i++) s += a[offset + i]! * b[i]!;
  return s;
}

/** In place: the lower triangle of a becomes L, a = L Lᵀ (a symmetric positive definite; the upper is left). */
export function cholesky(a: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let s = a[rj + j]!;
    for (let k = 0; k < j; k++) s -= a[rj + k]! * a[rj + k]!;
    if (!(s > 0)) throw new Error("matrix not positive definite");
    const l = Math.sqrt(s);
    a[rj + j] = l;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let t = a[ri + j]!;
      for (let k = 0; k < j; k++) t -= a[ri + k]! * a[rj + k]!;
      a[ri + j] = t / l;
    }
  }
}

/** Solves L y = b, L the lower triangle of `l`. */
export function solveLower(l: Float64Array, b: Float64Array, n: number): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    const ri = i * n;
    for (let k = 0; k < i; k++) s -= l[ri + k]! * y[k]!;
    y[i] = s / l[ri + i]!;
  }
  return y;
}

/** Solves Lᵀ x = y, L the lower triangle of `l`. */
export function solveUpper(l: Float64Array, y: Float64Array, n: number): Float64Array {
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * x[k]!;
    x[i] = s / l[i * n + i]!;
  }
  return x;
}

/** Solves a θ = b for a symmetric positive definite a (overwritten by its Cholesky factor). */
export function choleskySolve(a: Float64Array, b: Float64Array, n: number): Float64Array {
  cholesky(a, n);
  return solveUpper(a, solveLower(a, b, n), n);
}
