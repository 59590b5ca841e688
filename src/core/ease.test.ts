import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csrFromTriples } from './csr.js';
import { fitEase } from './ease.js';

// Users: {0,1}, {0,1,2}, {1,2}; item 3 is never seen.
const x = csrFromTriples(3, 4, Int32Array.of(0, 0, 1, 1, 1, 2, 2), Int32Array.of(0, 1, 0, 1, 2, 1, 2));

test('EASE weights match B = I − P·diag(1/diag(P)) computed by hand', () => {
  const fit = fitEase(x, { lambda: 1 });
  assert.ok(fit.ok);
  // G + I = [[3,2,1],[2,4,2],[1,2,3]]; its inverse times 16 is [[8,-4,0],[-4,8,-4],[0,-4,8]].
  const b = fit.model.weights;
  const n = 4;
  assert.ok(Math.abs(b[0 * n + 1]! - 0.5) < 1e-6);
  assert.ok(Math.abs(b[1 * n + 0]! - 0.5) < 1e-6);
  assert.ok(Math.abs(b[0 * n + 2]! - 0) < 1e-6);
  assert.ok(Math.abs(b[2 * n + 1]! - 0.5) < 1e-6);
});

test('EASE has a zero diagonal and zero weights for unseen items', () => {
  const fit = fitEase(x, { lambda: 1 });
  assert.ok(fit.ok);
  for (let i = 0; i < 4; i++) assert.equal(fit.model.weights[i * 4 + i], 0);
  for (let i = 0; i < 4; i++) assert.equal(fit.model.weights[3 * 4 + i], 0);
});

test('EASE scores a history as the sum of its rows of B', () => {
  const fit = fitEase(x, { lambda: 1 });
  assert.ok(fit.ok);
  const out = new Float32Array(4);
  fit.model.scoreHistory(Int32Array.of(0), Float32Array.of(2), out);
  assert.deepEqual([...out], [0, 1, 0, 0]);
});

test('EASE refuses a catalogue above maxItems with a reason', () => {
  const fit = fitEase(x, { lambda: 1, maxItems: 2 });
  assert.equal(fit.ok, false);
  assert.ok(!fit.ok && /maxItems 2/.test(fit.issue));
});
