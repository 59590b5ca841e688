import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom } from './random.js';
import { topK } from './top-k.js';
import { TopPool } from './top-pool.js';

test('a pool query equals a full top-k scan whenever it answers, as values rise and fall', () => {
  const random = createRandom(5);
  const values = new Float64Array(2_000);
  const pool = new TopPool(32);
  for (let i = 0; i < values.length; i++) pool.offer(i, values);
  let answered = 0;
  for (let step = 0; step < 3_000; step++) {
    const i = random.int(values.length);
    if (random.next() < 0.8) {
      values[i] = values[i]! + random.int(5);
      pool.offer(i, values);
    } else {
      values[i] = Math.max(0, values[i]! - random.int(5));
    }
    const skip = (key: number): boolean => key % 7 === step % 7;
    const got = pool.query(values, 10, skip);
    if (got === undefined) continue;
    answered++;
    // Equal values at the boundary may be different keys: compare the values, and that none is skipped.
    const want = topK(values, 10, skip);
    assert.deepEqual(
      Array.from(got, (k) => values[k]),
      Array.from(want, (k) => values[k]),
    );
    assert.ok(got.every((k) => !skip(k)));
  }
  assert.ok(answered > 2_000, `answered ${answered}`);
});

test('a pool with fewer wanted members than k declines, unless the rest lie below the floor', () => {
  const values = Float64Array.from({ length: 100 }, (_, i) => (i < 90 ? 0 : i));
  const pool = new TopPool(8);
  for (let i = 0; i < values.length; i++) pool.offer(i, values);
  assert.equal(
    pool.query(values, 20, () => false),
    undefined,
  );
  assert.deepEqual(
    [...pool.query(values, 20, (i) => values[i]! <= 0, Number.MIN_VALUE)!],
    [99, 98, 97, 96, 95, 94, 93, 92, 91, 90],
  );
});

test('a key offered again while in the pool is listed once, across compactions', () => {
  const random = createRandom(11);
  const values = new Float64Array(500);
  const pool = new TopPool(16);
  for (let step = 0; step < 5_000; step++) {
    const i = random.int(values.length);
    values[i] = values[i]! + 1 + random.int(3);
    pool.offer(i, values);
    pool.offer(i, values);
  }
  const keys = Array.from(pool.keys());
  assert.equal(new Set(keys).size, keys.length);
  assert.ok(keys.length >= 16, `${keys.length} members`);
});

test('a ranking lists the members above the threshold, best first, ties by smaller key', () => {
  const values = Float64Array.from([5, 0, 7, 5, 1, 9, 3, 2]);
  const pool = new TopPool(2);
  for (let i = 0; i < values.length; i++) pool.offer(i, values);
  // Compactions left the threshold at 5 (the ties at 5 were dropped): only 7 and 9 are provably on top.
  const { keys, complete } = pool.ranked(values, Number.MIN_VALUE);
  assert.deepEqual([...keys], [5, 2]);
  assert.equal(complete, false);
  const open = new TopPool(16);
  for (let i = 0; i < values.length; i++) open.offer(i, values);
  const all = open.ranked(values, Number.MIN_VALUE);
  assert.deepEqual([...all.keys], [5, 2, 0, 3, 6, 7, 4]);
  assert.equal(all.complete, true);
});
