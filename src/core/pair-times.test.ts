import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PairTimes } from './pair-times.js';
import { createRandom } from './random.js';

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

test('a growing table drains into the next a few thousand slots per set, reading every pair all along', () => {
  const t = new PairTimes(1 << 17);
  const single = t.byteLength;
  let k = 0;
  // Fill to the load limit: the next new pair starts a drain into a table twice the size.
  while (t.byteLength === single) {
    t.set(k, 1, k);
    k++;
  }
  assert.equal(t.byteLength, single * 3, 'the old table and one twice its size, both held');
  assert.equal(t.size, k);
  for (let j = 0; j < k; j++) assert.equal(t.get(j, 1), j);
  // 2^17 slots drain at 4,096 per set: 32 more sets.
  for (let j = 0; j < 31; j++) t.set(j, 2, j);
  assert.equal(t.byteLength, single * 3);
  t.set(31, 2, 31);
  assert.equal(t.byteLength, single * 2, 'drained: only the new table');
  assert.equal(t.size, k + 32);
  for (let j = 0; j < k; j++) assert.equal(t.get(j, 1), j);
  for (let j = 0; j < 32; j++) assert.equal(t.get(j, 2), j);
});

test('under random sets with a moving horizon every pair reads its time, or never once older than the horizon', () => {
  const random = createRandom(5);
  const t = new PairTimes(16);
  const ref = new Map<number, number>();
  const HORIZON = 2_000;
  for (let at = 0; at < 60_000; at++) {
    const a = random.int(400);
    const b = random.int(30);
    t.set(a, b, at, at - HORIZON);
    ref.set(a * 100 + b, at);
    if (at % 997 === 0) {
      for (const [key, time] of ref) {
        const got = t.get(Math.floor(key / 100), key % 100);
        if (got !== time) {
          assert.equal(got, Number.NEGATIVE_INFINITY, `pair ${key}`);
          assert.ok(time < at - HORIZON, `pair ${key} at ${time} was dropped inside the horizon at ${at}`);
        }
      }
    }
  }
  let held = 0;
  for (const [key] of ref) if (t.get(Math.floor(key / 100), key % 100) !== Number.NEGATIVE_INFINITY) held++;
  assert.ok(held < ref.size, 'some old pairs were dropped');
  assert.ok(t.size >= held);
});
