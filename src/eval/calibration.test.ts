import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csrFromTriples } from '../core/csr.js';
import type { Model } from '../core/model.js';
import {
  type CalibrationReport,
  calibrationSweep,
  chooseCalibrationLambda,
  evaluateCalibration,
} from './calibration.js';

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

test('a sweep reports each lambda against the same plain list, stronger lambdas cutting more KL', () => {
  const n = 30;
  const groups = Array.from({ length: n }, (_, i) => [i < 20 ? 0 : 1]);
  const train = csrFromTriples(1, n, Int32Array.of(0, 0, 0), Int32Array.of(0, 1, 25));
  const test = csrFromTriples(1, n, Int32Array.of(0), Int32Array.of(2));
  const sweep = calibrationSweep(fixedModel(n), train, test, groups, 2, [0, 0.5, 0.99]);
  assert.deepEqual(
    sweep.map((r) => r.lambda),
    [0, 0.5, 0.99],
  );
  assert.ok(sweep.every((r) => r.plain.kl === sweep[0]!.plain.kl));
  assert.equal(sweep[0]!.klReduction, 0);
  assert.ok(sweep[2]!.klReduction > sweep[1]!.klReduction, JSON.stringify(sweep.map((r) => r.klReduction)));
});

const report = (lambda: number, klReduction: number, ndcgLoss: number): CalibrationReport => ({
  lambda,
  plain: { ndcg10: 0.3, kl: 0.6 },
  calibrated: { ndcg10: 0.3 * (1 - ndcgLoss), kl: 0.6 * (1 - klReduction) },
  klReduction,
  ndcgLoss,
});

test('the chosen lambda cuts the KL most within the NDCG budget', () => {
  const sweep = [report(0.2, 0.3, 0.005), report(0.5, 0.55, 0.012), report(0.7, 0.62, 0.021)];
  assert.equal(chooseCalibrationLambda(sweep, 0.015), 0.5);
  assert.equal(chooseCalibrationLambda(sweep, 0.025), 0.7);
});

test('when every lambda costs too much NDCG the choice is no calibration', () => {
  assert.equal(chooseCalibrationLambda([report(0.2, 0.3, 0.05)], 0.015), 0);
});
