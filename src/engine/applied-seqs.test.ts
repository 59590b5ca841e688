import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppliedSeqs } from './applied-seqs.js';

test('a seq is claimed once, whichever path brings it first', () => {
  const applied = new AppliedSeqs();
  assert.equal(applied.claim(5), true);
  assert.equal(applied.claim(5), false);
  assert.equal(applied.claim(3), true);
});

test('advancing the watermark refuses every seq at or below it and frees the set', () => {
  const applied = new AppliedSeqs();
  applied.claim(7);
  applied.claim(12);
  applied.advanceTo(10);
  assert.equal(applied.pending, 1);
  assert.equal(applied.claim(9), false);
  assert.equal(applied.claim(12), false);
  assert.equal(applied.claim(11), true);
  applied.advanceTo(4);
  assert.equal(applied.watermark, 12);
});

test('contiguous seqs advance the watermark and hold no memory', () => {
  const applied = new AppliedSeqs();
  for (const seq of [1, 2, 4, 3, 5]) assert.equal(applied.claim(seq), true);
  assert.equal(applied.watermark, 5);
  assert.equal(applied.pending, 0);
  assert.equal(applied.claim(4), false);
});
