import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ItemId, StoredEvent, UserId } from '../types.js';
import {
  decodeAnnouncement,
  decodeBatch,
  decodeRecords,
  encodeBatch,
  encodeRecords,
} from './event-stream.js';

const event: StoredEvent = {
  seq: 7,
  id: 'e1',
  userId: 'u1' as UserId,
  itemId: 'v1' as ItemId,
  type: 'like',
  at: 1,
  receivedAt: 2,
};

test('a batch survives the round trip through stream fields, and is not mistaken for records', () => {
  const fields = encodeBatch('node-a', [event]);
  assert.deepEqual(decodeBatch(fields), { node: 'node-a', events: [event] });
  assert.equal(decodeRecords(fields), undefined);
});

test('a records entry decodes to its items and carries no events', () => {
  const item = { id: 'v1' as ItemId, tags: [], createdAt: 1, updatedAt: 2, visibility: 'visible' as const };
  const fields = encodeRecords('node-a', { items: [item] });
  assert.deepEqual(decodeRecords(fields), { items: [item], users: [] });
  assert.deepEqual(decodeBatch(fields).events, []);
});

test('malformed entries and announcements decode to nothing instead of throwing', () => {
  assert.deepEqual(decodeBatch(['node', 'x', 'events', '{not json']).events, []);
  assert.deepEqual(decodeBatch(['events', JSON.stringify([{ seq: 'one' }, event])]).events, [event]);
  assert.deepEqual(decodeBatch(null).events, []);
  assert.equal(decodeAnnouncement('nope'), undefined);
  assert.deepEqual(decodeAnnouncement('{"name":"m","version":3}'), { name: 'm', version: 3 });
});
