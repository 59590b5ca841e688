import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Engine } from '../src/engine/engine.js';
import type { EventInput } from '../src/types.js';
import { EVENT_TYPES } from '../src/types.js';
import { createClock, openApp, openEngine, T0 } from './helpers.js';

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

const BURGER_CAPTION = 'Van Gogh-style burger';

/**
 * A painter's Van Gogh-style burger and twelve other art items; `fan` and ten other users liked the
 * burger and the first art items, so it is what their reasons and facets cite.
 */
async function artPlatform(engine: Engine): Promise<void> {
  const items = [{ id: 'burger', creatorId: 'painter', caption: BURGER_CAPTION, tags: ['art', 'food'] }];
  for (let k = 0; k < 12; k++)
    items.push({ id: `art-${k}`, creatorId: `painter-${k % 4}`, caption: `still life ${k}`, tags: ['art'] });
  items.push({ id: 'sketch', creatorId: 'painter', caption: 'pencil sketch', tags: ['art'] });
  await engine.putItems({
    items: items.map((item) => ({ ...item, category: 'art', createdAt: T0 - 7 * 24 * 3_600_000 })),
  });
  const events: EventInput[] = [];
  for (let u = 0; u < 11; u++) {
    const userId = u === 0 ? 'fan' : `crowd-${u}`;
    events.push({ userId, itemId: 'burger', type: 'like' });
    for (let k = 0; k < (u === 0 ? 4 : 10); k++) events.push({ userId, itemId: `art-${k}`, type: 'like' });
  }
  await engine.ingest({ events });
}

/** Where the item is cited, quoted or shown as an example in what viewers are served about it. */
interface Citations {
  because: string[];
  quoted: string[];
  examples: string[];
}

function citationsIn(
  lists: { name: string; items: { itemId: string; reason: { because?: string[]; text: string } }[] }[],
  profiles: { name: string; facets: { examples: string[] }[]; recent?: { itemId: string }[] }[],
  itemId: string,
  caption: string,
): Citations {
  const found: Citations = { because: [], quoted: [], examples: [] };
  for (const list of lists) {
    for (const item of list.items) {
      if (item.reason.because?.includes(itemId) === true) found.because.push(`${list.name} ${item.itemId}`);
      if (item.reason.text.includes(caption))
        found.quoted.push(`${list.name} ${item.itemId}: ${item.reason.text}`);
    }
  }
  for (const profile of profiles) {
    for (const facet of profile.facets)
      if (facet.examples.includes(itemId)) found.examples.push(`${profile.name}: ${facet.examples.join()}`);
    if (profile.recent?.some((r) => r.itemId === itemId) === true)
      found.examples.push(`${profile.name}: recent`);
  }
  return found;
}

const VIEWERS = ['fan', 'crowd-1', 'crowd-2'];
const SIMILAR_TO = ['art-0', 'art-5', 'sketch', 'burger'];

async function engineCitations(engine: Engine): Promise<Citations> {
  const lists = [];
  for (const userId of VIEWERS) {
    lists.push({ name: `feed of ${userId}`, ...(await engine.feed(userId, 10)) });
    lists.push({ name: `feed of ${userId} (zh)`, ...(await engine.feed(userId, 10, { lang: 'zh' })) });
  }
  for (const itemId of SIMILAR_TO)
    lists.push({ name: `similar to ${itemId}`, ...(await engine.similar(itemId, 10)) });
  const profiles = [];
  for (const userId of VIEWERS)
    profiles.push({ name: `profile of ${userId}`, ...(await engine.profile(userId)) });
  profiles.push({ name: 'creator painter', ...(await engine.creatorProfile('painter')) });
  return citationsIn(lists, profiles, 'burger', BURGER_CAPTION.slice(0, 12));
}

