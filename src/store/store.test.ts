import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventRecord, ItemId, UserId } from '../types.js';
import { storedEvents } from './store.js';

test('storedEvents gives the appended events their seqs and arrival time, and leaves out the duplicates', () => {
  const events: EventRecord[] = [
    { id: 'a', userId: 'u' as UserId, itemId: 'i' as ItemId, type: 'view', at: 1, watchMs: 10 },
    { id: 'b', userId: 'u' as UserId, itemId: 'i' as ItemId, type: 'like', at: 2 },
    { userId: 'w' as UserId, itemId: 'j' as ItemId, type: 'skip', at: 3, watchRatio: 0.5 },
  ];
  const stored = storedEvents(events, { seqs: Float64Array.of(7, 0, 8), duplicates: [1] }, 99);
  assert.deepEqual(stored, [
    { seq: 7, id: 'a', userId: 'u', itemId: 'i', type: 'view', at: 1, watchMs: 10, receivedAt: 99 },
    { seq: 8, userId: 'w', itemId: 'j', type: 'skip', at: 3, watchRatio: 0.5, receivedAt: 99 },
  ]);
});
