import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom } from '../random.js';
import {
  expectedCalibrationError,
  fitTemperature,
  meanNegativeLogLikelihood,
  softmax,
} from './calibration.js';

test('softmax of 0 and ln 3 is one quarter and three quarters', () => {
  const p = softmax(Float64Array.of(0, Math.log(3)), 1, new Float64Array(2));
  assert.ok(Math.abs(p[0]! - 0.25) < 1e-12 && Math.abs(p[1]! - 0.75) < 1e-12);
});

test('expected calibration error weights each bin gap by the bin size (hand example)', () => {
  // Bin (0.8, 0.9]: 2 items, accuracy 0.5, confidence 0.9 -> 0.4 * 2/5.
  // Bin (0.5, 0.6]: 2 items, accuracy 1, confidence 0.6 -> 0.4 * 2/5.
  // Bin (0.1, 0.2]: 1 item, accuracy 0, confidence 0.2 -> 0.2 * 1/5.
  const ece = expectedCalibrationError(
    Float64Array.of(0.9, 0.9, 0.6, 0.6, 0.2),
    Uint8Array.of(1, 0, 1, 1, 0),
  );
  assert.ok(Math.abs(ece - 0.36) < 1e-12, String(ece));
});

test('a perfectly calibrated bin has zero calibration error', () => {
  assert.equal(
    expectedCalibrationError(Float64Array.of(0.75, 0.75, 0.75, 0.75), Uint8Array.of(1, 1, 1, 0)),
    0,
  );
});

test('a confidence of exactly one falls in the last bin', () => {
  assert.equal(expectedCalibrationError(Float64Array.of(1), Uint8Array.of(1)), 0);
});

test('temperature scaling recovers the factor by which logits were inflated', () => {
  const rng = createRandom(5);
  const n = 4000;
  const K = 4;
  const logits = new Float64Array(n * K);
  const truth = new Int32Array(n);
  const p = new Float64Array(K);
  for (let i = 0; i < n; i++) {
    const z = Array.from({ length: K }, () => rng.normal());
    softmax(z, 1, p);
    let u = rng.next();
    let k = 0;
    while (k < K - 1 && u >= p[k]!) u -= p[k++]!;
    truth[i] = k;
    // The model reports logits three times too large: over-confident.
    for (let j = 0; j < K; j++) logits[i * K + j] = 3 * z[j]!;
  }
  const temperature = fitTemperature(logits, K, truth);
  assert.ok(Math.abs(temperature - 3) < 0.3, String(temperature));
  assert.ok(
    meanNegativeLogLikelihood(logits, K, truth, temperature) < meanNegativeLogLikelihood(logits, K, truth, 1),
  );
});
