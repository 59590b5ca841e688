/**
 * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations (Golub and Van Loan, "Matrix
 * Computations", 8.5): slow in n³ per sweep but exact to rounding, and n is a factor count (≤ 256).
 */
export interface SymmetricEigen {
  readonly values: Float64Array;
  /** Row-major n×n: row j is the unit eigenvector of `values[j]`. */
  readonly vectors: Float64Array;
}

/**
 * Decomposes the row-major n×n symmetric `a` (left untouched) as a = Σⱼ valuesⱼ·vⱼ·vⱼᵀ.
 *
 * @example
 * const { values, vectors } = symmetricEigen(Float64Array.of(2, 1, 1, 2), 2); // values 1 and 3
 */
export function symmetricEigen(a: Float64Array, n: number): SymmetricEigen {
  const m = Float64Array.from(a.subarray(0, n * n));
  // v's columns are the eigenvectors while rotating; transposed into rows at the end.
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale += m[i]! * m[i]!;
  const tolerance = 1e-30 * Math.max(scale, Number.MIN_VALUE);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p * n + q]! * m[p * n + q]!;
    if (off <= tolerance) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q]!;
        if (apq === 0) continue;
        const theta = (m[q * n + q]! - m[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < n; r++) {
          const mrp = m[r * n + p]!;
          const mrq = m[r * n + q]!;
          m[r * n + p] = c * mrp - s * mrq;
          m[r * n + q] = s * mrp + c * mrq;
        }
        for (let r = 0; r < n; r++) {
          const mpr = m[p * n + r]!;
          const mqr = m[q * n + r]!;
          m[p * n + r] = c * mpr - s * mqr;
          m[q * n + r] = s * mpr + c * mqr;
        }
        for (let r = 0; r < n; r++) {
          const vrp = v[r * n + p]!;
          const vrq = v[r * n + q]!;
          v[r * n + p] = c * vrp - s * vrq;
          v[r * n + q] = s * vrp + c * vrq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    values[j] = m[j * n + j]!;
    for (let r = 0; r < n; r++) vectors[j * n + r] = v[r * n + j]!;
  }
  return { values, vectors };
}
