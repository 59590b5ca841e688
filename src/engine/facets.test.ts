import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createClock, openEngine, tempDbPath } from '../../test/helpers.js';
import type { EventInput, EventType, ItemId, UserId } from '../types.js';
import { DEFAULT_ENGINE_CONFIG } from './config.js';
import { FacetIndex } from './facets.js';
import { OnlineState } from './online-state.js';

const DAY = 24 * 3600 * 1000;

/** The persona lock-in story of PRODUCT.md: mostly beauty, then a recent burst of retro games. */
async function beautyVlogger() {
  const clock = createClock();
  const engine = await openEngine(':memory:', { now: clock.now });
  const items = [];
  const topics = [
    { key: 'beauty', tags: ['美妆', 'makeup'] },
    { key: 'game', tags: ['复古游戏', 'retrogaming'] },
    { key: 'food', tags: ['美食', 'food'] },
  ];
  for (const t of topics) {
    for (let k = 0; k < 60; k++) {
      items.push({
        id: `${t.key}-${k}`,
        creatorId: `${t.key}-creator-${k % 12}`,
        tags: t.tags,
        caption: `${t.tags[0]} ${k}`,
        createdAt: clock.now() - 30 * DAY,
      });
    }
  }
  await engine.putItems({ items });
  const events: EventInput[] = [];
  for (let k = 0; k < 20; k++) {
    events.push({
      userId: 'vlogger',
      itemId: `beauty-${k}`,
      type: 'view',
      watchRatio: 0.9,
      at: clock.now() - (3 - k * 0.1) * DAY,
    });
  }
  for (let k = 0; k < 8; k++) {
    events.push({
      userId: 'vlogger',
      itemId: `game-${k}`,
      type: 'view',
      watchRatio: 0.9,
      at: clock.now() - (0.5 - k * 0.05) * DAY,
    });
  }
  await engine.ingest({ events });
  return { engine, clock };
}

test('20 beauty views and 8 later game views make two facets weighted about 0.7 and 0.3', async () => {
  const { engine } = await beautyVlogger();
  const { facets } = await engine.profile('vlogger');
  assert.equal(facets.length, 2);
  assert.deepEqual(facets[0]!.tags.slice(0, 2), ['makeup', '美妆']);
  assert.deepEqual(facets[1]!.tags.slice(0, 2), ['retrogaming', '复古游戏']);
  assert.ok(Math.abs(facets[0]!.weight - 0.7) < 0.08, `beauty weight ${facets[0]!.weight}`);
  assert.ok(Math.abs(facets[1]!.weight - 0.3) < 0.08, `game weight ${facets[1]!.weight}`);
  assert.ok(facets[0]!.examples.every((id) => id.startsWith('beauty-')));
});

test('the next feed holds both facets in roughly their proportion, each with its facet named', async () => {
  const { engine } = await beautyVlogger();
  const { items } = await engine.feed('vlogger', 20);
  const beauty = items.filter((i) => i.itemId.startsWith('beauty-')).length;
  const games = items.filter((i) => i.itemId.startsWith('game-')).length;
  assert.ok(beauty >= 11 && beauty <= 17, `beauty ${beauty}`);
  assert.ok(games >= 4 && games <= 8, `games ${games}`);
  const reason = items.find((i) => i.itemId.startsWith('game-'))!.reason;
  assert.equal(reason.source, 'facet');
  assert.match(reason.facet ?? '', /retrogaming/);
  assert.ok((reason.because ?? []).every((id) => id.startsWith('game-')));
});

