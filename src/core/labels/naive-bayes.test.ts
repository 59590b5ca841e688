import assert from 'node:assert/strict';
import { test } from 'node:test';
import { charBigrams, naiveBayesPosterior, trainNaiveBayes } from './naive-bayes.js';

test('naive bayes posterior matches the add-one closed form', () => {
  const model = trainNaiveBayes([['x', 'x'], ['y']], ['A', 'B']);
  // P(x|A) = (2 + 1) / (2 + 2), P(x|B) = (0 + 1) / (1 + 2) with V = 2; equal priors.
  const posterior = naiveBayesPosterior(model, ['x']);
  const expected = 3 / 4 / (3 / 4 + 1 / 3);
  assert.ok(Math.abs(posterior[0]! - expected) < 1e-12);
});

test('character bigrams are taken from the raw text with whitespace collapsed', () => {
  assert.deepEqual(charBigrams('火锅  好吃'), ['火锅', '锅 ', ' 好', '好吃']);
});
