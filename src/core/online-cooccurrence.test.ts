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

test('a full neighbour list keeps the frequent pairs and drops a rare one', () => {
  const g = createCooccurrence({ shrink: 1, maxNeighbours: 2 });
  for (let u = 0; u < 5; u++) {
    g.addUserItem(1, [0]);
    g.addUserItem(2, [0]);
  }
  g.addUserItem(3, [0]);
  const neighbours: number[] = [];
  g.forEachNeighbour(0, (n) => neighbours.push(n));
  assert.equal(neighbours.length, 2);
  assert.ok(neighbours.includes(1) || neighbours.includes(2));
  assert.ok(g.similarity(0, 1) > 0 || g.similarity(0, 2) > 0);
});

test('a newcomer in a full list takes the smallest count plus one (space-saving)', () => {
  const g = createCooccurrence({ shrink: 1, maxNeighbours: 2 });
  g.addUserItem(0, []);
  for (let u = 0; u < 4; u++) g.addUserItem(1, [0]);
  g.addUserItem(2, [0]);
  g.addUserItem(3, [0]);
  // Item 3 replaced item 2 (count 1) and inherits 1 + 1; item 1 keeps its 4.
  assert.equal(g.similarity(0, 2), 0);
  assert.equal(g.similarity(0, 3), 2 / (Math.sqrt(1 * 1) + 1));
  assert.equal(g.similarity(0, 1), 4 / (Math.sqrt(1 * 4) + 1));
});

test('with a window, only the latest items of the history co-occur', () => {
  const g = createCooccurrence({ shrink: 1, window: 2 });
  g.addUserItem(3, [0, 1, 2]);
  assert.equal(g.similarity(3, 0), 0);
  assert.ok(g.similarity(3, 1) > 0 && g.similarity(3, 2) > 0);
});
