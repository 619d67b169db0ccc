// Small dense linear algebra on row-major Float64Array d×d matrices: just what the linear reward models
// need on their hot paths, with no allocation inside the loops.

/**
 * x'·M·x for a symmetric M (upper triangle only, four partial sums per row: the LinTS/LinUCB hot path).
 * The operations and their order are those of the WebAssembly kernel in simd-kernels.wat, so the two agree
 * bit for bit (see matrix-arena.ts).
 */
export function quadraticForm(m: Float64Array, x: Float64Array, d: number): number {
  let total = 0;
  for (let i = 0; i < d; i++) {
    const xi = x[i]!;
    if (xi === 0) continue;
    const row = i * d;
    let t = 0.5 * (xi * m[row + i]!);
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let j = i + 1;
    for (; j + 4 <= d; j += 4) {
      s0 += m[row + j]! * x[j]!;
      s1 += m[row + j + 1]! * x[j + 1]!;
      s2 += m[row + j + 2]! * x[j + 2]!;
      s3 += m[row + j + 3]! * x[j + 3]!;
    }
    for (; j < d; j++) t += m[row + j]! * x[j]!;
    total += 2 * xi * (t + (s0 + s2 + (s1 + s3)));
  }
  return total;
}

/** out = M·x, each row by {@link dotAt}. */
export function matVec(m: Float64Array, x: Float64Array, d: number, out: Float64Array): Float64Array {
  for (let i = 0; i < d; i++) out[i] = dotAt(m, i * d, x, 0, d);
  return out;
}

/** a·b over the first d entries, by {@link dotAt}. */
export function dot(a: Float64Array, b: Float64Array, d: number): number {
  return dotAt(a, 0, b, 0, d);
}

/**
 * a[aAt..aAt+n)·b[bAt..bAt+n) with four partial sums (the additions do not wait on each other): s0..s3 over
 * i ≡ 0..3 mod 4, the tail added to s0, then (s0 + s2) + (s1 + s3), as $dot in simd-kernels.wat.
 */
export function dotAt(a: Float64Array, aAt: number, b: Float64Array, bAt: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += a[aAt + i]! * b[bAt + i]!;
    s1 += a[aAt + i + 1]! * b[bAt + i + 1]!;
    s2 += a[aAt + i + 2]! * b[bAt + i + 2]!;
    s3 += a[aAt + i + 3]! * b[bAt + i + 3]!;
  }
  for (; i < n; i++) s0 += a[aAt + i]! * b[bAt + i]!;
  return s0 + s2 + (s1 + s3);
}

/**
 * Sherman–Morrison rank-one update of an inverse in place: (A + w·x·x')⁻¹ from A⁻¹ in O(d²).
 * `scratch` must hold d numbers.
 */
export function shermanMorrison(
  inv: Float64Array,
  x: Float64Array,
  w: number,
  d: number,
  scratch: Float64Array,
): void {
  const u = matVec(inv, x, d, scratch);
  const denom = 1 + w * dot(x, u, d);
  subtractOuter(inv, u, w / denom, d);
}

/**
 * m −= f·u·u'. The term is symmetric: each product is computed once and subtracted in both triangles (half
 * the multiplications; a symmetric m stays exactly symmetric).
 */
export function subtractOuter(m: Float64Array, u: Float64Array, f: number, d: number): void {
  for (let i = 0; i < d; i++) {
    const ui = f * u[i]!;
    if (ui === 0) continue;
    const row = i * d;
    m[row + i]! -= ui * u[i]!;
    for (let j = i + 1; j < d; j++) {
      const v = ui * u[j]!;
      m[row + j]! -= v;
      m[j * d + i]! -= v;
    }
  }
}

/**
 * m −= f·u·u' row by row over the whole matrix (each product (f·u_i)·u_j; unlike {@link subtractOuter} the
 * two triangles may drift apart by round-off, which the joint model's periodic rebuild wipes out).
 */
