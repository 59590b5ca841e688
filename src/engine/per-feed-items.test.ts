import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom } from '../core/random.js';
import { PerFeedItems } from './per-feed-items.js';

test('an item has the value set in this feed and none after the next begin', () => {
  const items = new PerFeedItems();
  items.begin();
  items.set(7, 3.5);
  assert.equal(items.get(7, -1), 3.5);
  assert.equal(items.get(8, -1), -1);
  items.begin();
  assert.equal(items.get(7, -1), -1);
});

test('setting an item again replaces its value', () => {
  const items = new PerFeedItems();
  items.begin();
  items.set(7, 1);
  items.set(7, 2);
  assert.equal(items.get(7, -1), 2);
});

test('a memo computes an item once per feed', () => {
  const items = new PerFeedItems();
  let calls = 0;
  const compute = (i: number): number => {
    calls++;
    return i * 2;
  };
  items.begin();
  assert.equal(items.memo(21, compute), 42);
  assert.equal(items.memo(21, compute), 42);
  items.begin();
  assert.equal(items.memo(21, compute), 42);
  assert.equal(calls, 2);
});

test('a feed touching more items than the table holds keeps every value', () => {
  const items = new PerFeedItems();
  const random = createRandom(5);
  const chosen = new Map<number, number>();
  items.begin();
  while (chosen.size < 50_000) {
    const i = random.int(1_000_000);
    chosen.set(i, chosen.size);
    items.set(i, chosen.get(i)!);
  }
  for (const [i, value] of chosen) assert.equal(items.get(i, -1), value);
  assert.equal(items.get(1_000_001, -1), -1);
});

test('items a stride of the table apart keep their own values', () => {
  const items = new PerFeedItems();
  items.begin();
  for (let k = 0; k < 5_000; k++) items.set(k * 8_192, k);
  for (let k = 0; k < 5_000; k++) assert.equal(items.get(k * 8_192, -1), k);
});

test('a memo whose computation writes other items still stores its own value', () => {
  const items = new PerFeedItems();
  items.begin();
  const value = items.memo(1, () => {
    for (let k = 2; k < 20_000; k++) items.set(k, k);
    return 9;
  });
  assert.equal(value, 9);
  assert.equal(items.get(1, -1), 9);
  assert.equal(items.get(19_999, -1), 19_999);
});
