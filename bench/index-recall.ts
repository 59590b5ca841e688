// Recall@k of the serving index against exact search, on the model's own item vectors (bench/run.ts).
import { topK } from '../src/core/top-k.js';

/**
 * What is measured: anything that finds about the `k` items with the largest inner product (on the
 * calling thread, or on a thread of its own: undefined when that thread has stopped).
 */
export interface RecallIndex {
  search(query: Float32Array, k: number): Int32Array | Promise<Int32Array | undefined>;
}

/** The model's items as the exact scan reads them: `vector(m)` is a view, never a copy of the matrix. */
export interface RecallItems {
  readonly count: number;
  vector(m: number): Float32Array;
}

export interface RecallReport {
  queries: number;
  k: number;
  /** Mean, 10th percentile and worst recall@k over the queries (the share of the exact top k found). */
  mean: number;
  p10: number;
  worst: number;
  indexMsPerQuery: number;
  exactMsPerQuery: number;
}

/**
 * Each query's `index.search(query, k)` against the exact top `k` by inner product over every item
 * (neither excludes any item), with the time per query of each (one query at a time; a search
 * thread's includes its messages).
 *
 * @example
 * const report = await indexRecall(serving.index, { count, vector: (m) => model.itemVector(m) }, users, 100);
 */
export async function indexRecall(
  index: RecallIndex,
  items: RecallItems,
  queries: readonly Float32Array[],
  k: number,
): Promise<RecallReport> {
  let t = performance.now();
  const found: Int32Array[] = [];
  for (const q of queries) {
    const items = await index.search(q, k);
    if (items === undefined) throw new Error('the index stopped answering');
    found.push(items);
  }
  const indexMs = performance.now() - t;
  const scores = new Float32Array(items.count);
  const recalls = new Float64Array(queries.length);
  let exactMs = 0;
  const rows = contiguousRows(items);
  for (let q = 0; q < queries.length; q++) {
    const query = queries[q]!;
    t = performance.now();
    if (rows === undefined) {
      for (let m = 0; m < items.count; m++) {
        const v = items.vector(m);
        let s = 0;
        for (let f = 0; f < v.length; f++) s += v[f]! * query[f]!;
        scores[m] = s;
      }
    } else {
      const dims = query.length;
      for (let m = 0, row = 0; m < items.count; m++, row += dims) {
        let s = 0;
        for (let f = 0; f < dims; f++) s += rows[row + f]! * query[f]!;
        scores[m] = s;
      }
    }
    const exact = topK(scores, k);
    exactMs += performance.now() - t;
    const inExact = new Set(exact);
    let hits = 0;
    for (const m of new Set(found[q]!)) if (inExact.has(m)) hits++;
    recalls[q] = exact.length === 0 ? 1 : hits / exact.length;
  }
  const sorted = recalls.slice().sort();
  const n = queries.length;
  return {
    queries: n,
    k,
    mean: n === 0 ? Number.NaN : sorted.reduce((s, r) => s + r, 0) / n,
    p10: sorted.length === 0 ? Number.NaN : sorted[Math.floor(0.1 * (sorted.length - 1))]!,
    worst: sorted.length === 0 ? Number.NaN : sorted[0]!,
    indexMsPerQuery: indexMs / Math.max(1, n),
    exactMsPerQuery: exactMs / Math.max(1, n),
  };
}

/**
 * The item rows as one view of the buffer they lie in, when they lie side by side (a model's factor
 * matrix): a view per item costs the scan more than its arithmetic.
 */
function contiguousRows(items: RecallItems): Float32Array | undefined {
  if (items.count === 0) return undefined;
  const first = items.vector(0);
  const last = items.vector(items.count - 1);
  const dims = first.length;
  if (last.buffer !== first.buffer || last.byteOffset !== first.byteOffset + (items.count - 1) * dims * 4) {
    return undefined;
  }
  return new Float32Array(first.buffer, first.byteOffset, items.count * dims);
}
