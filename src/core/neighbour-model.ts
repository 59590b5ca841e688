import { forEachCoOccurrenceRow } from './co-occurrence.js';
import { type Csr, csrTranspose } from './csr.js';
import { arrayOf, bufferOf, type Model, type TransferableModel } from './model.js';
import { topKOf } from './top-k.js';

/**
 * A model whose scores are history · W for a sparse item×item matrix W kept as the top-k entries
 * of each row (Sarwar et al., "Item-based collaborative filtering", WWW 2001): item-kNN and RP3β.
 */
export interface NeighbourModel extends Model {
  /** Row h holds the items that history item h votes for, with their weights. */
  readonly neighbours: Csr;
}

/**
 * Wraps a sparse item×item matrix as a {@link Model}.
 *
 * @example
 * const model = createNeighbourModel('item-knn', neighbours, { k: 100 });
 */
export function createNeighbourModel(
  kind: string,
  neighbours: Csr,
  params: Record<string, number>,
): NeighbourModel {
  const { indptr, indices, values } = neighbours;
  return {
    kind,
    itemCount: neighbours.cols,
    capabilities: { incremental: true, needsItemVectors: false, personalised: true },
    neighbours,
    scoreHistory(items, weights, out) {
      out.fill(0);
      for (let h = 0; h < items.length; h++) {
        const item = items[h]!;
        if (item < 0 || item >= neighbours.rows) continue;
        const w = weights[h]!;
        for (let e = indptr[item]!; e < indptr[item + 1]!; e++) out[indices[e]!]! += w * values[e]!;
      }
    },
    toTransferable(): TransferableModel {
      return {
        meta: { kind, itemCount: neighbours.cols, params, ownBuffers: 3 },
        buffers: [bufferOf(indptr), bufferOf(indices), bufferOf(values)],
      };
    },
  };
}

/** Rebuilds a neighbour model from {@link NeighbourModel.toTransferable}'s output. */
export function neighbourModelFromTransferable(t: TransferableModel): NeighbourModel {
  const n = t.meta.itemCount;
  const [indptr, indices, values] = t.buffers;
  const neighbours: Csr = {
    rows: n,
    cols: n,
    indptr: arrayOf(Int32Array, indptr!),
    indices: arrayOf(Int32Array, indices!),
    values: arrayOf(Float32Array, values!),
  };
  return createNeighbourModel(t.meta.kind, neighbours, t.meta.params);
}

/** Each row's best entries, best first (so the top k for any smaller k is a prefix). */
export interface RankedRows {
  readonly n: number;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly values: Float32Array;
}

/**
 * Each row's kMax largest positive entries, diagonal skipped, of the matrix whose entry (i, j) is
 * `score(i, j, g)`, g the co-occurrence G[i][j] (see {@link forEachCoOccurrenceRow}), for the pairs
 * some user shares; the others are zero. The same ranking as the dense matrix gives, without holding
 * it: O(n·kMax + nnz) memory.
 */
export function rankCoOccurrenceRows(
  x: Csr,
  kMax: number,
  score: (i: number, j: number, g: number) => number,
  options: { readonly userWeight?: Float64Array; readonly binary?: boolean } = {},
): RankedRows {
  const n = x.cols;
  const indptr = new Int32Array(n + 1);
  const indices = new Int32Array(n * Math.min(kMax, n));
  const values = new Float32Array(indices.length);
  let nnz = 0;
  forEachCoOccurrenceRow(
    x,
    (i, row, columns) => {
      // The row is scratch: each listed entry's co-occurrence is replaced by its score, once.
      for (const j of columns) row[j] = score(i, j, row[j]!);
      const best = topKOf(
        columns,
        kMax,
        (j) => row[j]!,
        (j) => j === i || !(row[j]! > 0),
      );
      for (let r = 0; r < best.length; r++) {
        indices[nnz] = best[r]!;
        values[nnz] = row[best[r]!]!;
        nnz++;
      }
      indptr[i + 1] = nnz;
    },
    options,
  );
  return { n, indptr, indices: indices.subarray(0, nnz), values: values.subarray(0, nnz) };
}

/**
 * The sparse matrix of each row's top k from {@link rankCoOccurrenceRows}; with `byColumn` the ranked matrix is
 * read as symmetric and row j's top k become the entries of column j (each target keeps its k best
 * sources).
 */
export function neighboursFromRanked(ranked: RankedRows, k: number, byColumn: boolean): Csr {
  const { n } = ranked;
  const indptr = new Int32Array(n + 1);
  let nnz = 0;
  for (let i = 0; i < n; i++) {
    nnz += Math.min(k, ranked.indptr[i + 1]! - ranked.indptr[i]!);
    indptr[i + 1] = nnz;
  }
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  for (let i = 0; i < n; i++) {
    const from = ranked.indptr[i]!;
    const count = indptr[i + 1]! - indptr[i]!;
    indices.set(ranked.indices.subarray(from, from + count), indptr[i]!);
    values.set(ranked.values.subarray(from, from + count), indptr[i]!);
  }
  const m: Csr = { rows: n, cols: n, indptr, indices, values };
  return byColumn ? csrTranspose(m) : m;
}
