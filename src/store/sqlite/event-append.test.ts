import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import type { EventInput, ItemId, UserId } from '../../types.js';
import { insertPacked, packEvents, prepareEventStatements } from './event-append.js';
import { migrateSqliteSchema } from './sqlite-store.js';

test('a packed batch is logged with every field as given, a missing one as NULL', () => {
  const db = new Database(':memory:');
  migrateSqliteSchema(db);
  const events: EventInput[] = [
    { id: 'é😀-1', userId: 'u1' as UserId, itemId: 'v1' as ItemId, type: 'view', at: 1_000, watchRatio: 0.5 },
    { userId: 'ü2' as UserId, itemId: '视频' as ItemId, type: 'like', at: 2_000 },
    { id: 'e3', userId: 'u3' as UserId, itemId: 'v3' as ItemId, type: 'view', at: 3_000, watchMs: 1_500 },
  ];
  const seqs = insertPacked(prepareEventStatements(db), packEvents(events, 9_000));
  assert.deepEqual(Array.from(seqs), [1, 2, 3]);
  const rows = db
    .prepare(
      'SELECT id, user_id, item_id, type, at, watch_ms, watch_ratio, received_at FROM events ORDER BY seq',
    )
    .raw()
    .all();
  assert.deepEqual(rows, [
    ['é😀-1', 'u1', 'v1', 'view', 1_000, null, 0.5, 9_000],
    [null, 'ü2', '视频', 'like', 2_000, null, null, 9_000],
    ['e3', 'u3', 'v3', 'view', 3_000, 1_500, null, 9_000],
  ]);
  db.close();
});
