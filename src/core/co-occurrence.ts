import type { Csr } from './csr.js';

/**
 * The dense item×item co-occurrence (Gram) matrix XᵀW X of a user×item matrix, row-major
 * Float64: G[i][j] = Σ_u w_u·x_ui·x_uj, with user weights w defaulting to 1. Costs Σ_u deg(u)².
 *
 * @example
 * const g = coOccurrence(userItems); // g[i * n + i] is item i's (weighted) count
 */
export function coOccurrence(x: Csr, userWeight?: Float64Array): Float64Array {
  const n = x.cols;
  const g = new Float64Array(n * n);
  const { indptr, indices, values } = x;
  for (let u = 0; u < x.rows; u++) {
    const start = indptr[u]!;
    const end = indptr[u + 1]!;
    const w = userWeight === undefined ? 1 : userWeight[u]!;
    for (let a = start; a < end; a++) {
      const row = indices[a]! * n;
      const va = w * values[a]!;
      for (let b = start; b < end; b++) g[row + indices[b]!]! += va * values[b]!;
    }
  }
  return g;
}