export function subtractOuterRows(m: Float64Array, u: Float64Array, f: number, d: number): void {
  for (let i = 0; i < d; i++) {
    const ui = f * u[i]!;
    if (ui === 0) continue;
    const row = i * d;
    for (let j = 0; j < d; j++) m[row + j]! -= ui * u[j]!;
  }
}

/**
 * out = M·φ for an n×n M and the sparse φ that holds x (d numbers) at each of the given slots (slot s
 * covers entries s·d to s·d + d − 1): per row, one {@link dotAt} per slot, summed in slot order.
 */
export function slotMatVec(
  m: Float64Array,
  n: number,
  slots: Int32Array,
  x: Float64Array,
  d: number,
  out: Float64Array,
): Float64Array {
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let b = 0; b < slots.length; b++) s += dotAt(m, i * n + slots[b]! * d, x, 0, d);
    out[i] = s;
  }
  return out;
}

/** m += w·x·x' (each product computed once and added in both triangles, as in {@link subtractOuter}). */
export function addOuter(m: Float64Array, x: Float64Array, w: number, d: number): void {
  for (let i = 0; i < d; i++) {
    const xi = w * x[i]!;
    if (xi === 0) continue;
    const row = i * d;
    m[row + i]! += xi * x[i]!;
    for (let j = i + 1; j < d; j++) {
      const v = xi * x[j]!;
      m[row + j]! += v;
      m[j * d + i]! += v;
    }
  }
}

/**
 * One observation (x, reward r, weight w) of a linear unit with Gram matrix A, target b, inverse P = A⁻¹ and
 * coefficients θ = P·b: A += w·x·x', b += (w·r)·x, then Sherman–Morrison from u = P·x (written to `u`):
 * f = w / (1 + w·(x·u)), θ += (w·r)·u − (f·u)·(u·b) (which is the new P·b expanded), P −= f·u·u'.
 */
export function learnObservation(
  gram: Float64Array,
  target: Float64Array,
  inverse: Float64Array,
  theta: Float64Array,
  x: Float64Array,
  w: number,
  r: number,
  d: number,
  u: Float64Array,
): void {
  addOuter(gram, x, w, d);
  const wr = w * r;
  for (let i = 0; i < d; i++) target[i]! += wr * x[i]!;
  matVec(inverse, x, d, u);
  const f = w / (1 + w * dot(x, u, d));
  const ub = dot(u, target, d);
  for (let i = 0; i < d; i++) theta[i]! += wr * u[i]! - f * u[i]! * ub;
  subtractOuter(inverse, u, f, d);
}

/**
 * Cholesky factor L (lower, row-major) of a symmetric positive-definite A, written to `out`.
 * Returns false when A is not positive definite.
 */
export function cholesky(a: Float64Array, d: number, out: Float64Array): boolean {
  out.fill(0);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      // L_ij = (A_ij − Σ_{k<j} L_ik·L_jk) / L_jj: rows i and j of L, contiguous.
      const s = a[i * d + j]! - dotAt(out, i * d, out, j * d, j);
      if (i === j) {
        if (!(s > 0)) return false;
        out[i * d + i] = Math.sqrt(s);
      } else {
        out[i * d + j] = s / out[j * d + j]!;
      }
    }
  }
  return true;
}

/** Solves L·Lᵀ·x = b for x, given the Cholesky factor L (lower, row-major) from {@link cholesky}. */
export function choleskySolve(l: Float64Array, b: Float64Array, d: number, out: Float64Array): void {
  for (let i = 0; i < d; i++) {
    let s = b[i]!;
    const row = i * d;
    for (let k = 0; k < i; k++) s -= l[row + k]! * out[k]!;
    out[i] = s / l[row + i]!;
  }
  for (let i = d - 1; i >= 0; i--) {
    let s = out[i]!;
    for (let k = i + 1; k < d; k++) s -= l[k * d + i]! * out[k]!;
    out[i] = s / l[i * d + i]!;
  }
}

