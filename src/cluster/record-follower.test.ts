import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RecordChangePage } from '../store/store.js';
import type { ItemId, ItemRecord, UserId, UserRecord } from '../types.js';
import { RecordFollower } from './record-follower.js';

const item = (id: string, updatedAt: number): ItemRecord => ({
  id: id as ItemId,
  tags: [],
  createdAt: 1,
  visibility: 'visible',
  updatedAt,
});
const user = (id: string, updatedAt: number): UserRecord => ({
  id: id as UserId,
  traits: {},
  controls: { muted: ['t'], declared: [] },
  createdAt: 1,
  updatedAt,
});

/**
 * A store whose writes carry versions 1, 2, ...: a read visits every write at or above the cursor that
 * has committed, and returns as the next cursor the lowest version still open (or the next one).
 */
function fakeStore() {
  const writes: { version: number; item?: ItemRecord; user?: UserRecord; open: boolean }[] = [];
  return {
    write(change: { item?: ItemRecord; user?: UserRecord }, open = false) {
      writes.push({ version: writes.length + 1, ...change, open });
      return writes.length;
    },
    commit(version: number) {
      writes[version - 1]!.open = false;
    },
    async readRecordChanges(cursor: string | undefined, visit: (page: RecordChangePage) => void) {
      const next = String(writes.find((w) => w.open)?.version ?? writes.length + 1);
      if (cursor === undefined) return next;
      const page = {
        items: [] as RecordChangePage['items'][number][],
        users: [] as RecordChangePage['users'][number][],
      };
      for (const w of writes) {
        if (w.open || w.version < Number(cursor)) continue;
        if (w.item !== undefined) page.items.push({ record: w.item, version: String(w.version) });
        if (w.user !== undefined) page.users.push({ record: w.user, version: String(w.version) });
      }
      visit(page);
      return next;
    },
  };
}

function fakeEngine() {
  const applied: string[] = [];
  return {
    applied,
    applyRemoteRecords(change: { items?: readonly ItemRecord[]; users?: readonly UserRecord[] }) {
      for (const i of change.items ?? []) applied.push(`item ${i.id}@${i.updatedAt}`);
      for (const u of change.users ?? []) applied.push(`user ${u.id}@${u.updatedAt}`);
      return (change.items?.length ?? 0) + (change.users?.length ?? 0);
    },
  };
}

test('each write is applied once, a write open at one poll when it commits, and writes before the start never', async () => {
  const store = fakeStore();
  const engine = fakeEngine();
  const follower = new RecordFollower(store, engine);
  await assert.rejects(() => follower.poll(), /before skipToEnd/);
  store.write({ item: item('old', 1) });
  await follower.skipToEnd();
  assert.equal(await follower.poll(), 0);

  const slow = store.write({ item: item('slow', 2) }, true);
  store.write({ item: item('fast', 3) });
  store.write({ user: user('u1', 4) });
  assert.equal(await follower.poll(), 2);
  assert.deepEqual(engine.applied, ['item fast@3', 'user u1@4']);
  // Read again (the cursor waits at the open write) but not applied again.
  assert.equal(await follower.poll(), 0);
  store.commit(slow);
  assert.equal(await follower.poll(), 1);
  assert.deepEqual(engine.applied.slice(2), ['item slow@2']);
  assert.equal(await follower.poll(), 0);

  // The same record written again is a new version: applied.
  store.write({ item: item('fast', 5) });
  assert.equal(await follower.poll(), 1);
  assert.deepEqual(engine.applied.slice(3), ['item fast@5']);
  assert.equal(engine.applied.length, 4);
});
