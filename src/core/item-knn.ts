import { coOccurrence } from './co-occurrence.js';
import type { Csr } from './csr.js';
import {
  createNeighbourModel,
  type NeighbourModel,
  neighboursFromRanked,
  type RankedRows,
  rankRows,
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
  return itemKnnFromGram(coOccurrence(x), x.cols, params);
}

/** Item-kNN from a precomputed co-occurrence matrix (so a grid over k and shrink reuses it). */
export function itemKnnFromGram(gram: Float64Array, n: number, params: ItemKnnParams): NeighbourModel {
  return itemKnnFromRanked(rankRows(itemKnnSimilarity(gram, n, params.shrink), n, params.k), params);
}

/** The dense shrunk cosine similarity matrix. */
export function itemKnnSimilarity(gram: Float64Array, n: number, shrink: number): Float64Array {
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) norms[i] = Math.sqrt(gram[i * n + i]!);
  const sim = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ni = norms[i]!;
    const row = i * n;
    for (let j = 0; j < n; j++) {
      const g = gram[row + j]!;
      if (g !== 0) sim[row + j] = g / (ni * norms[j]! + shrink + 1e-12);
    }
  }
  return sim;
}

/** Item-kNN from ranked similarity rows (ranked to at least k, so a grid over k ranks once). */
export function itemKnnFromRanked(ranked: RankedRows, params: ItemKnnParams): NeighbourModel {
  return createNeighbourModel('item-knn', neighboursFromRanked(ranked, params.k, true), {
    k: params.k,
    shrink: params.shrink,
  });
}
