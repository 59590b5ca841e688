import type { Csr } from './csr.js';
import {
  createNeighbourModel,
  type NeighbourModel,
  neighboursFromRanked,
  type RankedRows,
  rankCoOccurrenceRows,
} from './neighbour-model.js';

/**
 * Item-based kNN with cosine similarity shrunk towards zero when co-occurrence evidence is weak
 * (Sarwar et al. WWW 2001; shrinkage as in Koren, KDD 2008): s(i, j) = G_ij / (‖i‖·‖j‖ + shrink).
 * Each target item keeps its k most similar items.
 */
export interface ItemKnnParams {
  readonly k: number;
  readonly shrink: number;
}

/**
 * Fits item-kNN on a user×item matrix.
 *
 * @example
 * const model = fitItemKnn(userItems, { k: 100, shrink: 10 });
 */
export function fitItemKnn(x: Csr, params: ItemKnnParams): NeighbourModel {
  return itemKnnFromRanked(itemKnnRanked(x, params.shrink, params.k), params);
}

/**
 * Each item's kMax most similar items, best first (so a grid over k ranks once), one row of the
 * co-occurrence at a time: no dense items × items matrix.
 */
export function itemKnnRanked(x: Csr, shrink: number, kMax: number): RankedRows {
  const norms = new Float64Array(x.cols);
  // Rows have distinct columns, so G[i][i] is Σ_u x_ui², summed over users in order as in coOccurrence.
  for (let e = 0; e < x.indices.length; e++) norms[x.indices[e]!]! += x.values[e]! * x.values[e]!;
  for (let i = 0; i < x.cols; i++) norms[i] = Math.sqrt(norms[i]!);
  return rankCoOccurrenceRows(x, kMax, (i, j, g) =>
    g === 0 ? 0 : g / (norms[i]! * norms[j]! + shrink + 1e-12),
  );
}

/** Item-kNN from ranked similarity rows (ranked to at least k, so a grid over k ranks once). */
export function itemKnnFromRanked(ranked: RankedRows, params: ItemKnnParams): NeighbourModel {
  return createNeighbourModel('item-knn', neighboursFromRanked(ranked, params.k, true), {
    k: params.k,
    shrink: params.shrink,
  });
}
