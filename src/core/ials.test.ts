import assert from 'node:assert/strict';
import { test } from 'node:test';
import { twoGroupInteractions } from '../../test/fixtures/interactions.js';
import { csrRow } from './csr.js';
import {
  finishIalsGram,
  fitIals,
  foldInUser,
  IALS_DEFAULTS,
  ialsEigenBasis,
  ialsGramPart,
  rotateIalsRows,
} from './ials.js';

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

test('the change of basis keeps every inner product and leaves the Gram matrix diagonal', () => {
  const k = 6;
  const rows = 9;
  const f = Float32Array.from({ length: rows * k }, (_, i) => Math.sin(i * 1.7) + (i % k === 2 ? 1 : 0));
  const gram = new Float64Array(k * k);
  ialsGramPart(f, 0, rows, k, gram);
  finishIalsGram([gram], k, 1, gram);
  const dots = (m: Float32Array) =>
    Array.from({ length: rows * rows }, (_, p) => {
      let s = 0;
      for (let c = 0; c < k; c++) s += m[Math.floor(p / rows) * k + c]! * m[(p % rows) * k + c]!;
      return s;
    });
  const before = dots(f);
  const { values, vectors } = ialsEigenBasis(gram, k);
  rotateIalsRows(f, 0, rows, k, vectors);
  for (const [p, d] of dots(f).entries()) {
    assert.ok(Math.abs(d - before[p]!) < 1e-5, `pair ${p}: ${d} vs ${before[p]}`);
  }
  const rotated = new Float64Array(k * k);
  ialsGramPart(f, 0, rows, k, rotated);
  finishIalsGram([rotated], k, 1, rotated);
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      const want = a === b ? values[a]! : 0;
      assert.ok(Math.abs(rotated[a * k + b]! - want) < 1e-4, `gram[${a}][${b}] = ${rotated[a * k + b]}`);
    }
  }
});
