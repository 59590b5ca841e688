import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csrFromTriples } from './csr.js';
import { easeFromTransferable, easeItems, fitEase } from './ease.js';

// Users: {0,1}, {0,1,2}, {1,2}; item 3 is never seen.
const x = csrFromTriples(3, 4, Int32Array.of(0, 0, 1, 1, 1, 2, 2), Int32Array.of(0, 1, 0, 1, 2, 1, 2));

test('EASE weights match B = I − P·diag(1/diag(P)) computed by hand', () => {
  const fit = fitEase(x, { lambda: 1 });
  assert.ok(fit.ok);
  // G + I = [[3,2,1],[2,4,2],[1,2,3]]; its inverse times 16 is [[8,-4,0],[-4,8,-4],[0,-4,8]].
  // Item 3 is never seen, so B is over items 0..2.
  assert.deepEqual([...fit.model.items], [0, 1, 2]);
  const b = fit.model.weights;
  const n = 3;
  assert.ok(Math.abs(b[0 * n + 1]! - 0.5) < 1e-6);
  assert.ok(Math.abs(b[1 * n + 0]! - 0.5) < 1e-6);
  assert.ok(Math.abs(b[0 * n + 2]! - 0) < 1e-6);
  assert.ok(Math.abs(b[2 * n + 1]! - 0.5) < 1e-6);
});

test('EASE has a zero diagonal and gives unseen items no score', () => {
  const fit = fitEase(x, { lambda: 1 });
  assert.ok(fit.ok);
  for (let i = 0; i < 3; i++) assert.equal(fit.model.weights[i * 3 + i], 0);
  const out = new Float32Array(4);
  fit.model.scoreHistory(Int32Array.of(0, 1, 2, 3), Float32Array.of(1, 1, 1, 1), out);
  assert.equal(out[3], 0);
});

test('EASE scores a history as the sum of its rows of B', () => {
  const fit = fitEase(x, { lambda: 1 });
  assert.ok(fit.ok);
  const out = new Float32Array(4);
  fit.model.scoreHistory(Int32Array.of(0), Float32Array.of(2), out);
  assert.deepEqual([...out], [0, 1, 0, 0]);
});

test('above maxItems EASE keeps the most interacted-with items and fits B over them alone', () => {
  // Counts: item 0 twice, item 1 three times, item 2 twice (a tie, to the lower index).
  assert.deepEqual([...easeItems(x, 2)], [0, 1]);
  assert.deepEqual([...easeItems(x, 3)], [0, 1, 2]);
  assert.deepEqual([...easeItems(x, 10)], [0, 1, 2]);
  const fit = fitEase(x, { lambda: 1, maxItems: 2 });
  assert.ok(fit.ok);
  assert.deepEqual([...fit.model.items], [0, 1]);
  // G + I over items 0 and 1 is [[3,2],[2,4]]; P = [[4,-2],[-2,3]] / 8, so B[0][1] = 2/3, B[1][0] = 1/2.
  assert.ok(Math.abs(fit.model.weights[1]! - 2 / 3) < 1e-6);
  assert.ok(Math.abs(fit.model.weights[2]! - 0.5) < 1e-6);
  const out = new Float32Array(4);
  fit.model.scoreHistory(Int32Array.of(0, 2), Float32Array.of(1, 1), out);
  assert.ok(Math.abs(out[1]! - 2 / 3) < 1e-6);
  assert.equal(out[2], 0);
});

test('a catalogue at maxItems keeps every item: the trimmed fit equals the full one', () => {
  const full = fitEase(x, { lambda: 1 });
  const atLimit = fitEase(x, { lambda: 1, maxItems: 3 });
  assert.ok(full.ok && atLimit.ok);
  assert.deepEqual([...atLimit.model.items], [...full.model.items]);
  assert.deepEqual([...atLimit.model.weights], [...full.model.weights]);
});

test('an EASE snapshot from before items were kept (one n × n buffer) still scores the same', () => {
  const fit = fitEase(x, { lambda: 1 });
  assert.ok(fit.ok);
  const dense = new Float32Array(16);
  for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) dense[a * 4 + b] = fit.model.weights[a * 3 + b]!;
  const old = easeFromTransferable({
    meta: { kind: 'ease', itemCount: 4, params: { lambda: 1 }, ownBuffers: 1 },
    buffers: [dense.buffer],
  });
  const a = new Float32Array(4);
  const b = new Float32Array(4);
  fit.model.scoreHistory(Int32Array.of(0, 2), Float32Array.of(1, 2), a);
  old.scoreHistory(Int32Array.of(0, 2), Float32Array.of(1, 2), b);
  assert.deepEqual([...b], [...a]);
});
