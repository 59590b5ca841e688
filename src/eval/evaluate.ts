import { type Csr, csrRow } from '../core/csr.js';
import { ndcgAtK, recallAtK } from '../core/metrics.js';
import type { Model } from '../core/model.js';
import { topK } from '../core/top-k.js';

export interface Metrics {
  readonly ndcg10: number;
  readonly recall20: number;
  /** Users with at least one held-out item (the ones averaged over). */
  readonly users: number;
}

/**
 * Ranks the full catalogue for every user with held-out items, from their `train` row alone,
 * leaving out their train items, and averages NDCG@10 and Recall@20 against `heldOut`.
 *
 * @example
 * const { ndcg10 } = evaluateModel(model, split.train, split.test);
 */
export function evaluateModel(model: Model, train: Csr, heldOut: Csr): Metrics {
  let ndcg = 0;
  let recall = 0;
  let users = 0;
  forEachRanking(model, train, heldOut, 20, (u, ranked) => {
    const relevant = new Set(csrRow(heldOut, u).indices);
    ndcg += ndcgAtK(ranked, relevant, 10);
    recall += recallAtK(ranked, relevant, 20);
    users++;
  });
  return { ndcg10: users === 0 ? 0 : ndcg / users, recall20: users === 0 ? 0 : recall / users, users };
}

/**
 * Calls `visit(user, topItems)` for every user with a non-empty row in `users`, with the model's
 * top k items that are not in the user's train row, best first.
 */
export function forEachRanking(
  model: Model,
  train: Csr,
  users: Csr,
  k: number,
  visit: (user: number, ranked: Int32Array) => void,
): void {
  const scores = new Float32Array(model.itemCount);
  const excluded = new Uint8Array(model.itemCount);
  for (let u = 0; u < users.rows; u++) {
    if (users.indptr[u + 1] === users.indptr[u]) continue;
    const row =
      u < train.rows ? csrRow(train, u) : { indices: new Int32Array(0), values: new Float32Array(0) };
    model.scoreHistory(row.indices, row.values, scores);
    for (let e = 0; e < row.indices.length; e++) excluded[row.indices[e]!] = 1;
    const ranked = topK(scores, k, (i) => excluded[i] === 1);
    for (let e = 0; e < row.indices.length; e++) excluded[row.indices[e]!] = 0;
    visit(u, ranked);
  }
}
