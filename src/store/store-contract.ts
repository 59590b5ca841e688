import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EventRecord, ItemId, ItemRecord, UserId, UserRecord } from '../types.js';
import type { Store } from './store.js';

/**
 * The behaviour every Store adapter must have. An adapter's own test file calls this with a factory
 * that returns a fresh, empty, migrated store (and `reopen` for adapters that persist).
 */
export function runStoreContract(
  name: string,
  factory: { create(): Promise<Store>; reopen?(previous: Store): Promise<Store> },
): void {
  const item = (id: string, extra: Partial<ItemRecord> = {}): ItemRecord => ({
    id: id as ItemId,
    tags: ['a'],
    createdAt: 1_000,
    updatedAt: 1_000,
    visibility: 'visible',
    ...extra,
  });
  const user = (id: string): UserRecord => ({
    id: id as UserId,
    traits: { country: 'FR' },
    controls: { muted: [], declared: [] },
    createdAt: 1,
    updatedAt: 1,
  });
  const event = (extra: Partial<EventRecord> = {}): EventRecord => ({
    userId: 'u1' as UserId,
    itemId: 'i1' as ItemId,
    type: 'view',
    at: 5_000,
    watchRatio: 0.5,
    ...extra,
  });

  describe(`store contract: ${name}`, () => {
    test('a written item reads back equal, and replacing it keeps one row', async () => {
      const store = await factory.create();
      const original = item('i1', { caption: '猫 cat 🐱', creatorId: 'c1' as never, embedding: [0.5, -1] });
      await store.writeItems([original]);
      assert.deepEqual(await store.getItem('i1' as ItemId), original);
      await store.writeItems([{ ...original, caption: 'dog' }]);
      assert.equal((await store.getItem('i1' as ItemId))?.caption, 'dog');
      assert.equal((await store.counts()).items, 1);
      await store.close();
    });

    test('a missing item or user reads as undefined', async () => {
      const store = await factory.create();
      assert.equal(await store.getItem('nope' as ItemId), undefined);
      assert.equal(await store.getUser('nope' as UserId), undefined);
      await store.close();
    });

    test('items page in id order', async () => {
      const store = await factory.create();
      await store.writeItems(['c', 'a', 'b', 'd'].map((id) => item(id)));
      const first = await store.listItems({ limit: 2 });
      assert.deepEqual(
        first.map((i) => i.id),
        ['a', 'b'],
      );
      const second = await store.listItems({ after: 'b', limit: 10 });
      assert.deepEqual(
        second.map((i) => i.id),
        ['c', 'd'],
      );
      await store.close();
    });

    test('audit entries are written with their item and listed in order', async () => {
      const store = await factory.create();
      await store.writeItems(
        [item('i1', { visibility: 'hidden', visibilityReason: 'spam' })],
        [{ itemId: 'i1' as ItemId, at: 10, actor: 'admin', action: 'hide', reason: 'spam' }],
      );
      await store.writeItems(
        [item('i1')],
        [{ itemId: 'i1' as ItemId, at: 20, actor: 'admin', action: 'restore', reason: 'appeal' }],
      );
      const audit = await store.listAudit('i1' as ItemId);
      assert.deepEqual(
        audit.map((a) => [a.action, a.reason, a.at]),
        [
          ['hide', 'spam', 10],
          ['restore', 'appeal', 20],
        ],
      );
      await store.close();
    });

    test('users are written, replaced and paged', async () => {
      const store = await factory.create();
      await store.writeUsers([user('u2'), user('u1')]);
      const u1 = await store.getUser('u1' as UserId);
      assert.deepEqual(u1, user('u1'));
      await store.writeUsers([
        { ...user('u1'), controls: { muted: ['f1'], declared: [{ tag: '美妆', weight: 1 }] } },
      ]);
      assert.deepEqual((await store.getUser('u1' as UserId))?.controls.muted, ['f1']);
      assert.deepEqual(
        (await store.listUsers({ limit: 10 })).map((u) => u.id),
        ['u1', 'u2'],
      );
      assert.equal((await store.counts()).users, 2);
      await store.close();
    });

    test('events get increasing sequence numbers and read back in log order', async () => {
      const store = await factory.create();
      const result = await store.appendEvents(
        [event({ itemId: 'a' as ItemId }), event({ itemId: 'b' as ItemId, type: 'like' })],
        99,
      );
      assert.equal(result.seqs.length, 2);
      assert.ok(result.seqs[0]! > 0 && result.seqs[1]! > result.seqs[0]!);
      const read = await store.readEvents(0, 10);
      assert.deepEqual(
        read.map((e) => e.seq),
        [...result.seqs],
      );
      assert.deepEqual(
        read.map((e) => [e.itemId, e.type, e.receivedAt, e.watchRatio]),
        [
          ['a', 'view', 99, 0.5],
          ['b', 'like', 99, 0.5],
        ],
      );
      assert.deepEqual(await store.readEvents(read[0]!.seq, 10), [read[1]]);
      await store.close();
    });

    test('an event id already in the log is skipped as a duplicate, even within one batch', async () => {
      const store = await factory.create();
      await store.appendEvents([event({ id: 'e1' })], 1);
      const again = await store.appendEvents(
        [event({ id: 'e1' }), event({ id: 'e2' }), event({ id: 'e2' }), event()],
        2,
      );
      assert.deepEqual(again.duplicates, [0, 2]);
      // A duplicate's seq is 0; the others are the seqs they were logged under.
      const read = await store.readEvents(0, 10);
      assert.deepEqual([...again.seqs], [0, read[1]!.seq, 0, read[2]!.seq]);
      assert.equal((await store.counts()).events, 3);
      await store.close();
    });

    test('the newest snapshot of a name is loaded, bytes intact', async () => {
      const store = await factory.create();
      await store.saveSnapshot({
        name: 'ials',
        version: 1,
        trainedAt: 10,
        meta: { k: 1 },
        data: Uint8Array.of(1, 2),
      });
      await store.saveSnapshot({
        name: 'ials',
        version: 2,
        trainedAt: 20,
        meta: { k: 2 },
        data: Uint8Array.of(3, 4, 5),
      });
      const snap = await store.loadSnapshot('ials');
      assert.equal(snap?.version, 2);
      assert.deepEqual(snap?.meta, { k: 2 });
      assert.deepEqual([...(snap?.data ?? [])], [3, 4, 5]);
      assert.equal(await store.loadSnapshot('ease'), undefined);
      await store.close();
    });

    test("a snapshot's item id section is loaded intact beside its data; one without has none", async () => {
      const store = await factory.create();
      const itemIds = Uint8Array.from({ length: 3_000 }, (_, k) => (k * 7) & 0xff);
      await store.saveSnapshot({
        name: 'blend',
        version: 1,
        trainedAt: 10,
        meta: { report: { k: 1 } },
        data: Uint8Array.of(9, 8, 7),
        itemIds,
      });
      const snap = await store.loadSnapshot('blend');
      assert.deepEqual(snap?.meta, { report: { k: 1 } });
      assert.deepEqual([...(snap?.data ?? [])], [9, 8, 7]);
      assert.deepEqual([...(snap?.itemIds ?? [])], [...itemIds]);
      // A snapshot of the layout before the section: its ids are in its meta, and it has no section.
      await store.saveSnapshot({
        name: 'blend',
        version: 2,
        trainedAt: 20,
        meta: { itemIds: ['a'] },
        data: itemIds,
      });
      const old = await store.loadSnapshot('blend');
      assert.equal(old?.version, 2);
      assert.equal(old !== undefined && 'itemIds' in old, false);
      assert.deepEqual(old?.meta, { itemIds: ['a'] });
      assert.deepEqual([...(old?.data ?? [])], [...itemIds]);
      await store.close();
    });

    if (factory.reopen !== undefined) {
      const reopen = factory.reopen;
      test('everything written survives closing and reopening', async () => {
        const store = await factory.create();
        await store.writeItems([item('i1')]);
        await store.writeUsers([user('u1')]);
        await store.appendEvents([event({ id: 'e1' })], 1);
        await store.close();
        const again = await reopen(store);
        assert.deepEqual(await again.counts(), { items: 1, users: 1, events: 1 });
        const dup = await again.appendEvents([event({ id: 'e1' })], 2);
        assert.deepEqual(dup.duplicates, [0]);
        await again.close();
      });
    }
  });
}
