import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCooccurrence } from './online-cooccurrence.js';
import { createRandom } from './random.js';

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

test('rows that grow and move keep every pair while they are below the bound', () => {
  const g = createCooccurrence({ shrink: 0, maxNeighbours: 64 });
  const expected = new Map<string, number>();
  const random = createRandom(7);
  for (let i = 0; i < 40; i++) g.addUserItem(i, []);
  for (let u = 0; u < 400; u++) {
    const history = Array.from({ length: 3 }, () => random.int(40));
    const item = 40 + random.int(30);
    g.addUserItem(item, history);
    for (const other of history) {
      if (other === item) continue;
      for (const key of [`${item},${other}`, `${other},${item}`])
        expected.set(key, (expected.get(key) ?? 0) + 1);
    }
  }
  for (const [key, co] of expected) {
    const [a, b] = key.split(',').map(Number) as [number, number];
    let found = 0;
    g.forEachNeighbour(a, (n) => {
      if (n === b) found++;
    });
    assert.equal(found, 1, key);
    assert.ok(g.similarity(a, b) > 0, key);
    assert.equal(g.similarity(a, b), co / Math.sqrt(g.count(a) * g.count(b)), key);
  }
});

test('similaritiesTo gives each target the similarity one lookup would, 0 for a stranger or no row', () => {
  const g = createCooccurrence({ shrink: 1 });
  for (let u = 0; u < 3; u++) g.addUserItem(1, [0]);
  g.addUserItem(2, [0]);
  // 33 shares item 1's low five bits: the filter lets it through, the comparison does not.
  const targets = Int32Array.from([2, 33, 1, 5]);
  const out = new Float64Array(4).fill(7);
  g.similaritiesTo(0, targets, out);
  assert.deepEqual(Array.from(out), [g.similarity(0, 2), 0, g.similarity(0, 1), 0]);
  g.similaritiesTo(9, targets, out);
  assert.deepEqual(Array.from(out), [0, 0, 0, 0]);
});

test('pages left mostly to rows that grew are emptied and reused, every row keeping its pairs', () => {
  const g = createCooccurrence({ shrink: 0, maxNeighbours: 64 });
  const items = 60_000;
  // Every item's row grows to 30 neighbours, all rows in step: the rows they outgrew are never reused.
  for (let r = 0; r < 15; r++) for (let i = 0; i < items; i++) g.addUserItem(i, [(i + 1 + r) % items]);
  for (let i = 0; i < items; i += 7) {
    let neighbours = 0;
    g.forEachNeighbour(i, () => neighbours++);
    assert.equal(neighbours, 30, `item ${i}`);
    for (let d = 1; d <= 15; d++) {
      assert.equal(g.similarity(i, (i + d) % items), 1 / 15);
      assert.equal(g.similarity(i, (i - d + items) % items), 1 / 15);
    }
  }
  const rows = items * 64 * 8;
  assert.ok(g.byteLength < 1.3 * rows, `${g.byteLength} bytes for ${rows} in rows`);
});

test('touching an item’s neighbours reads each neighbour’s count once (their sum), and nothing without a row', () => {
  const g = createCooccurrence({ shrink: 1 });
  // Item 0 co-occurs with 1 (two users) and 2 (one user); counts are 3, 2 and 1.
  g.addUserItem(0, []);
  g.addUserItem(1, [0]);
  g.addUserItem(0, []);
  g.addUserItem(1, [0]);
  g.addUserItem(0, []);
  g.addUserItem(2, [0]);
  assert.equal(g.touchNeighbours(0), g.count(1) + g.count(2));
  assert.equal(g.touchNeighbours(2), g.count(0));
  assert.equal(g.touchNeighbours(7), 0);
});
