import assert from 'node:assert/strict';
import { test } from 'node:test';
import { calibratedRerank, klDivergence } from './calibrate.js';

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
