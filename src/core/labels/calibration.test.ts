import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom } from '../random.js';
import {
  calibrateTopProbability,
  expectedCalibrationError,
  fitConfidenceMap,
  fitTemperature,
  identityConfidenceMap,
  mapConfidence,
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

test('the confidence map pools adjacent blocks whose accuracy does not increase (hand example)', () => {
  // Blocks of two: accuracies 0.5, 0, 1, 1; the first two are pooled to 0.25, the last two to 1.
  const map = fitConfidenceMap(
    Float64Array.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8),
    Uint8Array.of(1, 0, 0, 0, 1, 1, 1, 1),
    2,
  );
  assert.deepEqual(map.accuracy, [0.25, 1]);
  assert.ok(Math.abs(map.confidence[0]! - 0.25) < 1e-12 && Math.abs(map.confidence[1]! - 0.65) < 1e-12);
});

test('the confidence map interpolates between knots and is anchored at (0, 0) and (1, 1)', () => {
  const map = { confidence: [0.4, 0.8], accuracy: [0.2, 0.6] };
  assert.ok(Math.abs(mapConfidence(map, 0.2) - 0.1) < 1e-12);
  assert.ok(Math.abs(mapConfidence(map, 0.6) - 0.4) < 1e-12);
  assert.ok(Math.abs(mapConfidence(map, 0.9) - 0.8) < 1e-12);
  assert.equal(mapConfidence(identityConfidenceMap, 0.37), 0.37);
});

test('a confidence map fit on an over-confident model brings its held-out ECE down', () => {
  const rng = createRandom(11);
  const sample = (n: number): { confidence: Float64Array; correct: Uint8Array } => {
    const confidence = new Float64Array(n);
    const correct = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const truth = 0.2 + 0.7 * rng.next();
      // Reports sqrt-inflated confidences: right with probability `truth`, claims more.
      confidence[i] = Math.sqrt(truth);
      correct[i] = rng.next() < truth ? 1 : 0;
    }
    return { confidence, correct };
  };
  const fit = sample(5000);
  const heldOut = sample(5000);
  const map = fitConfidenceMap(fit.confidence, fit.correct);
  const mapped = heldOut.confidence.map((c) => mapConfidence(map, c));
  const before = expectedCalibrationError(heldOut.confidence, heldOut.correct);
  const after = expectedCalibrationError(mapped, heldOut.correct);
  assert.ok(before > 0.1 && after < 0.03, `ECE ${before} -> ${after}`);
});

test('calibrating the top probability rescales the rest and keeps the top label on top', () => {
  const lowered = calibrateTopProbability(
    { confidence: [0.5], accuracy: [0.25] },
    Float64Array.of(0.2, 0.5, 0.3),
  );
  // The map asks 0.25 for the top, but 0.3 would then overtake it: the top stays at 0.3 / 0.8.
  assert.ok(Math.abs(lowered[1]! - 0.375) < 1e-12, String(lowered[1]));
  assert.ok(Math.abs(lowered[0]! + lowered[1]! + lowered[2]! - 1) < 1e-12);
  assert.ok(lowered[2]! <= lowered[1]!);
  const raised = calibrateTopProbability(
    { confidence: [0.5], accuracy: [0.75] },
    Float64Array.of(0.2, 0.5, 0.3),
  );
  assert.ok(Math.abs(raised[1]! - 0.75) < 1e-12 && Math.abs(raised[0]! - 0.1) < 1e-12);
});
