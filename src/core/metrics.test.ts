import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ndcgAtK, recallAtK } from './metrics.js';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} != ${b}`);

test('NDCG is 1 when the relevant items lead the list', () => {
  close(ndcgAtK(Int32Array.of(3, 7, 1), new Set([7, 3]), 10), 1);
});

test('NDCG discounts a hit at rank 2 by 1 / log2(3)', () => {
  close(ndcgAtK(Int32Array.of(5, 1, 2), new Set([1]), 3), 1 / Math.log2(3));
});

test('NDCG with two relevant items, one at rank 1 and one at rank 3', () => {
  const dcg = 1 + 1 / Math.log2(4);
  const ideal = 1 + 1 / Math.log2(3);
  close(ndcgAtK(Int32Array.of(1, 8, 2, 9), new Set([1, 2]), 10), dcg / ideal);
});

test('NDCG ignores hits below rank k', () => {
  close(ndcgAtK(Int32Array.of(5, 6, 1), new Set([1]), 2), 0);
});

test('NDCG caps the ideal at k relevant items', () => {
  close(ndcgAtK(Int32Array.of(1, 2), new Set([1, 2, 3, 4]), 2), 1);
});

test('Recall divides by min(k, number of relevant items)', () => {
  close(recallAtK(Int32Array.of(1, 2, 3), new Set([1, 2, 3, 4, 5]), 2), 1);
  close(recallAtK(Int32Array.of(5, 1, 2), new Set([1, 9]), 2), 0.5);
  close(recallAtK(Int32Array.of(5, 1, 2), new Set([1, 9]), 20), 0.5);
});

test('metrics are 0 with no relevant items', () => {
  close(ndcgAtK(Int32Array.of(1), new Set(), 10), 0);
  close(recallAtK(Int32Array.of(1), new Set(), 10), 0);
});
