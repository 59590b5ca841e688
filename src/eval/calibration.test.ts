import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csrFromTriples } from '../core/csr.js';
import type { Model } from '../core/model.js';
import { evaluateCalibration } from './calibration.js';

/** A model that always ranks items 0..n-1 in index order. */
function fixedModel(n: number): Model {
  return {
    kind: 'fixed',
    itemCount: n,
    capabilities: { incremental: true, needsItemVectors: false, personalised: false },
    scoreHistory: (_items, _weights, out) => {
      for (let i = 0; i < n; i++) out[i] = n - i;
    },
    toTransferable: () => ({ meta: { kind: 'fixed', itemCount: n, params: {}, ownBuffers: 0 }, buffers: [] }),
  };
}

test('calibration brings the list toward the user genre mix and reports both sides', () => {
  // 30 items: 0..19 are genre 0, 20..29 genre 1. The user's train history is half genre 1.
  const n = 30;
  const groups = Array.from({ length: n }, (_, i) => [i < 20 ? 0 : 1]);
  const train = csrFromTriples(1, n, Int32Array.of(0, 0), Int32Array.of(0, 25));
  const test = csrFromTriples(1, n, Int32Array.of(0, 0), Int32Array.of(1, 21));
  const report = evaluateCalibration(fixedModel(n), train, test, groups, 2, 0.9);
  assert.ok(report.plain.kl > 1, `plain KL ${report.plain.kl}`);
  assert.ok(report.calibrated.kl < 0.1 * report.plain.kl, `calibrated KL ${report.calibrated.kl}`);
  assert.ok(report.klReduction > 0.9);
  assert.ok(report.calibrated.ndcg10 > report.plain.ndcg10, 'the genre-1 test item now makes the list');
});

test('with lambda 0 the calibrated list is the plain one', () => {
  const n = 30;
  const groups = Array.from({ length: n }, (_, i) => [i % 2]);
  const train = csrFromTriples(1, n, Int32Array.of(0), Int32Array.of(3));
  const test = csrFromTriples(1, n, Int32Array.of(0), Int32Array.of(5));
  const report = evaluateCalibration(fixedModel(n), train, test, groups, 2, 0);
  assert.equal(report.calibrated.kl, report.plain.kl);
  assert.equal(report.calibrated.ndcg10, report.plain.ndcg10);
});
