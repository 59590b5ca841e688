import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csrFromTriples } from './csr.js';
import { fitRp3beta } from './rp3beta.js';

// Users: {0,1}, {0,1,2}, {1,2}.
const x = csrFromTriples(3, 3, Int32Array.of(0, 0, 1, 1, 1, 2, 2), Int32Array.of(0, 1, 0, 1, 2, 1, 2));

test('with α = 1 and β = 0, RP3β is the 3-step walk probability', () => {
  const model = fitRp3beta(x, { alpha: 1, beta: 0, k: 5 });
  const out = new Float32Array(3);
  model.scoreHistory(Int32Array.of(0), Float32Array.of(1), out);
  // From item 0 (2 users): user {0,1} w.p. 1/2 then item 1 w.p. 1/2; user {0,1,2} w.p. 1/2 then 1/3.
  assert.ok(Math.abs(out[1]! - (1 / 4 + 1 / 6)) < 1e-6);
  assert.ok(Math.abs(out[2]! - 1 / 6) < 1e-6);
});

test('β divides by the target popularity to the power β', () => {
  const model = fitRp3beta(x, { alpha: 1, beta: 1, k: 5 });
  const out = new Float32Array(3);
  model.scoreHistory(Int32Array.of(0), Float32Array.of(1), out);
  assert.ok(Math.abs(out[1]! - (1 / 4 + 1 / 6) / 3) < 1e-6);
  assert.ok(Math.abs(out[2]! - 1 / 6 / 2) < 1e-6);
});
