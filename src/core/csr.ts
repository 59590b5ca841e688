/**
 * Compressed sparse row matrices (the CSR layout of Saad, "Iterative Methods for Sparse Linear
 * Systems", 3.4): row r's entries are `indices`/`values` in [indptr[r], indptr[r + 1]), columns
 * ascending, duplicates summed.
 */
export interface Csr {
  readonly rows: number;
  readonly cols: number;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly values: Float32Array;
}

/** One row of a {@link Csr}: views into its arrays, not copies. */
export interface CsrRow {
  readonly indices: Int32Array;
  readonly values: Float32Array;
}

/**
 * Builds a CSR matrix from (row, col, value) triples; `values` defaults to all ones and duplicate
 * (row, col) pairs are summed.
 *
 * @example
 * const m = csrFromTriples(2, 3, Int32Array.of(0, 1, 0), Int32Array.of(2, 0, 2));
 * csrRow(m, 0).values; // Float32Array [2]
 */
export function csrFromTriples(
  rows: number,
  cols: number,
  rowIdx: Int32Array,
  colIdx: Int32Array,
  values?: Float32Array,
): Csr {
  const nnzIn = rowIdx.length;
  const counts = new Int32Array(rows + 1);
  for (let e = 0; e < nnzIn; e++) counts[rowIdx[e]! + 1]!++;
  for (let r = 0; r < rows; r++) counts[r + 1]! += counts[r]!;
  const next = counts.slice(0, rows);
  const order = new Int32Array(nnzIn);
  for (let e = 0; e < nnzIn; e++) order[next[rowIdx[e]!]!++] = e;
  const indptr = new Int32Array(rows + 1);
  const indices = new Int32Array(nnzIn);
  const out = new Float32Array(nnzIn);
  let nnz = 0;
  for (let r = 0; r < rows; r++) {
    const start = counts[r]!;
    const end = counts[r + 1]!;
    const slice = Array.from(order.subarray(start, end)).sort((a, b) => colIdx[a]! - colIdx[b]!);
    let lastCol = -1;
    for (const e of slice) {
      const c = colIdx[e]!;
      const v = values === undefined ? 1 : values[e]!;
      if (c === lastCol) {
        out[nnz - 1]! += v;
      } else {
        indices[nnz] = c;
        out[nnz] = v;
        nnz++;
        lastCol = c;
      }
    }
    indptr[r + 1] = nnz;
  }
  return { rows, cols, indptr, indices: indices.slice(0, nnz), values: out.slice(0, nnz) };
}

/**
 * The transpose, in CSR form (so it also serves as the CSC form of `m`). With `shared`, its arrays
 * live in SharedArrayBuffers, for threads to read without a copy. With `reuseUniformValues`, when
 * every value of `m` is the same (e.g. all ones), the transpose's values are `m.values` itself, not
 * a copy (both matrices must then be read-only).
 */
export function csrTranspose(
  m: Csr,
  options: { readonly shared?: boolean; readonly reuseUniformValues?: boolean } = {},
): Csr {
  const nnz = m.indices.length;
  const indptr = csrArray(Int32Array, m.cols + 1, options.shared === true);
  for (let e = 0; e < nnz; e++) indptr[m.indices[e]! + 1]!++;
  for (let c = 0; c < m.cols; c++) indptr[c + 1]! += indptr[c]!;
  const next = indptr.slice(0, m.cols);
  const indices = csrArray(Int32Array, nnz, options.shared === true);
  const reuse = options.reuseUniformValues === true && uniform(m.values);
  const values = reuse ? m.values : csrArray(Float32Array, nnz, options.shared === true);
  for (let r = 0; r < m.rows; r++) {
    for (let e = m.indptr[r]!; e < m.indptr[r + 1]!; e++) {
      const at = next[m.indices[e]!]!++;
      indices[at] = r;
      if (!reuse) values[at] = m.values[e]!;
    }
  }
  return { rows: m.cols, cols: m.rows, indptr, indices, values };
}

function uniform(values: Float32Array): boolean {
  for (let e = 1; e < values.length; e++) if (values[e] !== values[0]) return false;
  return true;
}

/** A zeroed array of `length` elements, in a SharedArrayBuffer when `shared`. */
export function csrArray<T extends Int32Array | Float32Array>(
  ctor: { new (length: number): T; new (buffer: SharedArrayBuffer): T; readonly BYTES_PER_ELEMENT: number },
  length: number,
  shared: boolean,
): T {
  return shared ? new ctor(new SharedArrayBuffer(length * ctor.BYTES_PER_ELEMENT)) : new ctor(length);
}

/**
 * `m` with its arrays in SharedArrayBuffers, for threads that read it where it is: arrays already
 * shared are kept, the others copied (only their views' elements).
 *
 * @example
 * const shared = csrShared(m); // shared.indices.buffer instanceof SharedArrayBuffer
 */
export function csrShared(m: Csr): Csr {
  return {
    rows: m.rows,
    cols: m.cols,
    indptr: sharedArray(m.indptr),
    indices: sharedArray(m.indices),
    values: sharedArray(m.values),
  };
}

function sharedArray<T extends Int32Array | Float32Array>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const copy = csrArray(
    a.constructor as {
      new (buffer: SharedArrayBuffer): T;
      new (length: number): T;
      BYTES_PER_ELEMENT: number;
    },
    a.length,
    true,
  );
  copy.set(a);
  return copy;
}

/** Row r as views into the matrix's arrays. */
export function csrRow(m: Csr, r: number): CsrRow {
  const start = m.indptr[r]!;
  const end = m.indptr[r + 1]!;
  return { indices: m.indices.subarray(start, end), values: m.values.subarray(start, end) };
}

/** Number of stored entries in each row. */
export function csrRowCounts(m: Csr): Int32Array {
  const out = new Int32Array(m.rows);
  for (let r = 0; r < m.rows; r++) out[r] = m.indptr[r + 1]! - m.indptr[r]!;
  return out;
}
