import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csrFromTriples } from '../core/csr.js';
import { MetricsTally, popularityPercentiles } from './evaluate.js';

test('popularity percentiles run from 0 (least popular) to 1 (most), ties sharing the middle', () => {
  // Item 0: 3 users, item 1: 1 user, items 2 and 3: 2 users each, item 4: none.
  const train = csrFromTriples(
    3,
    5,
    Int32Array.of(0, 1, 2, 0, 0, 1, 1, 2),
    Int32Array.of(0, 0, 0, 1, 2, 2, 3, 3),
  );
  assert.deepEqual([...popularityPercentiles(train, 5)], [1, 0.25, 0.625, 0.625, 0]);
  assert.deepEqual(
    [...popularityPercentiles(csrFromTriples(1, 2, Int32Array.of(), Int32Array.of()), 2)],
    [0.5, 0.5],
  );
});

test('a tally counts an entry of -1 (an item outside the catalogue) as a miss at percentile 0', () => {
  // Item 0 has two train interactions, item 1 one: percentiles 1 and 0.
  const train = csrFromTriples(2, 2, Int32Array.of(0, 1, 0), Int32Array.of(0, 0, 1));
  const tally = new MetricsTally(train, 2);
  tally.add(Int32Array.of(-1, 0), new Set([0]));
  const m = tally.metrics();
  assert.equal(m.users, 1);
  assert.equal(m.recall20, 1);
  // The hit at rank 2 of 2: DCG 1/log2(3) against an ideal of 1.
  assert.ok(Math.abs(m.ndcg10 - 1 / Math.log2(3)) < 1e-12);
  assert.equal(m.popularityPercentile, 0.5);
  assert.deepEqual(new MetricsTally(train, 2).metrics(), {
    ndcg10: 0,
    recall20: 0,
    popularityPercentile: 0,
    users: 0,
  });
});
