import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCooccurrence } from './online-cooccurrence.js';

test('similarity is the shrunk cosine of co-occurrence counts', () => {
  const g = createCooccurrence({ shrink: 10 });
  g.addUserItem(0, []);
  g.addUserItem(1, [0]);
  assert.equal(g.similarity(0, 1), 1 / (1 + 10));
  assert.equal(g.similarity(1, 0), 1 / (1 + 10));
});

test('a pair seen by many users scores above a pair seen once', () => {
  const g = createCooccurrence({ shrink: 5 });
  for (let u = 0; u < 20; u++) {
    g.addUserItem(0, []);
    g.addUserItem(1, [0]);
  }
  g.addUserItem(2, []);
  g.addUserItem(3, [2]);
  assert.ok(g.similarity(0, 1) > 3 * g.similarity(2, 3));
});

test('items that never co-occurred have similarity 0 and no neighbours', () => {
  const g = createCooccurrence({ shrink: 1 });
  g.addUserItem(0, []);
  g.addUserItem(1, []);
  assert.equal(g.similarity(0, 1), 0);
  const seen: number[] = [];
  g.forEachNeighbour(0, (n) => seen.push(n));
  assert.deepEqual(seen, []);
});
