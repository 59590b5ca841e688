import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { EVENT_TYPES } from '../src/types.js';
import { createClock, openEngine } from './helpers.js';

const ITEMS = 30;

test('hidden items are never served in any feed or similar list, whatever happened before', async () => {
  const scenario = fc.record({
    hidden: fc.uniqueArray(fc.integer({ min: 0, max: ITEMS - 1 }), { minLength: 1, maxLength: 12 }),
    events: fc.array(
      fc.record({
        user: fc.integer({ min: 0, max: 7 }),
        item: fc.integer({ min: 0, max: ITEMS - 1 }),
        type: fc.constantFrom(...EVENT_TYPES),
      }),
      { minLength: 1, maxLength: 150 },
    ),
    hideAfterEvents: fc.boolean(),
  });
  await fc.assert(
    fc.asyncProperty(scenario, async ({ hidden, events, hideAfterEvents }) => {
      const clock = createClock();
      const engine = await openEngine(':memory:', { now: clock.now });
      await engine.putItems({
        items: Array.from({ length: ITEMS }, (_, i) => ({
          id: `v${i}`,
          creatorId: `c${i % 4}`,
          tags: [`t${i % 3}`],
          createdAt: clock.now() - 3_600_000 * (i % 5),
        })),
      });
      const hide = async () => {
        for (const i of hidden) await engine.patchItem(`v${i}`, { visibility: 'hidden', reason: 'fuzz' });
      };
      const ingest = () =>
        engine.ingest({
          events: events.map((e) => ({ userId: `u${e.user}`, itemId: `v${e.item}`, type: e.type })),
        });
      if (hideAfterEvents) {
        await ingest();
        await hide();
      } else {
        await hide();
        await ingest();
      }
      const hiddenIds = new Set(hidden.map((i) => `v${i}`));
      for (let u = 0; u < 9; u++) {
        const feed = await engine.feed(`u${u}`, 50);
        for (const item of feed.items)
          assert.ok(!hiddenIds.has(item.itemId), `feed of u${u} has ${item.itemId}`);
      }
      for (let i = 0; i < ITEMS; i++) {
        const similar = await engine.similar(`v${i}`, 50);
        for (const item of similar.items)
          assert.ok(!hiddenIds.has(item.itemId), `similar to v${i}: ${item.itemId}`);
      }
      // Restored items come back to a newcomer's feed.
      for (const i of hidden) await engine.patchItem(`v${i}`, { visibility: 'visible', reason: 'restored' });
      const all = new Set((await engine.feed('newcomer', 50)).items.map((i) => i.itemId));
      for (const id of hiddenIds) assert.ok(all.has(id), `${id} restored`);
      await engine.close();
    }),
    { seed: 7, numRuns: 25 },
  );
});

test('hiding keeps the reason on the item and an audit entry of who, when and why', async () => {
  const clock = createClock();
  const engine = await openEngine(':memory:', { now: clock.now });
  await engine.putItem('burger', { caption: 'Van Gogh-style burger', tags: ['art'] });
  clock.advance(1_000);
  const hidden = await engine.patchItem(
    'burger',
    { visibility: 'hidden', reason: 'abnormal visual input' },
    { actor: 'vision-filter' },
  );
  assert.equal(hidden.visibilityReason, 'abnormal visual input');
  clock.advance(60_000);
  await engine.patchItem(
    'burger',
    { visibility: 'visible', reason: 'it is a painting', actor: 'mod-3' },
    { actor: 'trust' },
  );
  assert.deepEqual(await engine.itemAudit('burger'), [
    {
      itemId: 'burger',
      at: clock.now() - 60_000,
      actor: 'vision-filter',
      action: 'hide',
      reason: 'abnormal visual input',
    },
    {
      itemId: 'burger',
      at: clock.now(),
      actor: 'trust (for mod-3)',
      action: 'restore',
      reason: 'it is a painting',
    },
  ]);
  // A re-put of the item's fields does not silently restore it.
  await engine.patchItem('burger', { visibility: 'hidden', reason: 'again' });
  await engine.putItem('burger', { caption: 'edited' });
  assert.equal((await engine.getItem('burger')).visibility, 'hidden');
  assert.equal((await engine.getItem('burger')).visibilityReason, 'again');
});

test('a fresh item taken down after feeds were served from the shared fresh ranking is out of the next feed', async () => {
  const clock = createClock();
  const engine = await openEngine(':memory:', { now: clock.now });
  // Twelve items created at three instants, all within the fresh window.
  await engine.putItems({
    items: Array.from({ length: 12 }, (_, i) => ({
      id: `n${i}`,
      creatorId: `c${i}`,
      tags: [`t${i % 2}`],
      createdAt: clock.now() - 60_000 * (i % 3),
    })),
  });
  const before = await engine.feed('newcomer', 10);
  const taken = before.items[0]!.itemId;
  await engine.patchItem(taken, { visibility: 'hidden', reason: 'takedown' });
  for (const userId of ['newcomer', 'other']) {
    const after = await engine.feed(userId, 10);
    assert.ok(!after.items.some((item) => item.itemId === taken), `${userId}'s feed has ${taken}`);
  }
  await engine.close();
});
