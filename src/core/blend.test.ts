import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BlendCase, learnBlendWeights, standardise } from './blend.js';

test('standardise gives mean 0 and variance 1', () => {
  const s = Float32Array.of(1, 2, 3, 4);
  standardise(s);
  const mean = s.reduce((a, b) => a + b, 0) / 4;
  const variance = s.reduce((a, b) => a + b * b, 0) / 4;
  assert.ok(Math.abs(mean) < 1e-6);
  assert.ok(Math.abs(variance - 1) < 1e-5);
});

test('coordinate search keeps the informative member and drops the noisy one', () => {
  // Member 0 ranks the relevant item first; member 1 ranks it last.
  const cases: BlendCase[] = [0, 1, 2].map((rel) => {
    const good = new Float32Array(6).fill(0);
    good[rel] = 5;
    const bad = new Float32Array(6).fill(1);
    bad[rel] = -5;
    return { memberScores: [good, bad], exclude: new Int32Array(0), relevant: new Set([rel]) };
  });
  const { weights, ndcg } = learnBlendWeights(cases, 2);
  assert.equal(weights[0], 1);
  assert.ok(weights[1]! < 1);
  assert.equal(ndcg, 1);
});
