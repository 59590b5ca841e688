import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decay, eventWeight } from './event-weight.js';

test('a view is weighted by its watch ratio, capped at 1.5', () => {
  assert.equal(eventWeight('view', 0.8), 0.8);
  assert.equal(eventWeight('view', 3), 1.5);
});

test('a very short view is a weak negative', () => {
  assert.ok(eventWeight('view', 0.05) < 0);
});

test('a view without a watch ratio counts as half watched', () => {
  assert.equal(eventWeight('view'), 0.5);
});

test('likes, shares, comments and follows are strong; skips and not_interested are negative', () => {
  for (const t of ['like', 'share', 'comment', 'follow'] as const) assert.ok(eventWeight(t) >= 2);
  assert.ok(eventWeight('skip') < 0);
  assert.ok(eventWeight('not_interested') < eventWeight('skip'));
});

test('decay halves at one half-life and is 1 for the future', () => {
  assert.equal(decay(10, 10), 0.5);
  assert.equal(decay(-5, 10), 1);
});
