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
  const tally = new MetricsTally(train, model.itemCount);
  forEachRanking(model, train, heldOut, 20, (u, ranked) => {
    tally.add(ranked, new Set(csrRow(heldOut, u).indices));
  });
  return tally.metrics();
}

/**
 * The running means of {@link Metrics} over users' rankings: NDCG@10 and Recall@20 against each
 * user's relevant items, and the popularity percentile (by `train`) of the top 10. An entry of -1 in a
 * ranking is an item outside the catalogue: a miss, at percentile 0.
 *
 * @example
 * const tally = new MetricsTally(split.train, itemCount);
 * tally.add(Int32Array.of(3, 1), new Set([1]));
 * tally.metrics().recall20; // 1
 */
export class MetricsTally {
  private readonly percentile: Float64Array;
  private ndcg = 0;
  private recall = 0;
  private popularity = 0;
  private count = 0;

  constructor(train: Csr, itemCount: number) {
    this.percentile = popularityPercentiles(train, itemCount);
  }

  /** Counts one user's ranking against their relevant items. */
  add(ranked: Int32Array, relevant: ReadonlySet<number>): void {
    this.ndcg += ndcgAtK(ranked, relevant, 10);
    this.recall += recallAtK(ranked, relevant, 20);
    const top = ranked.subarray(0, 10);
    let p = 0;
    for (const i of top) p += i >= 0 ? this.percentile[i]! : 0;
    this.popularity += top.length === 0 ? 0 : p / top.length;
    this.count++;
  }

  /** The means over the users counted so far (0 before any). */
  metrics(): Metrics {
    const mean = (x: number): number => (this.count === 0 ? 0 : x / this.count);
    return {
      ndcg10: mean(this.ndcg),
      recall20: mean(this.recall),
      popularityPercentile: mean(this.popularity),
      users: this.count,
    };
  }
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
