import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accuracyAtCoverage } from './accuracy-at-coverage.js';

test('accuracy at coverage answers the most confident share first', () => {
  const accuracy = accuracyAtCoverage(
    Float64Array.of(0.9, 0.2, 0.8, 0.1),
    Uint8Array.of(1, 0, 1, 1),
    [1, 0.5, 0.25],
  );
  assert.deepEqual(accuracy, [0.75, 1, 1]);
});

test('a coverage that selects no item has no accuracy', () => {
  assert.ok(Number.isNaN(accuracyAtCoverage(Float64Array.of(0.5), Uint8Array.of(1), [0.1])[0]));
});
