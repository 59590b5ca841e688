import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseHistogram, quantile, subtractBuckets } from './histogram.js';

const NAME = 'setlist_http_request_duration_seconds';
const TEXT = `# HELP ${NAME} HTTP request latency by route.
# TYPE ${NAME} histogram
${NAME}_bucket{le="0.001",method="GET",route="/v1/users/:userId/feed"} 2
${NAME}_bucket{le="0.01",method="GET",route="/v1/users/:userId/feed"} 6
${NAME}_bucket{le="0.1",method="GET",route="/v1/users/:userId/feed"} 10
${NAME}_bucket{le="+Inf",method="GET",route="/v1/users/:userId/feed"} 10
${NAME}_sum{method="GET",route="/v1/users/:userId/feed"} 0.2
${NAME}_count{method="GET",route="/v1/users/:userId/feed"} 10
${NAME}_bucket{le="0.001",method="GET",route="/v1/status"} 100
${NAME}_bucket{le="0.01",method="GET",route="/v1/status"} 100
${NAME}_bucket{le="0.1",method="GET",route="/v1/status"} 100
${NAME}_bucket{le="+Inf",method="GET",route="/v1/status"} 100
`;

test('only the buckets of the matching route are read', () => {
  const b = parseHistogram(TEXT, NAME, { route: '/v1/users/:userId/feed' });
  assert.deepEqual(b, { le: [0.001, 0.01, 0.1, Number.POSITIVE_INFINITY], counts: [2, 6, 10, 10] });
});

test('a route with no series gives no buckets', () => {
  assert.equal(parseHistogram(TEXT, NAME, { route: '/v1/trending' }), undefined);
});

test('quantiles interpolate inside the bucket that holds them', () => {
  const b = parseHistogram(TEXT, NAME, { route: '/v1/users/:userId/feed' })!;
  // rank 5 of 10 lies 3/4 of the way through the (0.001, 0.01] bucket, which holds ranks 3..6.
  assert.ok(Math.abs(quantile(b, 0.5)! - (0.001 + 0.009 * 0.75)) < 1e-12);
  // rank 9.9 lies 3.9/4 of the way through (0.01, 0.1].
  assert.ok(Math.abs(quantile(b, 0.99)! - (0.01 + 0.09 * (3.9 / 4))) < 1e-12);
});

test('an empty histogram has no quantile, and the +Inf bucket answers the last finite bound', () => {
  assert.equal(quantile({ le: [0.1, Number.POSITIVE_INFINITY], counts: [0, 0] }, 0.5), undefined);
  assert.equal(quantile({ le: [0.1, Number.POSITIVE_INFINITY], counts: [0, 4] }, 0.5), 0.1);
});

test('subtracting an earlier reading leaves the observations made in between', () => {
  const earlier = { le: [0.01, Number.POSITIVE_INFINITY], counts: [3, 4] };
  const later = { le: [0.01, Number.POSITIVE_INFINITY], counts: [5, 9] };
  assert.deepEqual(subtractBuckets(later, earlier).counts, [2, 5]);
});