test('an item of another topic co-watched with a facet is not said to be from that facet', async () => {
  const clock = createClock();
  const engine = await openEngine(':memory:', { now: clock.now });
  const items = [];
  for (let k = 0; k < 24; k++)
    items.push({ id: `beauty-${k}`, creatorId: `b${k % 6}`, tags: ['美妆', 'makeup'], caption: `美妆 ${k}` });
  items.push({ id: 'hike', creatorId: 'hiker', tags: ['徒步', 'hiking'], caption: '徒步 第1期' });
  await engine.putItems({ items });
  const events: EventInput[] = [];
  for (let k = 0; k < 20; k++) events.push({ userId: 'vlogger', itemId: `beauty-${k}`, type: 'like' });
  // Fifteen other viewers liked the same beauty items, then the hiking clip.
  for (let v = 0; v < 15; v++) {
    for (let k = 0; k < 20; k++) events.push({ userId: `viewer-${v}`, itemId: `beauty-${k}`, type: 'like' });
    events.push({ userId: `viewer-${v}`, itemId: 'hike', type: 'like' });
  }
  await engine.ingest({ events });
  const { items: feed } = await engine.feed('vlogger', 10);
  const hike = feed.find((i) => i.itemId === 'hike');
  assert.ok(hike !== undefined, feed.map((i) => i.itemId).join());
  assert.equal(hike.reason.source, 'co-occurrence');
  assert.equal(hike.reason.facet, undefined);
  assert.ok((hike.reason.because ?? []).every((id) => id.startsWith('beauty-')));
  assert.match(hike.reason.text, /^看过「美妆 \d+」等3个视频的人也在看$/);
  // The beauty items beside it are from the beauty facet.
  const beauty = feed.find((i) => i.itemId.startsWith('beauty-'))!;
  assert.equal(beauty.reason.source, 'facet');
  assert.match(beauty.reason.facet ?? '', /makeup/);
  await engine.close();
});

test('a facet named after its medoid’s caption is named after a visible member once the medoid is hidden', async () => {
  const clock = createClock();
  const engine = await openEngine(':memory:', { now: clock.now });
  await engine.putItems({
    items: Array.from({ length: 4 }, (_, k) => ({
      id: `clip-${k}`,
      creatorId: `c${k}`,
      caption: `clip ${k}`,
    })),
  });
  // Untagged clips that the same fifteen viewers and `u` liked: one facet, named by its medoid.
  const events: EventInput[] = [];
  for (const userId of ['u', ...Array.from({ length: 15 }, (_, v) => `viewer-${v}`)])
    for (let k = 0; k < 4; k++) events.push({ userId, itemId: `clip-${k}`, type: 'like' });
  await engine.ingest({ events });
  const [before] = (await engine.profile('u')).facets;
  const medoid = before!.examples[0]!;
  assert.equal(before!.label, `clip ${medoid.slice(-1)}`);
  await engine.patchItem(medoid, { visibility: 'hidden', reason: 'takedown' });
  const [after] = (await engine.profile('u')).facets;
  assert.ok(!after!.examples.includes(medoid));
  assert.notEqual(after!.label, before!.label);
  assert.match(after!.label, /^clip \d$/);
  await engine.close();
});

test('after muting the game facet no game item appears, and unmuting brings them back', async () => {
  const { engine } = await beautyVlogger();
  const { facets } = await engine.profile('vlogger');
  const games = facets.find((f) => f.tags.includes('复古游戏'))!;
  const muted = await engine.patchProfile('vlogger', { mute: [games.id] });
  assert.equal(muted.facets.find((f) => f.id === games.id)?.muted, true);
  const feed = await engine.feed('vlogger', 50);
  assert.equal(feed.items.filter((i) => i.itemId.startsWith('game-')).length, 0);
  await engine.patchProfile('vlogger', { unmute: [games.id] });
  const again = await engine.feed('vlogger', 20);
  assert.ok(again.items.some((i) => i.itemId.startsWith('game-')));
});

test('a new user who declares 美妆 gets beauty items first, with a declared reason', async () => {
  const { engine } = await beautyVlogger();
  await engine.patchProfile('newbie', { declare: [{ tag: '美妆', weight: 1 }] });
  const { items } = await engine.feed('newbie', 10);
  assert.ok(
    items.slice(0, 8).every((i) => i.itemId.startsWith('beauty-')),
    items.map((i) => i.itemId).join(),
  );
  assert.equal(items[0]!.reason.source, 'declared');
  assert.match(items[0]!.reason.text, /美妆/);
});

