import assert from 'node:assert/strict';
import { test } from 'node:test';
import { twoGroupInteractions } from '../../test/fixtures/interactions.js';
import { csrRow } from './csr.js';
import { fitIals, foldInUser, IALS_DEFAULTS } from './ials.js';

const x = twoGroupInteractions(40, 30, 6, 3);
const params = { ...IALS_DEFAULTS, factors: 8, epochs: 4, cgSteps: 0 };

test('fold-in of a training user equals the vector the full exact solve produced', () => {
  const { model, userFactors } = fitIals(x, params);
  for (const u of [0, 7, 39]) {
    const row = csrRow(x, u);
    const folded = foldInUser(model.itemFactors, model.gram, model.params, row.indices, row.values);
    for (let f = 0; f < 8; f++) assert.ok(Math.abs(folded[f]! - userFactors[u * 8 + f]!) < 1e-6);
  }
});

test('conjugate-gradient training reaches nearly the exact solution', () => {
  const exact = fitIals(x, params);
  const cg = fitIals(x, { ...params, cgSteps: 8 });
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < exact.userFactors.length; i++) {
    diff += (exact.userFactors[i]! - cg.userFactors[i]!) ** 2;
    norm += exact.userFactors[i]! ** 2;
  }
  assert.ok(diff / norm < 1e-3, `relative error ${diff / norm}`);
});

test('scores put the user’s own taste group above the other group', () => {
  const { model } = fitIals(x, { ...params, epochs: 8 });
  const out = new Float32Array(30);
  model.scoreHistory(Int32Array.of(0, 1, 2), Float32Array.of(1, 1, 1), out);
  const mean = (a: number, b: number) => out.slice(a, b).reduce((s, v) => s + v, 0) / (b - a);
  assert.ok(mean(0, 15) > mean(15, 30));
});

test('itemVector is the item’s row of factors', () => {
  const { model } = fitIals(x, params);
  assert.deepEqual([...model.itemVector!(2)], [...model.itemFactors.subarray(16, 24)]);
});
