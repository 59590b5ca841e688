import type { Csr } from './csr.js';
import { csrTranspose } from './csr.js';

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

/**
 * Row i of the co-occurrence matrix, one row at a time and without the dense n×n matrix:
 * `visit(i, row, columns)` gets G[i][j] = Σ_u w_u·x_ui·x_uj in `row[j]` for the ascending `columns`
 * that some user shares with i (`row` is scratch of length n, zero elsewhere, reused for the next
 * row). With `binary`, x is read as 0/1. Sums run over users in ascending order, as in
 * {@link coOccurrence}, so the values are the same bits. Costs Σ_u deg(u)² time and O(n + nnz) memory.
 *
 * @example
 * forEachCoOccurrenceRow(userItems, (i, row, columns) => console.log(i, columns.length));
 */
export function forEachCoOccurrenceRow(
  x: Csr,
  visit: (i: number, row: Float64Array, columns: Int32Array) => void,
  options: { readonly userWeight?: Float64Array; readonly binary?: boolean } = {},
): void {
  const n = x.cols;
  const byItem = csrTranspose(x);
  const { indptr, indices, values } = x;
  const { userWeight, binary = false } = options;
  const row = new Float64Array(n);
  const seen = new Uint8Array(n);
  const touched = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let count = 0;
    for (let e = byItem.indptr[i]!; e < byItem.indptr[i + 1]!; e++) {
      const u = byItem.indices[e]!;
      const w = userWeight === undefined ? 1 : userWeight[u]!;
      const va = binary ? w : w * byItem.values[e]!;
      for (let b = indptr[u]!; b < indptr[u + 1]!; b++) {
        const j = indices[b]!;
        row[j]! += binary ? va : va * values[b]!;
        if (seen[j] === 0) {
          seen[j] = 1;
          touched[count++] = j;
        }
      }
    }
    const columns = touched.subarray(0, count).sort();
    visit(i, row, columns);
    for (let c = 0; c < count; c++) {
      const j = columns[c]!;
      row[j] = 0;
      seen[j] = 0;
    }
  }
}