test("a not_interested event lowers the weight of that item's facet at once", async () => {
  const { engine } = await beautyVlogger();
  const before = (await engine.profile('vlogger')).facets.find((f) => f.tags.includes('复古游戏'))!.weight;
  await engine.ingest({
    events: [
      { userId: 'vlogger', itemId: 'game-30', type: 'not_interested' },
      { userId: 'vlogger', itemId: 'game-31', type: 'not_interested' },
    ],
  });
  const after =
    (await engine.profile('vlogger')).facets.find((f) => f.tags.includes('复古游戏'))?.weight ?? 0;
  assert.ok(after < before, `${after} < ${before}`);
});

test('a profile patch with nothing in it is rejected', async () => {
  const { engine } = await beautyVlogger();
  await assert.rejects(() => engine.patchProfile('vlogger', {}), /at least one of mute, unmute, declare/);
});

test('the profile lists the most recent items first with their signal', async () => {
  const { engine } = await beautyVlogger();
  const { recent } = await engine.profile('vlogger');
  assert.equal(recent.length, 20);
  assert.equal(recent[0]!.itemId, 'game-7');
  assert.ok(recent[0]!.at >= recent[1]!.at);
  assert.equal(recent[0]!.weight, 0.9);
});

/** The beauty vlogger with a longer beauty history: 30 more well-watched beauty views. */
async function longBeautyVlogger(): ReturnType<typeof beautyVlogger> {
  const platform = await beautyVlogger();
  const { engine, clock } = platform;
  const events: EventInput[] = [];
  for (let k = 20; k < 50; k++) {
    events.push({ userId: 'vlogger', itemId: `beauty-${k}`, type: 'view', watchRatio: 0.9, at: clock.now() });
    clock.advance(60_000);
  }
  await engine.ingest({ events });
  return platform;
}

test('after an interest shift, ten views of the new interest while skipping the old make it the top facet', async () => {
  const { engine, clock } = await longBeautyVlogger();
  assert.equal((await engine.profile('vlogger')).facets[0]!.id, 'makeup');
  // The shift: the feed still brings beauty, which is now skipped; the new interest (food) is watched.
  for (let k = 0; k < 10; k++) {
    clock.advance(60_000);
    await engine.ingest({
      events: [
        { userId: 'vlogger', itemId: `food-${k}`, type: 'view', watchRatio: 0.9, at: clock.now() },
        { userId: 'vlogger', itemId: `beauty-${50 + k}`, type: 'skip', at: clock.now() },
      ],
    });
    // Between requests a server's event loop runs the background re-clustering.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const top = (await engine.profile('vlogger')).facets[0]!;
    if (k < 2) assert.equal(top.id, 'makeup', `after ${k + 1} food views`);
  }
  const { facets } = await engine.profile('vlogger');
  assert.equal(facets[0]!.id, 'food', JSON.stringify(facets.map((f) => [f.id, f.weight])));
});

