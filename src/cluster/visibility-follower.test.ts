import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { VisibilityChange } from '../store/store.js';
import type { ItemId, ItemRecord } from '../types.js';
import { AUDIT_GAP_WAIT_MS, VisibilityFollower } from './visibility-follower.js';

const item = (id: string, visibility: ItemRecord['visibility'], updatedAt: number): ItemRecord => ({
  id: id as ItemId,
  tags: [],
  createdAt: 0,
  updatedAt,
  visibility,
});

/** A store's audit trail and items, and a node's items, each settable by the test. */
function setup() {
  const audit: VisibilityChange[] = [];
  const stored = new Map<string, ItemRecord>();
  const here = new Map<string, ItemRecord>();
  const reads: string[] = [];
  const store = {
    async visibilityChangesAfter(afterSeq: number, limit: number) {
      return audit
        .filter((c) => c.seq > afterSeq)
        .sort((a, b) => a.seq - b.seq)
        .slice(0, limit);
    },
    async getItem(id: ItemId) {
      reads.push(id);
      return stored.get(id);
    },
  };
  const engine = {
    async getItem(id: string) {
      const record = here.get(id);
      if (record === undefined) throw new Error('not found');
      return record;
    },
    applyRemoteRecords(change: { items?: readonly ItemRecord[] }) {
      let n = 0;
      for (const r of change.items ?? []) {
        if ((here.get(r.id)?.updatedAt ?? -1) > r.updatedAt) continue;
        here.set(r.id, r);
        n++;
      }
      return n;
    },
  };
  const change = (seq: number, itemId: string, action: 'hide' | 'restore'): void => {
    audit.push({ seq, itemId: itemId as ItemId, action });
  };
  return { audit, stored, here, reads, change, follower: new VisibilityFollower(store, engine) };
}

test('a takedown the node missed is read from the store; one it already applied costs no read', async () => {
  const { stored, here, reads, change, follower } = setup();
  here.set('a', item('a', 'visible', 1));
  here.set('b', item('b', 'visible', 1));
  await follower.skipToEnd();
  // b's takedown came through the stream, a's did not.
  stored.set('a', item('a', 'hidden', 2));
  stored.set('b', item('b', 'hidden', 2));
  here.set('b', item('b', 'hidden', 2));
  change(1, 'a', 'hide');
  change(2, 'b', 'hide');
  assert.equal(await follower.poll(0), 1);
  assert.equal(here.get('a')?.visibility, 'hidden');
  assert.deepEqual(reads, ['a']);
  // Read once: the next poll has nothing new.
  assert.equal(await follower.poll(1), 0);
  assert.deepEqual(reads, ['a']);
  assert.equal(follower.pending, 0);
});

test("only an item's latest entry counts: hidden and restored since, it stays visible unread", async () => {
  const { stored, here, reads, change, follower } = setup();
  here.set('a', item('a', 'visible', 3));
  stored.set('a', item('a', 'visible', 3));
  change(1, 'a', 'hide');
  change(2, 'a', 'restore');
  assert.equal(await follower.poll(0), 0);
  assert.deepEqual(reads, []);
});

test('history before skipToEnd is not read again', async () => {
  const { stored, here, reads, change, follower } = setup();
  change(1, 'a', 'hide');
  change(2, 'b', 'hide');
  stored.set('a', item('a', 'hidden', 2));
  here.set('a', item('a', 'visible', 1));
  await follower.skipToEnd();
  assert.equal(await follower.poll(0), 0);
  assert.deepEqual(reads, []);
});

test('an entry committed below positions already read is still applied; a gap that never fills is passed after the wait', async () => {
  const { stored, here, change, follower } = setup();
  here.set('a', item('a', 'visible', 1));
  here.set('b', item('b', 'visible', 1));
  here.set('c', item('c', 'visible', 1));
  // Position 1 belongs to a transaction still open; 2 is committed.
  stored.set('b', item('b', 'hidden', 2));
  change(2, 'b', 'hide');
  assert.equal(await follower.poll(0), 1);
  assert.equal(follower.pending, 1);
  // It commits: position 1 is read although 2 was.
  stored.set('a', item('a', 'hidden', 2));
  change(1, 'a', 'hide');
  assert.equal(await follower.poll(1_000), 1);
  assert.equal(here.get('a')?.visibility, 'hidden');
  assert.equal(follower.pending, 0);
  // Position 3 was rolled back for good: 4 is held above the gap until the wait is over.
  stored.set('c', item('c', 'hidden', 3));
  change(4, 'c', 'hide');
  assert.equal(await follower.poll(2_000), 1);
  assert.equal(await follower.poll(2_000 + AUDIT_GAP_WAIT_MS - 1), 0);
  assert.equal(follower.pending, 1);
  assert.equal(await follower.poll(2_000 + AUDIT_GAP_WAIT_MS), 0);
  assert.equal(follower.pending, 0);
});