/**
 * The diagonal of A⁻¹ from the Cholesky factor L of A (lower, row-major, from {@link cholesky}):
 * (A⁻¹)_ii = ‖L⁻¹eᵢ‖², each L⁻¹eᵢ by forward substitution from row i. d³/6 multiply-adds, against about
 * 5d³/6 for the whole inverse by {@link invertSpd}. `scratch` must hold d numbers.
 */
export function inverseDiagonal(l: Float64Array, d: number, out: Float64Array, scratch: Float64Array): void {
  for (let i = 0; i < d; i++) {
    inverseColumn(l, d, i, scratch, 0);
    // ‖L⁻¹eᵢ‖² over its non-zero part, rows i to d − 1.
    out[i] = dotAt(scratch, i, scratch, i, d - i);
  }
}

/**
 * Column i of L⁻¹ (zero above row i) into `into` from offset `at`: y_i = 1/L_ii, then
 * y_k = −(Σ_{i≤j<k} L_kj·y_j)/L_kk, each a contiguous dot of row k of L with y.
 */
function inverseColumn(l: Float64Array, d: number, i: number, into: Float64Array, at: number): void {
  into[at + i] = 1 / l[i * d + i]!;
  for (let k = i + 1; k < d; k++) {
    const row = k * d;
    into[at + k] = -dotAt(l, row + i, into, at + i, k - i) / l[row + k]!;
  }
}

/**
 * Inverse of a symmetric positive-definite A through its Cholesky factor (the periodic refactorisation
 * that wipes out the drift Sherman–Morrison updates accumulate), in `out` alone, as LAPACK's potri:
 * L into `out`; L⁻¹ in place, row by row (row i of L⁻¹ is −(L_i below the diagonal)·L⁻¹ / L_ii, summed as
 * multiples of the rows above, with L_i set aside in `scratch`); U = (L⁻¹)ᵀ moved to the upper triangle;
 * A⁻¹_ij = Σ_{k≥j} U_ik·U_jk for j ≥ i written over U in place (row i's entries before j are no longer
 * needed, nor are rows above i); then mirrored. About d³/2 multiply-adds, every inner loop over contiguous
 * rows. `scratch` must hold d numbers.
 */
export function invertSpd(a: Float64Array, d: number, out: Float64Array, scratch: Float64Array): boolean {
  if (!cholesky(a, d, out)) return false;
  for (let i = 0; i < d; i++) {
    const row = i * d;
    for (let k = 0; k < i; k++) {
      scratch[k] = out[row + k]!;
      out[row + k] = 0;
    }
    for (let k = 0; k < i; k++) {
      const c = scratch[k]!;
      const above = k * d;
      for (let j = 0; j <= k; j++) out[row + j]! += c * out[above + j]!;
    }
    const diagonal = out[row + i]!;
    for (let j = 0; j < i; j++) out[row + j] = -out[row + j]! / diagonal;
    out[row + i] = 1 / diagonal;
  }
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < i; j++) {
      out[j * d + i] = out[i * d + j]!;
      out[i * d + j] = 0;
    }
  }
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) out[i * d + j] = dotAt(out, i * d + j, out, j * d + j, d - j);
  }
  for (let i = 0; i < d; i++) {
    for (let j = i + 1; j < d; j++) out[j * d + i] = out[i * d + j]!;
  }
  return true;
}

/** Identity scaled by s, as a new d×d matrix. */
export function scaledIdentity(d: number, s: number): Float64Array {
  const m = new Float64Array(d * d);
  for (let i = 0; i < d; i++) m[i * d + i] = s;
  return m;
}

/** Whether the first d entries of two vectors are equal (context caches). */
export function sameVector(a: Float64Array, b: Float64Array, d: number): boolean {
  for (let i = 0; i < d; i++) if (a[i] !== b[i]) return false;
  return true;
}