test('once the old interest’s latest items are turned down, five strong views of a new one lead the profile', async () => {
  const { engine, clock } = await longBeautyVlogger();
  const top = async () => (await engine.profile('vlogger')).facets[0]!.id;
  // Beauty is now watched only a third of the way; food, the new interest, almost fully.
  for (let k = 0; k < 5; k++) {
    for (const event of [
      { itemId: `beauty-${50 + k}`, type: 'view', watchRatio: 0.3 },
      { itemId: `food-${k}`, type: 'view', watchRatio: 0.95 },
    ] as const) {
      clock.advance(60_000);
      await engine.ingest({ events: [{ userId: 'vlogger', ...event, at: clock.now() }] });
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (k < 2) assert.equal(await top(), 'makeup', `after ${k + 1} food views`);
  }
  const { facets } = await engine.profile('vlogger');
  assert.equal(facets[0]!.id, 'food', JSON.stringify(facets.map((f) => [f.id, f.weight])));
});

test('three views of a new interest show in the very next profile, before any re-clustering', async () => {
  const { engine, clock } = await beautyVlogger();
  assert.deepEqual(
    (await engine.profile('vlogger')).facets.map((f) => f.id),
    ['makeup', 'retrogaming'],
  );
  const events: EventInput[] = [];
  for (let k = 0; k < 3; k++) {
    clock.advance(60_000);
    events.push({ userId: 'vlogger', itemId: `food-${k}`, type: 'view', watchRatio: 0.9, at: clock.now() });
  }
  await engine.ingest({ events });
  // No turn of the event loop in between: the background re-clustering has not run.
  const food = (await engine.profile('vlogger')).facets.find((f) => f.tags.includes('美食'));
  assert.ok(food?.examples.every((id) => id.startsWith('food-')));
});

test('right after a drop in engagement, three liked items of a new interest lead the profile', async () => {
  const { engine, clock } = await beautyVlogger();
  const ingest = async (itemId: string, type: EventType, watchRatio?: number) => {
    clock.advance(60_000);
    const event = { userId: 'vlogger', itemId, type, at: clock.now() };
    await engine.ingest({ events: [watchRatio === undefined ? event : { ...event, watchRatio }] });
    await new Promise<void>((resolve) => setImmediate(resolve));
  };
  for (let k = 20; k < 50; k++) await ingest(`beauty-${k}`, 'view', 0.9);
  // Beauty is not turned down, but everything else is skipped: well below the user's norm.
  for (let k = 10; k < 20; k++) await ingest(`game-${k}`, 'skip');
  assert.equal((await engine.profile('vlogger')).facets[0]!.id, 'makeup');
  for (let k = 0; k < 3; k++) await ingest(`food-${k}`, 'like');
  const { facets } = await engine.profile('vlogger');
  assert.equal(facets[0]!.id, 'food', JSON.stringify(facets.map((f) => [f.id, f.weight])));
});

test('at most maxUsers clusterings are kept, and a dropped user is clustered again as on a first call', () => {
  const state = new OnlineState(DEFAULT_ENGINE_CONFIG);
  const t0 = Date.UTC(2026, 0, 1);
  const topics = ['beauty', 'game', 'food'];
  for (const topic of topics) {
    for (let k = 0; k < 10; k++) {
      state.upsertItem({
        id: `${topic}-${k}` as ItemId,
        creatorId: `${topic}-creator` as never,
        tags: [topic],
        createdAt: t0,
        updatedAt: t0,
        visibility: 'visible',
      });
    }
  }
  let seq = 0;
  for (let u = 0; u < 3; u++) {
    // Each user watches two topics: two facets each.
    for (const topic of [topics[u]!, topics[(u + 1) % 3]!]) {
      for (let k = 0; k < 6; k++) {
        state.apply({
          userId: `u${u}` as UserId,
          itemId: `${topic}-${k}` as ItemId,
          type: 'view',
          watchRatio: 0.9,
          at: t0 + ++seq * 1000,
          seq,
        });
      }
    }
  }
  const nowMs = t0 + 3600_000;
  const bounded = new FacetIndex(state, DEFAULT_ENGINE_CONFIG, 2);
  const first = [0, 1, 2].map((u) => bounded.facets(state.users.get(`u${u}`), nowMs, []));
  assert.equal(bounded.cachedUsers, 2);
  assert.ok(first.every((f) => f.length === 2));
  // u0 was dropped (least recently served): asked again, its facets are those of a fresh index.
  const again = bounded.facets(state.users.get('u0'), nowMs, []);
  const fresh = new FacetIndex(state, DEFAULT_ENGINE_CONFIG).facets(state.users.get('u0'), nowMs, []);
  assert.deepEqual(again, fresh);
  assert.deepEqual(again, first[0]);
  assert.equal(bounded.cachedUsers, 2);
});

/** Items of two topics, facet 0 beauty and facet 1 game; `mixed` carries a beauty tag and is co-watched with game-0. */
function twoFacetState() {
  const state = new OnlineState(DEFAULT_ENGINE_CONFIG);
  const t0 = Date.UTC(2026, 0, 1);
  const put = (id: string, tags: string[]) =>
    state.upsertItem({
      id: id as ItemId,
      creatorId: 'creator' as never,
      tags,
      createdAt: t0,
      updatedAt: t0,
      visibility: 'visible',
    });
  for (let k = 0; k < 3; k++) {
    put(`beauty-${k}`, ['beauty', 'makeup']);
    put(`game-${k}`, ['game', 'retro']);
  }
  put('mixed', ['beauty', 'cooking', 'travel', 'music']);
  let seq = 0;
  for (let u = 0; u < 30; u++) {
    for (const item of ['game-0', 'mixed']) {
      state.apply({
        userId: `u${u}` as UserId,
        itemId: item as ItemId,
        type: 'view',
        watchRatio: 0.9,
        at: t0 + ++seq * 1000,
        seq,
      });
    }
  }
  const facet = (topic: string, tags: string[]) => ({
    id: topic,
    label: topic,
    tags,
    weight: 0.5,
    muted: false,
    medoid: state.items.get(`${topic}-0`),
    members: [state.items.get(`${topic}-0`)],
  });
  const facets = [facet('beauty', ['beauty', 'makeup']), facet('game', ['game', 'retro'])];
  const index = new FacetIndex(state, DEFAULT_ENGINE_CONFIG);
  let rowReads = 0;
  const co = state.cooccurrence as { similaritiesTo: OnlineState['cooccurrence']['similaritiesTo'] };
  const read = co.similaritiesTo;
  co.similaritiesTo = (item, targets, out) => {
    rowReads++;
    read(item, targets, out);
  };
  return { state, facets, index, rowReads: () => rowReads };
}

test('an item whose tags are the first facet’s joins it without reading its co-occurrence row', () => {
  const { state, facets, index, rowReads } = twoFacetState();
  assert.equal(index.nearestFacet(state.items.get('beauty-2'), facets, 0.3), 0);
  assert.equal(rowReads(), 0);
});

test('an item the first facet’s tags do not settle joins the facet whose medoid it is co-watched with', () => {
  const { state, facets, index, rowReads } = twoFacetState();
  // Tags alone: 1 of 5 in common with beauty (0.32 of its medoid's bag); co-watched by 30 users with game-0.
  assert.equal(index.nearestFacet(state.items.get('mixed'), facets, 0.3), 1);
  assert.equal(index.nearestFacet(state.items.get('game-1'), facets, 0.3), 1);
  assert.equal(rowReads(), 2);
});

/** `index`'s reads of item co-occurrence rows one pair at a time (`similarity`), counted. */
function countPairReads(state: OnlineState): () => number {
  let reads = 0;
  const co = state.cooccurrence as { similarity: OnlineState['cooccurrence']['similarity'] };
  const read = co.similarity;
  co.similarity = (a, b) => {
    reads++;
    return read(a, b);
  };
  return () => reads;
}

test('two items with the same tags are similar at 1 without reading a co-occurrence row', () => {
  const { state, index } = twoFacetState();
  const reads = countPairReads(state);
  assert.equal(index.similarity(state.items.get('beauty-1'), state.items.get('beauty-2')), 1);
  assert.equal(reads(), 0);
  // No tag in common, co-watched by the same 30 users: co-occurrence decides, from the row.
  assert.ok(index.similarity(state.items.get('mixed'), state.items.get('game-0')) > 0.5);
  assert.equal(reads(), 1);
});

test('a user’s items already in a facet join it without a similarity to the other facets', () => {
  const state = new OnlineState(DEFAULT_ENGINE_CONFIG);
  const t0 = Date.UTC(2026, 0, 1);
  let seq = 0;
  for (const [topic, tags] of [
    ['beauty', ['beauty', 'makeup']],
    ['game', ['game', 'retro']],
  ] as const) {
    for (let k = 0; k < 6; k++) {
      const id = `${topic}-${k}` as ItemId;
      state.upsertItem({ id, tags: [...tags], createdAt: t0, updatedAt: t0, visibility: 'visible' });
      state.apply({ userId: 'u' as UserId, itemId: id, type: 'view', watchRatio: 0.9, at: t0 + ++seq, seq });
    }
  }
  const index = new FacetIndex(state, DEFAULT_ENGINE_CONFIG);
  const u = state.users.get('u');
  const first = index.facets(u, t0 + 3600_000, []);
  assert.deepEqual(
    first.map((f) => f.members.length),
    [6, 6],
  );
  // The second call finds every item in its cached cluster: the lighter facet's six items no longer
  // read their similarity to the heavier facet's medoid (tags apart, so each would read a row).
  const reads = countPairReads(state);
  assert.deepEqual(index.facets(u, t0 + 3600_000, []), first);
  assert.equal(reads(), 0);
});

test('a declared interest gets its share of the very next feed, spread through it, and the facets keep theirs', async () => {
  const { engine } = await beautyVlogger();
  const topicOf = (id: string) => id.split('-')[0]!;
  const count = (ids: string[], topic: string) => ids.filter((id) => topicOf(id) === topic).length;
  const before = (await engine.feed('vlogger', 20)).items.map((i) => i.itemId);
  assert.ok(count(before, 'beauty') > count(before, 'game'), `beauty leads: ${before}`);
  await engine.patchProfile('vlogger', { declare: [{ tag: '美食', weight: 1 }] });
  const after = (await engine.feed('vlogger', 20)).items;
  const ids = after.map((i) => i.itemId);
  // A declaration of weight 1 asks for 30% of the calibrated page (here 5 of 20, by the KL trade);
  // exploration's slots replace picks of every group alike. Before: 1 food item.
  assert.ok(count(ids, 'food') >= 4, `food, declared: ${ids}`);
  assert.ok(count(ids.slice(0, 10), 'food') >= 2, `food in the first page half too: ${ids}`);
  assert.ok(count(ids, 'beauty') > count(ids, 'game'), `beauty still leads the facets: ${ids}`);
  for (const item of after.filter((i) => topicOf(i.itemId) === 'food')) {
    assert.equal(item.reason.source, 'declared', `${item.itemId}: ${item.reason.text}`);
    assert.match(item.reason.text, /美食/);
  }
});

test("a restarted engine's facets and recent items equal the live engine's when a batch's events share one time", async () => {
  const clock = createClock();
  const path = tempDbPath('facet-ties');
  const live = await openEngine(path, { now: clock.now, cooccurrenceThread: false });
  // Created in the reverse of id order: the live engine numbers them so, a restart in id order.
  const items = [];
  for (const topic of ['banana', 'apple']) {
    for (let k = 5; k >= 0; k--)
      items.push({ id: `${topic}-${k}`, tags: [topic], createdAt: clock.now() - DAY });
  }
  await live.putItems({ items });
  // One batch without times: every event gets the same one.
  const events: EventInput[] = [];
  for (const topic of ['apple', 'banana']) {
    for (let k = 0; k < 6; k++)
      events.push({ userId: 'u', itemId: `${topic}-${k}`, type: 'view', watchRatio: 0.9 });
  }
  await live.ingest({ events });
  const seen = async (engine: typeof live) => {
    const profile = await engine.profile('u');
    return {
      facets: profile.facets.map((f) => [f.id, f.weight]),
      recent: profile.recent.map((r) => r.itemId),
    };
  };
  const before = await seen(live);
  await live.close();
  const restarted = await openEngine(path, { now: clock.now, cooccurrenceThread: false });
  try {
    assert.equal(before.facets.length, 2);
    // The batch's later events count as the newer ones: bananas after apples.
    assert.equal(before.recent[0], 'banana-5');
    assert.deepEqual(await seen(restarted), before);
  } finally {
    await restarted.close();
  }
});
