import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventBatchSchema, validate, validateEventBatch } from './validate.js';

const good = {
  events: [
    { userId: 'u1', itemId: 'v1', type: 'like' },
    {
      id: 'e2',
      userId: 'u1',
      itemId: 'v2',
      type: 'view',
      at: Date.UTC(2026, 0, 1),
      watchMs: 10,
      watchRatio: 0.5,
    },
    { userId: 'u2', itemId: 'v1', type: 'view', at: '2026-01-01T00:00:00Z' },
  ],
};

test('the event batch fast path accepts what the schema accepts, with the same value', () => {
  assert.deepEqual(validateEventBatch(good), validate(eventBatchSchema, good));
  assert.equal(validateEventBatch(good).ok, true);
});

test('the event batch fast path reports exactly the issues of the schema', () => {
  const bad: unknown[] = [
    {},
    { events: [] },
    { events: [{ userId: 'u1', itemId: 'v1', type: 'poke' }] },
    { events: [{ userId: '', itemId: 'v1', type: 'like' }] },
    { events: [{ userId: 'u1', itemId: 'v1', type: 'like', extra: 1 }] },
    { events: [{ userId: 'u1', itemId: 'v1', type: 'like' }], more: true },
    { events: [{ userId: 'u1', itemId: 'v1', type: 'view', watchRatio: -1 }] },
    { events: [{ userId: 'u1', itemId: 'v1', type: 'view', watchMs: Number.NaN }] },
    { events: [{ userId: 'u1', itemId: 'v1', type: 'view', at: 'yesterday' }] },
    { events: [{ userId: 'u\uD800', itemId: 'v1', type: 'like' }] },
    { events: [{ itemId: 'v1', type: 'like' }] },
    { events: [null] },
  ];
  for (const body of bad) {
    const fast = validateEventBatch(body);
    assert.equal(fast.ok, false, JSON.stringify(body));
    assert.deepEqual(fast, validate(eventBatchSchema, body));
  }
});
