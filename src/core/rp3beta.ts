import type { Csr } from './csr.js';
import {
  createNeighbourModel,
  type NeighbourModel,
  neighboursFromRanked,
  type RankedRows,
  rankCoOccurrenceRows,
} from './neighbour-model.js';

/**
 * RP3β (Paudel, Christoffel, Newell, Bernstein, "Updatable, accurate, diverse, and scalable
 * recommendations for interactive applications", ACM TiiS 2017): the 3-step random walk
 * item→user→item with transition probabilities raised to α, then divided by the target's
 * popularity^β; each source item keeps its k best targets.
 */
export interface Rp3betaParams {
  readonly alpha: number;
  readonly beta: number;
  readonly k: number;
}

/**
 * Fits RP3β on a user×item matrix (binary use: weights are ignored, as in the paper).
 *
 * @example
 * const model = fitRp3beta(userItems, { alpha: 1, beta: 0.5, k: 100 });
 */
export function fitRp3beta(x: Csr, params: Rp3betaParams): NeighbourModel {
  return rp3betaFromRanked(rp3betaRanked(x, params.alpha, params.beta, params.k), params);
}

/** The item counts (degrees) of a user×item matrix. */
export function itemCounts(x: Csr): Float64Array {
  const counts = new Float64Array(x.cols);
  for (let e = 0; e < x.indices.length; e++) counts[x.indices[e]!]!++;
  return counts;
}

/**
 * Each source item's kMax best targets, best first (so a grid over k ranks once), by
 * W[h][j] / count(j)^β with W[h][j] = Σ_u (1/deg h)^α (1/deg u)^α over users u who have both h and
 * j; one row of W at a time, with no dense items × items matrix.
 */
export function rp3betaRanked(x: Csr, alpha: number, beta: number, kMax: number): RankedRows {
  const n = x.cols;
  const counts = itemCounts(x);
  const userWeight = new Float64Array(x.rows);
  for (let u = 0; u < x.rows; u++) {
    const degree = x.indptr[u + 1]! - x.indptr[u]!;
    if (degree > 0) userWeight[u] = (1 / degree) ** alpha;
  }
  const sourceWeight = new Float64Array(n);
  const penalty = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    if (counts[j]! > 0) {
      sourceWeight[j] = (1 / counts[j]!) ** alpha;
      penalty[j] = counts[j]! ** -beta;
    }
  }
  return rankCoOccurrenceRows(x, kMax, (h, j, walk) => walk * sourceWeight[h]! * penalty[j]!, {
    userWeight,
    binary: true,
  });
}

/** RP3β from ranked penalised rows (ranked to at least k). */
export function rp3betaFromRanked(ranked: RankedRows, params: Rp3betaParams): NeighbourModel {
  return createNeighbourModel('rp3beta', neighboursFromRanked(ranked, params.k, false), {
    alpha: params.alpha,
    beta: params.beta,
    k: params.k,
  });
}
