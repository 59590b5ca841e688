/**
 * Inverse of a symmetric positive-definite matrix through its Cholesky factor A = L·Lᵀ, then
 * A⁻¹ = L⁻ᵀ·L⁻¹ (the LAPACK potrf + potri sequence, Golub and Van Loan, "Matrix Computations", 4.2).
 * Every inner loop is a dot product or an axpy over contiguous row-major rows, four rows at a time,
 * so each value loaded from memory feeds four multiply-adds.
 */

/**
 * Replaces the row-major n×n symmetric positive-definite `a` by its inverse, in place, and returns
 * `true`; returns `false` (leaving `a` unspecified) when `a` is not positive definite.
 *
 * @example
 * const a = Float64Array.of(4, 2, 2, 3);
 * spdInverse(a, 2); // true; a is now [0.375, -0.25, -0.25, 0.5]
 */
export function spdInverse(a: Float64Array, n: number): boolean {
  if (!choleskyInPlace(a, n)) return false;
  const upper = new Float64Array(n * n);
  invertLowerTransposed(a, upper, n);
  upperTimesTransposeInto(upper, a, n);
  return true;
}

/**
 * Overwrites the lower triangle of `a` (row-major n×n) with its Cholesky factor L; the strict upper
 * triangle is zeroed. Returns false when a pivot is not positive.
 */
export function choleskyInPlace(a: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = i + 1; j < n; j++) a[ri + j] = 0;
  }
  let i0 = 0;
  for (; i0 + 4 <= n; i0 += 4) {
    const r0 = i0 * n;
    const r1 = r0 + n;
    const r2 = r1 + n;
    const r3 = r2 + n;
    // Columns left of the block, two finished rows j at a time: eight running dots share loads.
    let j = 0;
    for (; j + 2 <= i0; j += 2) {
      const rj = j * n;
      const rk = rj + n;
      let s00 = 0;
      let s10 = 0;
      let s20 = 0;
      let s30 = 0;
      let s01 = 0;
      let s11 = 0;
      let s21 = 0;
      let s31 = 0;
      for (let k = 0; k < j; k++) {
        const l0 = a[rj + k]!;
        const l1 = a[rk + k]!;
        const x0 = a[r0 + k]!;
        const x1 = a[r1 + k]!;
        const x2 = a[r2 + k]!;
        const x3 = a[r3 + k]!;
        s00 += x0 * l0;
        s10 += x1 * l0;
        s20 += x2 * l0;
        s30 += x3 * l0;
        s01 += x0 * l1;
        s11 += x1 * l1;
        s21 += x2 * l1;
        s31 += x3 * l1;
      }
      const d0 = a[rj + j]!;
      const v0 = (a[r0 + j]! - s00) / d0;
      const v1 = (a[r1 + j]! - s10) / d0;
      const v2 = (a[r2 + j]! - s20) / d0;
      const v3 = (a[r3 + j]! - s30) / d0;
      a[r0 + j] = v0;
      a[r1 + j] = v1;
      a[r2 + j] = v2;
      a[r3 + j] = v3;
      const lj = a[rk + j]!;
      const d1 = a[rk + j + 1]!;
      a[r0 + j + 1] = (a[r0 + j + 1]! - s01 - v0 * lj) / d1;
      a[r1 + j + 1] = (a[r1 + j + 1]! - s11 - v1 * lj) / d1;
      a[r2 + j + 1] = (a[r2 + j + 1]! - s21 - v2 * lj) / d1;
      a[r3 + j + 1] = (a[r3 + j + 1]! - s31 - v3 * lj) / d1;
    }
    for (; j < i0; j++) {
      const rj = j * n;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let k = 0; k < j; k++) {
        const l = a[rj + k]!;
        s0 += a[r0 + k]! * l;
        s1 += a[r1 + k]! * l;
        s2 += a[r2 + k]! * l;
        s3 += a[r3 + k]! * l;
      }
      const d = a[rj + j]!;
      a[r0 + j] = (a[r0 + j]! - s0) / d;
      a[r1 + j] = (a[r1 + j]! - s1) / d;
      a[r2 + j] = (a[r2 + j]! - s2) / d;
      a[r3 + j] = (a[r3 + j]! - s3) / d;
    }
    // The 4×4 diagonal block.
    for (let i = i0; i < i0 + 4; i++) {
      if (!finishRow(a, n, i, i0)) return false;
    }
  }
  for (let i = i0; i < n; i++) {
    if (!finishRow(a, n, i, 0)) return false;
  }
  return true;
}

/** Computes L[i][from..i] given every L[j][*] for j < i and L[i][0..from). */
function finishRow(a: Float64Array, n: number, i: number, from: number): boolean {
  const ri = i * n;
  for (let j = from; j < i; j++) {
    const rj = j * n;
    let s = 0;
    for (let k = 0; k < j; k++) s += a[ri + k]! * a[rj + k]!;
    a[ri + j] = (a[ri + j]! - s) / a[rj + j]!;
  }
  let s = 0;
  for (let k = 0; k < i; k++) s += a[ri + k]! * a[ri + k]!;
  const pivot = a[ri + i]! - s;
  if (!(pivot > 0)) return false;
  a[ri + i] = Math.sqrt(pivot);
  return true;
}

/**
 * Writes U = (L⁻¹)ᵀ (upper triangular, row-major) for the lower-triangular `l`, by
 * U[j][i] = −(Σ_{j ≤ k < i} L[i][k]·U[j][k]) / L[i][i]: dots over contiguous rows of L and U,
 * four rows i against two rows j at a time.
 */
