import { type Csr, csrRow } from '../core/csr.js';
import { ndcgAtK, recallAtK } from '../core/metrics.js';
import type { Model } from '../core/model.js';
import { topK } from '../core/top-k.js';

export interface Metrics {
  readonly ndcg10: number;
  readonly recall20: number;
  /**
   * Popularity bias: the mean popularity percentile (by train interactions; 1 is the most popular
   * item, 0 the least) of the top-10 recommended items.
   */
  readonly popularityPercentile: number;
  /** Users with at least one held-out item (the ones averaged over). */
  readonly users: number;
}

/**
 * Ranks the full catalogue for every user with held-out items, from their `train` row alone,
 * leaving out their train items, and averages NDCG@10 and Recall@20 against `heldOut`, and the
 * popularity percentile of the top 10.
 *
 * @example
 * const { ndcg10 } = evaluateModel(model, split.train, split.test);
 */
export function evaluateModel(model: Model, train: Csr, heldOut: Csr): Metrics {
  let ndcg = 0;
  let recall = 0;
  let popularity = 0;
  let users = 0;
  const percentile = popularityPercentiles(train, model.itemCount);
  forEachRanking(model, train, heldOut, 20, (u, ranked) => {
    const relevant = new Set(csrRow(heldOut, u).indices);
    ndcg += ndcgAtK(ranked, relevant, 10);
    recall += recallAtK(ranked, relevant, 20);
    const top = ranked.subarray(0, 10);
    let p = 0;
    for (const i of top) p += percentile[i]!;
    popularity += top.length === 0 ? 0 : p / top.length;
    users++;
  });
  const mean = (x: number): number => (users === 0 ? 0 : x / users);
  return { ndcg10: mean(ndcg), recall20: mean(recall), popularityPercentile: mean(popularity), users };
}

/**
 * Each item's popularity percentile by its train interactions: the share of the other items it is
 * more popular than, ties counted half (so all-equal items sit at 0.5).
 *
 * @example
 * popularityPercentiles(train, 3); // Float64Array [1, 0.25, 0.25] when item 0 leads, 1 and 2 tie
 */
export function popularityPercentiles(train: Csr, itemCount: number): Float64Array {
  const counts = new Float64Array(itemCount);
  for (let e = 0; e < train.indices.length; e++) {
    const i = train.indices[e]!;
    if (i < itemCount) counts[i] = counts[i]! + train.values[e]!;
  }
  const order = Array.from(counts.keys()).sort((a, b) => counts[a]! - counts[b]!);
  const out = new Float64Array(itemCount);
  if (itemCount <= 1) return out.fill(0.5);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end < order.length && counts[order[end]!] === counts[order[start]!]) end++;
    // Items in [start, end) tie: each beats `start` items and ties with end - start - 1.
    const value = (start + (end - start - 1) / 2) / (itemCount - 1);
    for (let k = start; k < end; k++) out[order[k]!] = value;
    start = end;
  }
  return out;
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
