import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom } from './random.js';
import { sortByScore, topK, topKOf, topKOfValues } from './top-k.js';

test('topK returns the indices of the largest scores, best first', () => {
  assert.deepEqual([...topK(Float32Array.of(0.1, 0.9, 0.5, 0.7), 3)], [1, 3, 2]);
});

test('topK skips excluded indices and non-finite scores', () => {
  const scores = Float64Array.of(5, Number.NaN, 4, Number.NEGATIVE_INFINITY, 3);
  assert.deepEqual([...topK(scores, 5, (i) => i === 0)], [2, 4]);
});

test('topK agrees with a full sort on random data', () => {
  const rng = createRandom(7);
  const scores = Float64Array.from({ length: 1000 }, () => rng.next());
  const expected = [...scores.keys()].sort((a, b) => scores[b]! - scores[a]!).slice(0, 25);
  assert.deepEqual([...topK(scores, 25)], expected);
});

test('topKOf ranks an explicit candidate list', () => {
  const score = [0, 10, 20, 30, 40];
  assert.deepEqual([...topKOf([1, 4, 2], 2, (i) => score[i]!)], [4, 2]);
});

test('topKOf with skip leaves rejected candidates out and asks only about those that would enter', () => {
  const asked: number[] = [];
  const scores = [5, 1, 9, 7, 3];
  const top = topKOf(
    [0, 1, 2, 3, 4],
    2,
    (i) => scores[i]!,
    (i) => {
      asked.push(i);
      return i === 2;
    },
  );
  assert.deepEqual(Array.from(top), [3, 0]);
  // 1 enters the list of two, 4 does not beat its smallest (1 was pushed out by 3): never asked.
  assert.deepEqual(asked, [0, 1, 2, 3]);
});

test('sortByScore orders by score, largest first, ties by the smaller key, as the comparator sort does', () => {
  const rng = createRandom(5);
  for (const count of [0, 1, 7, 8, 9, 100, 1_000, 1_537]) {
    // Few distinct scores, so many ties are broken by key; keys are distinct, as items are in a feed.
    const scores = Float64Array.from({ length: count + 3 }, () => rng.int(40) / 8);
    const keys = Int32Array.from(rng.shuffle([...Array(count + 3).keys()]));
    const order = Int32Array.from({ length: count + 3 }, (_, k) => k);
    const expected = [...order.subarray(0, count)].sort(
      (a, b) => scores[b]! - scores[a]! || keys[a]! - keys[b]!,
    );
    sortByScore(order, count, scores, keys, new Int32Array(count));
    assert.deepEqual([...order.subarray(0, count)], expected);
    // Entries past `count` are left alone.
    assert.deepEqual([...order.subarray(count)], [count, count + 1, count + 2]);
  }
});

test('topKOfValues answers as topKOf reading the same values, ties and skips included', () => {
  const rng = createRandom(9);
  const values = Float64Array.from({ length: 500 }, () => rng.int(50));
  values[3] = Number.NaN;
  const candidates = Int32Array.from({ length: 300 }, () => rng.int(520));
  const skip = (i: number): boolean => i % 7 === 0;
  for (const k of [0, 1, 20, 300]) {
    assert.deepEqual(
      [...topKOfValues(candidates, k, values, skip)],
      [...topKOf(candidates, k, (i) => values[i]!, skip)],
    );
  }
});
