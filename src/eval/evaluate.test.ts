import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csrFromTriples } from '../core/csr.js';
import { popularityPercentiles } from './evaluate.js';

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
