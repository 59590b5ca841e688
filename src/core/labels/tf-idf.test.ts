import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitTfIdf, indexVocabulary, tfIdfVector } from './tf-idf.js';

test('idf is the smoothed ln((1 + n) / (1 + df)) + 1 and rare features are dropped', () => {
  const vocabulary = fitTfIdf([['a', 'b'], ['a'], ['a', 'c'], ['b']], { minDocumentFrequency: 2 });
  assert.deepEqual(vocabulary.features, ['a', 'b']);
  assert.ok(Math.abs(vocabulary.idf[0]! - (Math.log(5 / 4) + 1)) < 1e-6);
  assert.ok(Math.abs(vocabulary.idf[1]! - (Math.log(5 / 3) + 1)) < 1e-6);
});

test('a tf-idf row has unit length, sublinear counts and ignores unknown features', () => {
  const vocabulary = { features: ['a', 'b'], idf: Float32Array.of(1, 1) };
  const row = tfIdfVector(['a', 'a', 'b', 'zzz'], vocabulary, indexVocabulary(vocabulary));
  assert.deepEqual([...row.indices], [0, 1]);
  const a = 1 + Math.log(2);
  const norm = Math.hypot(a, 1);
  assert.ok(Math.abs(row.values[0]! - a / norm) < 1e-6 && Math.abs(row.values[1]! - 1 / norm) < 1e-6);
});

test('a document with no known feature is the empty row', () => {
  const vocabulary = { features: ['a'], idf: Float32Array.of(1) };
  assert.equal(tfIdfVector(['x'], vocabulary, indexVocabulary(vocabulary)).indices.length, 0);
});
