import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spread, type TaskStat, threadCosts } from './ingest-stages.js';

const task = (name: string, minorFaults: number, userTicks: number, systemTicks = 0): TaskStat => ({
  name,
  minorFaults,
  userTicks,
  systemTicks,
});

test('thread costs list the server thread first, the three busiest others by id, and sum the rest', () => {
  const before = new Map([
    ['1', task('server', 100, 50)],
    ['2', task('node', 0, 0)],
    ['3', task('node', 0, 0)],
  ]);
  const after = new Map([
    ['1', task('server', 300, 60, 2)],
    ['2', task('node', 10, 5)],
    ['3', task('node', 0, 1)],
    ['4', task('node', 0, 3)],
    ['5', task('libuv-worker', 20, 2)],
    ['6', task('node', 4, 1, 1)],
    ['7', task('idle', 0, 0)],
  ]);
  const costs = threadCosts(before, after, 100);
  assert.deepEqual(
    costs.map((c) => c.name),
    ['server', 'node 2', 'node 4', 'libuv-worker 5', 'rest'],
  );
  // Per event: 200 faults, 10 user ticks and 2 system ticks of 10 ms over 100 events.
  assert.deepEqual(costs[0], { name: 'server', count: 1, minorFaults: 2, userUs: 1000, systemUs: 200 });
  assert.deepEqual(costs[4], { name: 'rest', count: 2, minorFaults: 0.04, userUs: 200, systemUs: 100 });
});

test('a spread is the median, the 90th percentile and the maximum, whatever the order given', () => {
  const values = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
  assert.deepEqual(spread(values), { p50: 6, p90: 10, max: 10 });
  assert.deepEqual(spread([3]), { p50: 3, p90: 3, max: 3 });
  assert.deepEqual(spread([]), { p50: 0, p90: 0, max: 0 });
});
