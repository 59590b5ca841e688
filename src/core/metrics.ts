/**
 * Top-k ranking metrics with binary relevance (Järvelin and Kekäläinen 2002 for NDCG). Recall@k
 * divides by min(k, number of relevant items), so a perfect ranking scores 1 at every k.
 */

/**
 * NDCG@k of a ranked list against a set of relevant items.
 *
 * @example
 * ndcgAtK(Int32Array.of(5, 1, 2), new Set([1]), 3); // 1 / log2(3)
 */
export function ndcgAtK(ranked: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  if (relevant.size === 0) return 0;
  let dcg = 0;
  const depth = Math.min(k, ranked.length);
  for (let r = 0; r < depth; r++) {
    if (relevant.has(ranked[r]!)) dcg += 1 / Math.log2(r + 2);
  }
  let ideal = 0;
  const idealDepth = Math.min(k, relevant.size);
  for (let r = 0; r < idealDepth; r++) ideal += 1 / Math.log2(r + 2);
  return dcg / ideal;
}

/**
 * Recall@k: relevant items in the top k, divided by min(k, number of relevant items).
 *
 * @example
 * recallAtK(Int32Array.of(5, 1, 2), new Set([1, 9]), 2); // 0.5
 */
export function recallAtK(ranked: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  if (relevant.size === 0) return 0;
  let hits = 0;
  const depth = Math.min(k, ranked.length);
  for (let r = 0; r < depth; r++) {
    if (relevant.has(ranked[r]!)) hits++;
  }
  return hits / Math.min(k, relevant.size);
}
