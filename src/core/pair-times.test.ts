import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PairTimes } from './pair-times.js';

test('a pair reads back its latest time, and an unknown pair reads -Infinity', () => {
  const t = new PairTimes(16);
  t.set(3, 7, 100);
  t.set(7, 3, 200);
  t.set(3, 7, 300);
  assert.equal(t.get(3, 7), 300);
  assert.equal(t.get(7, 3), 200);
  assert.equal(t.get(3, 8), Number.NEGATIVE_INFINITY);
  assert.equal(t.size, 2);
});

test('every pair survives growth when none is older than the horizon', () => {
  const t = new PairTimes(16);
  for (let a = 0; a < 200; a++) for (let b = 0; b < 10; b++) t.set(a, b, a * 10 + b);
  assert.equal(t.size, 2_000);
  for (let a = 0; a < 200; a++) for (let b = 0; b < 10; b++) assert.equal(t.get(a, b), a * 10 + b);
});

test('pairs older than the horizon are dropped instead of growing the table', () => {
  const t = new PairTimes(16);
  for (let k = 0; k < 10_000; k++) t.set(k, 0, k, k - 5);
  // The five newest are always kept; older ones go whenever the table fills.
  for (let k = 9_995; k < 10_000; k++) assert.equal(t.get(k, 0), k);
  assert.equal(t.get(0, 0), Number.NEGATIVE_INFINITY);
  assert.ok(t.byteLength <= 16 * 64, `table grew to ${t.byteLength} bytes`);
});

test('times read back exactly while within about 37 days of the latest, and older ones read as never', () => {
  const day = 86_400_000;
  const t0 = 1_700_000_000_000;
  const t = new PairTimes(16);
  t.set(1, 1, t0);
  t.set(2, 1, t0 + 30 * day + 7);
  // 60 days on, the base moves forward: a time 30 days back is still held, one 60 days back is not.
  t.set(3, 1, t0 + 60 * day + 3);
  assert.equal(t.get(3, 1), t0 + 60 * day + 3);
  assert.equal(t.get(2, 1), t0 + 30 * day + 7);
  assert.equal(t.get(1, 1), Number.NEGATIVE_INFINITY);
  // Times within the offsets' reach of the base, before or after it, are exact.
  t.set(4, 1, t0 + 55 * day + 1);
  t.set(5, 1, t0 + 70 * day + 9);
  assert.equal(t.get(4, 1), t0 + 55 * day + 1);
  assert.equal(t.get(5, 1), t0 + 70 * day + 9);
  // An event from long before the base also reads as never counted.
  t.set(6, 1, t0);
  assert.equal(t.get(6, 1), Number.NEGATIVE_INFINITY);
  assert.equal(t.size, 6);
});
