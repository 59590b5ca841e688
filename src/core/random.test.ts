import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom } from './random.js';

test('the same seed gives the same sequence', () => {
  const a = createRandom(42);
  const b = createRandom(42);
  for (let i = 0; i < 100; i++) assert.equal(a.next(), b.next());
});

test('beta draws have the distribution mean a / (a + b)', () => {
  const rng = createRandom(1);
  let sum = 0;
  const n = 20000;
  for (let i = 0; i < n; i++) sum += rng.beta(2, 6);
  assert.ok(Math.abs(sum / n - 0.25) < 0.01, `mean ${sum / n}`);
});

test('normal draws have mean 0 and variance 1', () => {
  const rng = createRandom(3);
  let sum = 0;
  let sumSq = 0;
  const n = 20000;
  for (let i = 0; i < n; i++) {
    const x = rng.normal();
    sum += x;
    sumSq += x * x;
  }
  assert.ok(Math.abs(sum / n) < 0.03);
  assert.ok(Math.abs(sumSq / n - 1) < 0.05);
});
