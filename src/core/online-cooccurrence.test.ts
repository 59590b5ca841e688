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

test('each neighbour comes with its similarity and its pair count', () => {
  const g = createCooccurrence({ shrink: 10 });
  for (let u = 0; u < 4; u++) g.addUserItem(1, [0]);
  g.addUserItem(2, [0]);
  const seen: [number, number, number][] = [];
  g.forEachNeighbour(0, (n, similarity, count) => seen.push([n, similarity, count]));
  assert.deepEqual(
    seen.sort((a, b) => a[0] - b[0]),
    [
      [1, g.similarity(0, 1), 4],
      [2, g.similarity(0, 2), 1],
    ],
  );
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

/** The per-pair order of space-saving, as rows of [neighbour, count]: what `addUserItem` must equal. */
function referenceRows(maxNeighbours: number, window: number) {
  const rows = new Map<number, number[][]>();
  const counts = new Map<number, number>();
  const bump = (a: number, b: number): void => {
    let row = rows.get(a);
    if (row === undefined) {
      row = [];
      rows.set(a, row);
    }
    const found = row.find((entry) => entry[0] === b);
    if (found !== undefined) found[1]!++;
    else if (row.length < maxNeighbours) row.push([b, 1]);
    else {
      let min = 0;
      for (let k = 1; k < row.length; k++) if (row[k]![1]! < row[min]![1]!) min = k;
      row[min] = [b, row[min]![1]! + 1];
    }
  };
  return {
    rows,
    counts,
    addUserItem(item: number, history: readonly number[]): void {
      counts.set(item, (counts.get(item) ?? 0) + 1);
      for (const other of history.slice(Math.max(0, history.length - window))) {
        if (other === item) continue;
        bump(item, other);
        bump(other, item);
      }
    },
  };
}

test('full rows end as bumping each pair in order leaves them, with repeats and the item in its history', () => {
  for (const [seed, maxNeighbours] of [
    [1, 4],
    [2, 8],
    [3, 64],
  ] as const) {
    const random = createRandom(seed);
    const g = createCooccurrence({ shrink: 1, maxNeighbours, window: 20 });
    const reference = referenceRows(maxNeighbours, 20);
    const items = 6 * maxNeighbours;
    let replaced = 0;
    for (let u = 0; u < 3_000; u++) {
      // Skewed items, so that some rows fill and hold counts above one; now and then a repeat.
      const history = Array.from({ length: 1 + random.int(25) }, () =>
        Math.floor(items * random.next() ** 2),
      );
      const item = Math.floor(items * random.next() ** 2);
      g.addUserItem(item, history);
      reference.addUserItem(item, history);
    }
    for (let i = 0; i < items; i++) {
      const row: number[][] = [];
      g.forEachNeighbour(i, (j, similarity) => {
        const count = Math.round(similarity * (Math.sqrt(g.count(i) * g.count(j)) + g.shrink));
        row.push([j, count]);
      });
      const expected = reference.rows.get(i) ?? [];
      assert.deepEqual(row, expected, `row of item ${i} (seed ${seed})`);
      if (expected.some((entry) => entry[1]! > 1) && expected.length === maxNeighbours) replaced++;
    }
    assert.ok(replaced > 0, 'some full rows hold counts above one');
  }
});