test('a hidden item is cited, quoted or shown as an example nowhere, and is again once restored', async () => {
  const clock = createClock();
  const engine = await openEngine(':memory:', { now: clock.now });
  await artPlatform(engine);
  const before = await engineCitations(engine);
  assert.ok(
    before.because.length > 0 && before.quoted.length > 0 && before.examples.length > 0,
    JSON.stringify(before),
  );
  await engine.patchItem('burger', { visibility: 'hidden', reason: 'abnormal visual input' });
  assert.deepEqual(await engineCitations(engine), { because: [], quoted: [], examples: [] });
  // A reason that cited the burger cites the viewer's other items instead.
  for (const userId of VIEWERS) {
    for (const item of (await engine.feed(userId, 10)).items) {
      if (item.reason.source !== 'facet' && item.reason.source !== 'co-occurrence') continue;
      assert.ok((item.reason.because ?? []).length > 0, `${userId} ${item.itemId}: ${item.reason.text}`);
    }
  }
  // Items like the hidden burger itself say why without naming it.
  const burgerSimilar = await engine.similar('burger', 10);
  assert.ok(burgerSimilar.items.length > 0);
  for (const item of burgerSimilar.items) assert.equal(item.reason.because, undefined, item.reason.text);
  await engine.patchItem('burger', { visibility: 'visible', reason: 'it is a painting' });
  const restored = await engineCitations(engine);
  assert.ok(restored.because.length > 0 && restored.examples.length > 0, JSON.stringify(restored));
  await engine.close();
});

test('over HTTP, a hidden item is cited in no feed, similar list or profile', async () => {
  const clock = createClock();
  const { app, engine } = await openApp(':memory:', { now: clock.now });
  await artPlatform(engine);
  const hide = await app.inject({
    method: 'PATCH',
    url: '/v1/items/burger',
    payload: { visibility: 'hidden', reason: 'abnormal visual input' },
  });
  assert.equal(hide.statusCode, 200);
  const get = async (url: string) => {
    const res = await app.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 200, url);
    return res.json();
  };
  const lists = [];
  for (const userId of VIEWERS) {
    for (const lang of ['en', 'zh'])
      lists.push({ name: `feed of ${userId}`, ...(await get(`/v1/users/${userId}/feed?n=10&lang=${lang}`)) });
  }
  for (const itemId of SIMILAR_TO)
    lists.push({ name: `similar to ${itemId}`, ...(await get(`/v1/items/${itemId}/similar?n=10`)) });
  const profiles = [];
  for (const userId of VIEWERS)
    profiles.push({ name: `profile of ${userId}`, ...(await get(`/v1/users/${userId}/profile`)) });
  profiles.push({ name: 'creator painter', ...(await get('/v1/creators/painter/profile')) });
  assert.deepEqual(citationsIn(lists, profiles, 'burger', BURGER_CAPTION.slice(0, 12)), {
    because: [],
    quoted: [],
    examples: [],
  });
  await app.close();
  await engine.close();
});

test('a new reason for a hidden item is audited with its actor; the same change again is not', async () => {
  const clock = createClock();
  const engine = await openEngine(':memory:', { now: clock.now });
  await engine.putItem('clip', { tags: ['tech'] });
  await engine.patchItem('clip', { visibility: 'hidden', reason: 'spam' }, { actor: 'filter' });
  clock.advance(1_000);
  await engine.patchItem(
    'clip',
    { visibility: 'hidden', reason: 'spam again', actor: 'alice' },
    { actor: 'trust' },
  );
  // A client's retry of the same change adds nothing.
  await engine.patchItem(
    'clip',
    { visibility: 'hidden', reason: 'spam again', actor: 'alice' },
    { actor: 'trust' },
  );
  clock.advance(1_000);
  await engine.patchItem('clip', { visibility: 'visible', reason: 'appeal granted' }, { actor: 'bob' });
  assert.deepEqual(
    (await engine.itemAudit('clip')).map((a) => [a.action, a.actor, a.reason]),
    [
      ['hide', 'filter', 'spam'],
      ['hide', 'trust (for alice)', 'spam again'],
      ['restore', 'bob', 'appeal granted'],
    ],
  );
  await engine.close();
});
