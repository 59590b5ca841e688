import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AutocannonResult, formatFailures, p99OfAll, summarizeLoad } from './load-summary.js';

const result = (over: Partial<AutocannonResult>): AutocannonResult => ({
  requests: { average: 115 },
  latency: { p50: 331, p99: 5_841 },
  '2xx': 1_148,
  non2xx: 0,
  errors: 0,
  timeouts: 0,
  statusCodeStats: { '200': { count: 1_148 } },
  ...over,
});

test('a timeout is counted once, as a timeout, not also as an error', () => {
  // autocannon 8 increments both `errors` and `timeouts` for a request it gives up on.
  const summary = summarizeLoad(result({ errors: 16, timeouts: 16 }), 10.2, 10);
  assert.equal(summary.timeouts, 16);
  assert.equal(summary.errors, 0);
  assert.deepEqual(summary.non2xx, {});
  assert.equal(summary.failed, 16);
  assert.equal(formatFailures(summary), 'timeouts 16 (> 10 s)');
});

test('server errors are reported by status code, apart from timeouts and connection errors', () => {
  const summary = summarizeLoad(
    result({
      non2xx: 5,
      errors: 4,
      timeouts: 3,
      statusCodeStats: { '200': { count: 1_148 }, '503': { count: 2 }, '500': { count: 3 } },
    }),
    10,
    10,
  );
  assert.deepEqual(summary.non2xx, { '500': 3, '503': 2 });
  assert.equal(summary.errors, 1);
  assert.equal(summary.timeouts, 3);
  assert.equal(summary.failed, 9);
  assert.equal(summary.ok, 1_148);
  assert.equal(formatFailures(summary), '500 × 3, 503 × 2, timeouts 3 (> 10 s), errors 1');
});

test('non-2xx answers without per-code counts are still counted', () => {
  const { statusCodeStats: _, ...withoutCodes } = result({ non2xx: 2 });
  const summary = summarizeLoad(withoutCodes, 10, 10);
  assert.deepEqual(summary.non2xx, { other: 2 });
  assert.equal(summary.failed, 2);
});

test('a clean run has no failures', () => {
  const summary = summarizeLoad(result({}), 10, 10);
  assert.equal(summary.failed, 0);
  assert.equal(formatFailures(summary), 'none');
  assert.equal(summary.p99Ms, 5_841);
  assert.equal(summary.requestsPerS, 115);
});

test('the p99 of every request is at least the timeout once more than 1% of requests timed out', () => {
  // Session 5's full run: 1,148 answered, 16 timeouts after 10 s (1.4%), answered p99 5,841 ms.
  assert.deepEqual(p99OfAll(summarizeLoad(result({ errors: 16, timeouts: 16 }), 10, 10)), {
    ms: 10_000,
    atLeast: true,
  });
  assert.deepEqual(p99OfAll(summarizeLoad(result({ errors: 5, timeouts: 5 }), 10, 10)), {
    ms: 5_841,
    atLeast: false,
  });
});
