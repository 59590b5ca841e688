import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csrFromTriples, csrRow } from './csr.js';
import { fitItemKnn } from './item-knn.js';

// Users: {0,1}, {0,1,2}, {1,2}.
const x = csrFromTriples(3, 3, Int32Array.of(0, 0, 1, 1, 1, 2, 2), Int32Array.of(0, 1, 0, 1, 2, 1, 2));

test('item-kNN similarity is co-occurrence over (norm product + shrink)', () => {
  const model = fitItemKnn(x, { k: 5, shrink: 1 });
  const out = new Float32Array(3);
  model.scoreHistory(Int32Array.of(0), Float32Array.of(1), out);
  // Items 0 and 1 co-occur twice; norms sqrt(2) and sqrt(3).
  assert.ok(Math.abs(out[1]! - 2 / (Math.sqrt(6) + 1)) < 1e-6);
  assert.ok(Math.abs(out[2]! - 1 / (Math.sqrt(4) + 1)) < 1e-6);
  assert.equal(out[0], 0);
});

test('item-kNN keeps only the k most similar sources for each target', () => {
  const model = fitItemKnn(x, { k: 1, shrink: 0 });
  // Three targets, one source each.
  let entries = 0;
  for (let h = 0; h < 3; h++) entries += csrRow(model.neighbours, h).indices.length;
  assert.equal(entries, 3);
});
