import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom } from '../src/core/random.js';
import { topK } from '../src/core/top-k.js';
import { indexRecall, type RecallIndex, type RecallItems } from './index-recall.js';

const DIMS = 8;

function fixture(count: number, queries: number): { items: RecallItems; queries: Float32Array[] } {
  const rng = createRandom(7);
  const matrix = Float32Array.from({ length: count * DIMS }, () => rng.normal());
  return {
    items: { count, vector: (m) => matrix.subarray(m * DIMS, (m + 1) * DIMS) },
    queries: Array.from({ length: queries }, () => Float32Array.from({ length: DIMS }, () => rng.normal())),
  };
}

/** The exact top k, from its own scan: the order it returns is reversed, which recall ignores. */
function exactIndex(items: RecallItems): { search(query: Float32Array, k: number): Int32Array } {
  return {
    search(query, k) {
      const scores = Float32Array.from({ length: items.count }, (_, m) => {
        const v = items.vector(m);
        return v.reduce((s, x, f) => s + x * query[f]!, 0);
      });
      return topK(scores, k).reverse();
    },
  };
}

test('an index that finds the exact top k has recall 1 on every query', async () => {
  const { items, queries } = fixture(500, 20);
  const report = await indexRecall(exactIndex(items), items, queries, 100);
  assert.deepEqual([report.queries, report.k, report.mean, report.p10, report.worst], [20, 100, 1, 1, 1]);
});

test('an index that finds half the exact top k, or none of it, is measured so', async () => {
  const { items, queries } = fixture(500, 20);
  const exact = exactIndex(items);
  // Half the exact top k on the first query; the k worst items on the others.
  let call = 0;
  const wrong: RecallIndex = {
    search(query, k) {
      const top = exact.search(query, items.count);
      const bottom = top.slice(0, k);
      return call++ === 0 ? Int32Array.from([...top.slice(-k / 2), ...bottom.slice(0, k / 2)]) : bottom;
    },
  };
  const report = await indexRecall(wrong, items, queries, 100);
  assert.equal(report.worst, 0);
  assert.equal(report.p10, 0);
  assert.equal(report.mean, 0.5 / 20);
});

test('a repeated item counts once', async () => {
  const { items, queries } = fixture(300, 1);
  const exact = exactIndex(items);
  const repeating: RecallIndex = {
    search(query, k) {
      const top = exact.search(query, k);
      return Int32Array.from({ length: k }, () => top[0]!);
    },
  };
  assert.equal((await indexRecall(repeating, items, queries, 50)).mean, 1 / 50);
});

test('items in separate arrays are scanned as items side by side are', async () => {
  const { items, queries } = fixture(400, 10);
  const separate: RecallItems = { count: items.count, vector: (m) => items.vector(m).slice() };
  const half: RecallIndex = {
    search: (query, k) =>
      exactIndex(items)
        .search(query, k)
        .subarray(k / 2),
  };
  const a = await indexRecall(half, items, queries, 40);
  const b = await indexRecall(half, separate, queries, 40);
  assert.deepEqual([b.mean, b.p10, b.worst], [a.mean, a.p10, a.worst]);
  assert.equal(a.mean, 0.5);
});
