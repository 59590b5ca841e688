import type { Csr } from './csr.js';
import {
  createNeighbourModel,
  type NeighbourModel,
  neighboursFromRanked,
  type RankedRows,
  rankRows,
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
  return rp3betaFromWalk(rp3betaWalk(x, params.alpha), itemCounts(x), x.cols, params);
}

/** The item counts (degrees) of a user×item matrix. */
export function itemCounts(x: Csr): Float64Array {
  const counts = new Float64Array(x.cols);
  for (let e = 0; e < x.indices.length; e++) counts[x.indices[e]!]!++;
  return counts;
}

/** W[h][j] = Σ_u (1/deg h)^α (1/deg u)^α over users u who have both h and j (dense, row-major). */
export function rp3betaWalk(x: Csr, alpha: number): Float64Array {
  const n = x.cols;
  const counts = itemCounts(x);
  const walk = new Float64Array(n * n);
  const { indptr, indices } = x;
  for (let u = 0; u < x.rows; u++) {
    const start = indptr[u]!;
    const end = indptr[u + 1]!;
    if (end === start) continue;
    const wu = (1 / (end - start)) ** alpha;
    for (let a = start; a < end; a++) {
      const row = indices[a]! * n;
      for (let b = start; b < end; b++) walk[row + indices[b]!]! += wu;
    }
  }
  for (let h = 0; h < n; h++) {
    if (counts[h] === 0) continue;
    const wh = (1 / counts[h]!) ** alpha;
    const row = h * n;
    for (let j = 0; j < n; j++) walk[row + j]! *= wh;
  }
  return walk;
}

/** Applies the popularity penalty and the top-k cut to a walk matrix (a β and k grid reuses the walk). */
export function rp3betaFromWalk(
  walk: Float64Array,
  counts: Float64Array,
  n: number,
  params: Rp3betaParams,
): NeighbourModel {
  return rp3betaFromRanked(rankRows(rp3betaPenalised(walk, counts, n, params.beta), n, params.k), params);
}

/** W[h][j] / count(j)^β. */
export function rp3betaPenalised(
  walk: Float64Array,
  counts: Float64Array,
  n: number,
  beta: number,
): Float64Array {
  const penalty = new Float64Array(n);
  for (let j = 0; j < n; j++) penalty[j] = counts[j]! > 0 ? counts[j]! ** -beta : 0;
  const w = new Float64Array(n * n);
  for (let h = 0; h < n; h++) {
    const row = h * n;
    for (let j = 0; j < n; j++) w[row + j] = walk[row + j]! * penalty[j]!;
  }
  return w;
}

/** RP3β from ranked penalised rows (ranked to at least k). */
export function rp3betaFromRanked(ranked: RankedRows, params: Rp3betaParams): NeighbourModel {
  return createNeighbourModel('rp3beta', neighboursFromRanked(ranked, params.k, false), {
    alpha: params.alpha,
    beta: params.beta,
    k: params.k,
  });
}
