import assert from 'node:assert/strict';
import { test } from 'node:test';
import { calibratedRerank, klDivergence, softmaxRelevance } from './calibrate.js';
import { createRandom } from './random.js';

test('KL is zero when the list matches the target', () => {
  assert.ok(Math.abs(klDivergence([0.5, 0.5], [1, 1], 2, 0)) < 1e-12);
});

test('KL of a one-sided list against 0.5/0.5 is log 2 for the missing half without smoothing limits', () => {
  const kl = klDivergence([0.5, 0.5], [2, 0], 2, 0.01);
  const expected = 0.5 * Math.log(0.5 / (0.99 + 0.005)) + 0.5 * Math.log(0.5 / 0.005);
  assert.ok(Math.abs(kl - expected) < 1e-12);
});

test('with lambda 0 the list is the relevance order', () => {
  const picked = calibratedRerank({
    p: [0.5, 0.5],
    relevance: [1, 0.9, 0.8, 0.1],
    groups: [[0], [0], [0], [1]],
    k: 3,
    lambda: 0,
  });
  assert.deepEqual(picked, [0, 1, 2]);
});

test('calibration brings the minor interest into the list in proportion', () => {
  const relevance = Array.from({ length: 20 }, (_, i) => (i < 10 ? 1 - i * 0.01 : 0.5 - i * 0.01));
  const groups = relevance.map((_, i) => [i < 10 ? 0 : 1]);
  const picked = calibratedRerank({ p: [0.7, 0.3], relevance, groups, k: 10, lambda: 0.99 });
  const minor = picked.filter((c) => c >= 10).length;
  assert.equal(minor, 3);
});

test('the calibrated picks come back most relevant first', () => {
  const picked = calibratedRerank({
    p: [0.5, 0.5],
    relevance: [1, 0.9, 0.8, 0.7],
    groups: [[0], [0], [1], [1]],
    k: 2,
    lambda: 0.9,
  });
  assert.deepEqual(picked, [0, 2]);
});

test('a swap repairs the greedy first pick that suited a one-item list', () => {
  // Alone, the two-genre item 0 matches p exactly, so the greedy takes it first; the pair {1, 2}
  // matches p as well and is more relevant.
  const picked = calibratedRerank({
    p: [0.5, 0.5],
    relevance: [0.5, 1, 0.95],
    groups: [[0, 1], [0], [1]],
    k: 2,
    lambda: 0.9,
  });
  assert.deepEqual(picked, [1, 2]);
});

test('no single swap improves the objective of the returned list', () => {
  const rng = createRandom(7);
  const n = 30;
  const relevance = Array.from({ length: n }, () => rng.next());
  const groups = Array.from({ length: n }, () => {
    const first = Math.floor(rng.next() * 4);
    return rng.next() < 0.3 ? [first, (first + 1) % 4] : [first];
  });
  const p = [0.4, 0.3, 0.2, 0.1];
  const lambda = 0.6;
  const objective = (list: number[]): number => {
    const counts = new Float64Array(4);
    for (const c of list) for (const x of groups[c]!) counts[x]! += 1 / groups[c]!.length;
    const rel = list.reduce((s, c) => s + relevance[c]!, 0);
    return (1 - lambda) * rel - lambda * klDivergence(p, counts, list.length);
  };
  const picked = calibratedRerank({ p, relevance, groups, k: 8, lambda });
  const best = objective(picked);
  for (let k = 0; k < picked.length; k++) {
    for (let c = 0; c < n; c++) {
      if (picked.includes(c)) continue;
      const swapped = picked.map((x, j) => (j === k ? c : x));
      assert.ok(objective(swapped) <= best + 1e-9, `swap ${picked[k]} for ${c}`);
    }
  }
});

test('softmax relevance is exp((s − max) / (τ·σ)), 1 for the best score', () => {
  const relevance = softmaxRelevance([3, 2, 1], 1.5);
  const sigma = Math.sqrt(2 / 3);
  assert.deepEqual(
    [...relevance].map((r) => r.toFixed(12)),
    [1, Math.exp(-1 / (1.5 * sigma)), Math.exp(-2 / (1.5 * sigma))].map((r) => r.toFixed(12)),
  );
});

test('softmax relevance of equal scores is 1 for every candidate', () => {
  assert.deepEqual([...softmaxRelevance([2, 2, 2], 1.5)], [1, 1, 1]);
});