function invertLowerTransposed(l: Float64Array, u: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) u[i * n + i] = 1 / l[i * n + i]!;
  const acc = new Float64Array(8);
  let i0 = 0;
  for (; i0 + 4 <= n; i0 += 4) {
    const r0 = i0 * n;
    const r1 = r0 + n;
    const r2 = r1 + n;
    const r3 = r2 + n;
    let j = 0;
    for (; j + 2 <= i0; j += 2) {
      const uj = j * n;
      const uk = uj + n;
      let s00 = 0;
      let s10 = 0;
      let s20 = 0;
      let s30 = 0;
      let s01 = 0;
      let s11 = 0;
      let s21 = 0;
      let s31 = 0;
      for (let k = j; k < i0; k++) {
        const y0 = u[uj + k]!;
        const y1 = u[uk + k]!;
        const x0 = l[r0 + k]!;
        const x1 = l[r1 + k]!;
        const x2 = l[r2 + k]!;
        const x3 = l[r3 + k]!;
        s00 += x0 * y0;
        s10 += x1 * y0;
        s20 += x2 * y0;
        s30 += x3 * y0;
        s01 += x0 * y1;
        s11 += x1 * y1;
        s21 += x2 * y1;
        s31 += x3 * y1;
      }
      acc[0] = s00;
      acc[1] = s10;
      acc[2] = s20;
      acc[3] = s30;
      acc[4] = s01;
      acc[5] = s11;
      acc[6] = s21;
      acc[7] = s31;
      finishBlock(l, u, n, i0, j, acc, 0);
      finishBlock(l, u, n, i0, j + 1, acc, 4);
    }
    for (; j < i0; j++) {
      for (let a = 0; a < 4; a++) upperEntry(l, u, n, i0 + a, j);
    }
    for (let i = i0 + 1; i < i0 + 4; i++) {
      for (let jj = i0; jj < i; jj++) upperEntry(l, u, n, i, jj);
    }
  }
  for (let i = i0; i < n; i++) {
    for (let j = 0; j < i; j++) upperEntry(l, u, n, i, j);
  }
}

/** Adds the in-block terms k in [i0, i) to the partial dots and writes U[j][i] for the 4 rows i. */
function finishBlock(
  l: Float64Array,
  u: Float64Array,
  n: number,
  i0: number,
  j: number,
  acc: Float64Array,
  at: number,
): void {
  const uj = j * n;
  for (let a = 0; a < 4; a++) {
    const i = i0 + a;
    const ri = i * n;
    let s = acc[at + a]!;
    for (let k = i0; k < i; k++) s += l[ri + k]! * u[uj + k]!;
    u[uj + i] = -s / l[ri + i]!;
  }
}

function upperEntry(l: Float64Array, u: Float64Array, n: number, i: number, j: number): void {
  const ri = i * n;
  const uj = j * n;
  let s = 0;
  for (let k = j; k < i; k++) s += l[ri + k]! * u[uj + k]!;
  u[uj + i] = -s / l[ri + i]!;
}

/**
 * out = U·Uᵀ for upper-triangular U: out[i][j] = Σ_{k ≥ max(i,j)} U[i][k]·U[j][k], four rows j
 * against two rows i at a time.
 */
function upperTimesTransposeInto(u: Float64Array, out: Float64Array, n: number): void {
  let j0 = 0;
  for (; j0 + 4 <= n; j0 += 4) {
    const r0 = j0 * n;
    const r1 = r0 + n;
    const r2 = r1 + n;
    const r3 = r2 + n;
    let i = 0;
    for (; i + 2 <= j0; i += 2) {
      const ri = i * n;
      const rk = ri + n;
      let s00 = 0;
      let s10 = 0;
      let s20 = 0;
      let s30 = 0;
      let s01 = 0;
      let s11 = 0;
      let s21 = 0;
      let s31 = 0;
      // Rows j0.. are zero left of j0, so the sums start there.
      for (let k = j0; k < n; k++) {
        const y0 = u[ri + k]!;
        const y1 = u[rk + k]!;
        const x0 = u[r0 + k]!;
        const x1 = u[r1 + k]!;
        const x2 = u[r2 + k]!;
        const x3 = u[r3 + k]!;
        s00 += x0 * y0;
        s10 += x1 * y0;
        s20 += x2 * y0;
        s30 += x3 * y0;
        s01 += x0 * y1;
        s11 += x1 * y1;
        s21 += x2 * y1;
        s31 += x3 * y1;
      }
      out[ri + j0] = s00;
      out[ri + j0 + 1] = s10;
      out[ri + j0 + 2] = s20;
      out[ri + j0 + 3] = s30;
      out[rk + j0] = s01;
      out[rk + j0 + 1] = s11;
      out[rk + j0 + 2] = s21;
      out[rk + j0 + 3] = s31;
      out[r0 + i] = s00;
      out[r1 + i] = s10;
      out[r2 + i] = s20;
      out[r3 + i] = s30;
      out[r0 + i + 1] = s01;
      out[r1 + i + 1] = s11;
      out[r2 + i + 1] = s21;
      out[r3 + i + 1] = s31;
    }
    for (; i < j0 + 4; i++) {
      for (let j = Math.max(i, j0); j < j0 + 4; j++) gramEntry(u, out, n, i, j);
    }
  }
  for (let j = j0; j < n; j++) {
    for (let i = 0; i <= j; i++) gramEntry(u, out, n, i, j);
  }
}

/** out[i][j] = out[j][i] = Σ_{k ≥ j} U[i][k]·U[j][k] for i ≤ j. */
function gramEntry(u: Float64Array, out: Float64Array, n: number, i: number, j: number): void {
  const ri = i * n;
  const rj = j * n;
  let s = 0;
  for (let k = j; k < n; k++) s += u[ri + k]! * u[rj + k]!;
  out[ri + j] = s;
  out[rj + i] = s;
}
