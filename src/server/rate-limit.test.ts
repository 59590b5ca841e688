import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTokenBuckets } from './rate-limit.js';

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

test('a bucket allows a burst, then refuses with the wait until the next token', () => {
  const c = clock();
  const buckets = createTokenBuckets({ requestsPerSecond: 2, burst: 3, now: c.now });
  assert.deepEqual([buckets.take('a'), buckets.take('a'), buckets.take('a')], [0, 0, 0]);
  assert.equal(buckets.take('a'), 500);
  c.advance(500);
  assert.equal(buckets.take('a'), 0);
  assert.equal(buckets.take('a'), 500);
});

test('keys have separate buckets', () => {
  const c = clock();
  const buckets = createTokenBuckets({ requestsPerSecond: 1, burst: 1, now: c.now });
  assert.equal(buckets.take('a'), 0);
  assert.ok(buckets.take('a') > 0);
  assert.equal(buckets.take('b'), 0);
});

test('a bucket refills to the burst size and no further', () => {
  const c = clock();
  const buckets = createTokenBuckets({ requestsPerSecond: 10, burst: 2, now: c.now });
  buckets.take('a');
  c.advance(60_000);
  assert.deepEqual([buckets.take('a'), buckets.take('a')], [0, 0]);
  assert.ok(buckets.take('a') > 0);
});

test('the number of buckets stays bounded under many distinct keys', () => {
  const c = clock();
  const buckets = createTokenBuckets({ requestsPerSecond: 1, burst: 5, maxBuckets: 100, now: c.now });
  for (let k = 0; k < 1_000; k++) buckets.take(`ip-${k}`);
  assert.ok(buckets.size <= 100, `size ${buckets.size}`);
});
