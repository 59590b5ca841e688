import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createClock, openEngine } from '../../test/helpers.js';
import { createRandom } from '../core/random.js';
import type { EventInput, ItemId, UserId } from '../types.js';
import type { EngineConfig } from './config.js';
import { DEFAULT_ENGINE_CONFIG } from './config.js';
import { planExploration } from './exploration.js';
import { OnlineState } from './online-state.js';

const HOUR = 3600_000;

/** Puts a visible item without tags, created and updated at `at`, straight into the online state. */
function upsertAt(
  state: OnlineState,
  at: number,
  fields: { id: string; category: string; creatorId?: string },
): number {
  return state.upsertItem({
    id: fields.id as ItemId,
    ...(fields.creatorId === undefined ? {} : { creatorId: fields.creatorId as never }),
    category: fields.category,
    tags: [],
    createdAt: at,
    updatedAt: at,
    visibility: 'visible',
  });
}

/** 30 well-exposed cat items, 6 unexposed cat items, 6 unexposed dog items, all a week old. */
async function platform(config: Partial<EngineConfig> = {}, seed = 1) {
  const clock = createClock();
  const engine = await openEngine(':memory:', { now: clock.now, config, random: createRandom(seed) });
  const old = clock.now() - 7 * 24 * HOUR;
  const items = [];
  for (let k = 0; k < 30; k++)
    items.push({ id: `cat${k}`, creatorId: `c${k}`, tags: ['cats'], createdAt: old });
  for (let k = 0; k < 6; k++)
    items.push({ id: `newcat${k}`, creatorId: `n${k}`, tags: ['cats'], createdAt: old });
  for (let k = 0; k < 6; k++)
    items.push({ id: `newdog${k}`, creatorId: `d${k}`, tags: ['dogs'], createdAt: old });
  await engine.putItems({ items });
  const events: EventInput[] = [];
  for (let k = 0; k < 30; k++) {
    for (let v = 0; v < 60; v++) events.push({ userId: `viewer${v}`, itemId: `cat${k}`, type: 'impression' });
    events.push({ userId: `fan${k}`, itemId: `cat${k}`, type: 'like' });
  }
  await engine.ingest({ events });
  await engine.ingest({ events: [{ userId: 'u', itemId: 'cat0', type: 'like' }] });
  return { engine, clock };
}

test('exploration slots go to little-exposed items in the user’s tags, flagged and explained', async () => {
  const { engine } = await platform({ exploration: { ...DEFAULT_ENGINE_CONFIG.exploration, openShare: 0 } });
  const feed = (await engine.feed('u', 20)).items;
  const explored = feed.filter((i) => i.reason.exploration);
  assert.equal(explored.length, 2);
  for (const item of explored) {
    assert.match(item.itemId, /^newcat/);
    assert.equal(item.reason.source, 'similar-tags');
    assert.deepEqual(item.reason.because, ['cat0']);
    assert.match(item.reason.text, /^Trying something new/);
  }
  assert.ok(!feed.some((i) => i.itemId.startsWith('newdog') && i.reason.exploration));
  assert.equal(engine.explorationAudit().impressions, 2);
});

test('with an open share, some of a user’s exploration reaches beyond their tags', async () => {
  const { engine, clock } = await platform({
    exploration: { ...DEFAULT_ENGINE_CONFIG.exploration, openShare: 0.5, maxPerUserPerHour: 1_000 },
  });
  const explored: string[] = [];
  for (let k = 0; k < 40; k++) {
    // A new quarter hour each time: the same request within one explores the same way.
    clock.advance(HOUR / 4);
    for (const item of (await engine.feed('u', 20)).items)
      if (item.reason.exploration) explored.push(item.itemId);
  }
  // Half the slots are open, and half of the open pool is outside the user's tags: about 20 of 80.
  const outside = explored.filter((id) => id.startsWith('newdog')).length;
  assert.equal(explored.length, 80);
  assert.ok(outside >= 8 && outside <= 36, `${outside} of 80 outside the user's tags`);
});

test('the same feed request gives the same feed until the user’s state changes', async () => {
  const { engine } = await platform({
    exploration: { ...DEFAULT_ENGINE_CONFIG.exploration, openShare: 0.5 },
  });
  const ids = async (user: string) => (await engine.feed(user, 20)).items.map((i) => i.itemId);
  const first = await ids('u');
  // Other users' requests in between draw from their own streams, not from u's.
  for (let k = 0; k < 5; k++) await ids(`other${k}`);
  assert.deepEqual(await ids('u'), first);
  // After an event of u's the feed is drawn afresh: the watched item is gone, exploration redrawn.
  await engine.ingest({ events: [{ userId: 'u', itemId: first[0]!, type: 'view', watchRatio: 0.9 }] });
  const after = await ids('u');
  assert.ok(!after.includes(first[0]!));
  assert.deepEqual(await ids('u'), after);
});

test('a user with no history explores among little-exposed items of any tag', async () => {
  const { engine } = await platform();
  const seen = new Set<string>();
  for (let k = 0; k < 12; k++) {
    const explored = (await engine.feed(`stranger${k}`, 10)).items.filter((i) => i.reason.exploration);
    assert.equal(explored.length, 1);
    assert.match(explored[0]!.itemId, /^new(cat|dog)/);
    assert.equal(explored[0]!.reason.source, 'fallback');
    seen.add(explored[0]!.itemId.slice(0, 6));
  }
  assert.deepEqual([...seen].sort(), ['newcat', 'newdog']);
});

test('a feed explores at most floor(n * share) slots, and none below ten items at 10%', async () => {
  const { engine } = await platform({
    exploration: { ...DEFAULT_ENGINE_CONFIG.exploration, share: 0.25, maxPerUserPerHour: 100 },
  });
  const wide = (await engine.feed('u', 20)).items.filter((i) => i.reason.exploration);
  assert.equal(wide.length, 5);
  const defaults = await platform();
  const small = (await defaults.engine.feed('u', 9)).items.filter((i) => i.reason.exploration);
  assert.equal(small.length, 0);
});

test('a user’s explored impressions are bounded per hour, and resume after the hour', async () => {
  const { engine, clock } = await platform({
    exploration: { ...DEFAULT_ENGINE_CONFIG.exploration, maxPerUserPerHour: 3 },
  });
  let explored = 0;
  for (let k = 0; k < 6; k++) {
    explored += (await engine.feed('u', 20)).items.filter((i) => i.reason.exploration).length;
  }
  assert.equal(explored, 3);
  clock.advance(4 * HOUR);
  const later = (await engine.feed('u', 20)).items.filter((i) => i.reason.exploration);
  assert.equal(later.length, 2);
  assert.equal(engine.explorationAudit().impressions, 5);
});

test('with an exploration share of 0 a full feed never explores', async () => {
  const clock = createClock();
  const off = await openEngine(':memory:', {
    now: clock.now,
    config: { exploration: { ...DEFAULT_ENGINE_CONFIG.exploration, share: 0 } },
  });
  await off.putItems({ items: Array.from({ length: 30 }, (_, k) => ({ id: `i${k}` })) });
  const feed = (await off.feed('u', 20)).items;
  assert.equal(feed.length, 20);
  assert.ok(feed.every((i) => !i.reason.exploration));
});

test('popularity alone fills at most maxPopularShare of a feed when personal candidates exist', async () => {
  const build = async (maxPopularShare: number) => {
    const clock = createClock();
    const engine = await openEngine(':memory:', {
      now: clock.now,
      config: { maxPopularShare, exploration: { ...DEFAULT_ENGINE_CONFIG.exploration, share: 0 } },
    });
    const items = [];
    for (let k = 0; k < 20; k++)
      items.push({ id: `hit${k}`, creatorId: `h${k}`, createdAt: clock.now() - 99 * HOUR });
    for (let k = 0; k < 6; k++)
      items.push({ id: `niche${k}`, creatorId: `n${k}`, createdAt: clock.now() - 99 * HOUR });
    for (let k = 0; k < 10; k++)
      items.push({ id: `new${k}`, creatorId: `f${k}`, createdAt: clock.now() - HOUR });
    await engine.putItems({ items });
    const events: EventInput[] = [];
    for (let k = 0; k < 20; k++)
      for (let f = 0; f < 20; f++) events.push({ userId: `crowd${f}`, itemId: `hit${k}`, type: 'share' });
    for (let f = 0; f < 3; f++)
      for (let k = 0; k < 6; k++)
        events.push({ userId: `nerd${f}`, itemId: `niche${k}`, type: 'view', watchRatio: 1 });
    await engine.ingest({ events });
    await engine.ingest({ events: [{ userId: 'u', itemId: 'niche0', type: 'view', watchRatio: 1 }] });
    return (await engine.feed('u', 10)).items.filter((i) => i.reason.source === 'popular').length;
  };
  assert.equal(await build(1), 5);
  assert.equal(await build(0.3), 3);
});

/**
 * `perTag` week-old items in each tag, each liked by its own fan (so every tag has well-liked items),
 * then `events` on top; exploration stays within the user's tags except for discovery.
 */
async function taggedPlatform(tags: readonly string[], perTag: number, seed: number, events: EventInput[]) {
  const config = { exploration: { ...DEFAULT_ENGINE_CONFIG.exploration, openShare: 0 } };
  const clock = createClock();
  const engine = await openEngine(':memory:', { now: clock.now, config, random: createRandom(seed) });
  const old = clock.now() - 7 * 24 * HOUR;
  const items = [];
  const fans: EventInput[] = [];
  for (const tag of tags) {
    for (let k = 0; k < perTag; k++) {
      items.push({ id: `${tag}${k}`, creatorId: `${tag}-c${k}`, tags: [tag], createdAt: old });
      fans.push({ userId: `fan-${tag}${k}`, itemId: `${tag}${k}`, type: 'like' });
    }
  }
  await engine.putItems({ items });
  await engine.ingest({ events: [...fans, ...events] });
  const explored = async (userId: string) =>
    (await engine.feed(userId, 10)).items.filter((i) => i.reason.exploration).map((i) => i.itemId);
  const feed = async (userId: string) => {
    clock.advance(HOUR / 4);
    return (await engine.feed(userId, 10)).items;
  };
  const ingest = async (more: EventInput[]) => {
    await engine.ingest({ events: more });
  };
  return { engine, explored, feed, ingest };
}

test('a user who stops engaging is explored wider, among well-liked items of tags they have not engaged with', async () => {
  const events: EventInput[] = [];
  for (let k = 0; k < 12; k++) {
    // Both liked cats once; then `bored` skips the cat videos served, `happy` keeps watching them.
    events.push({ userId: 'bored', itemId: `cats${k}`, type: k < 2 ? 'like' : 'skip' });
    events.push({ userId: 'happy', itemId: `cats${k}`, type: 'view', watchRatio: 0.9 });
  }
  const { explored } = await taggedPlatform(['cats', 'dogs', 'birds', 'fish'], 30, 3, events);
  const bored = await explored('bored');
  const happy = await explored('happy');
  // 40% of 10 slots while discovering, 10% otherwise; discovery looks outside the user's tags.
  assert.equal(bored.length, 4);
  assert.equal(happy.length, 1);
  const outside = bored.filter((id) => !id.startsWith('cats'));
  assert.equal(outside.length, 3);
  assert.equal(new Set(outside.map((id) => id.replace(/\d+$/, ''))).size, 3, 'one discovered item per tag');
  assert.ok(happy.every((id) => id.startsWith('cats')));
});

test('a drop in engagement below the user’s own norm starts discovery, even above the absolute threshold', async () => {
  // Both loved 40 cat videos; then `shifting` skips the next 7 (a recent rate near 0.48 against a norm
  // near 0.67), while `steady` skips 2 (near 0.80 against 0.75).
  const events: EventInput[] = [];
  for (let k = 0; k < 40; k++) {
    events.push({ userId: 'shifting', itemId: `cats${k}`, type: 'like' });
    events.push({ userId: 'steady', itemId: `cats${k}`, type: 'like' });
  }
  for (let k = 40; k < 47; k++) events.push({ userId: 'shifting', itemId: `cats${k}`, type: 'skip' });
  for (let k = 40; k < 42; k++) events.push({ userId: 'steady', itemId: `cats${k}`, type: 'skip' });
  const { explored } = await taggedPlatform(['cats', 'dogs', 'birds'], 60, 5, events);
  const shifting = await explored('shifting');
  assert.equal(shifting.length, 3);
  assert.equal(shifting.filter((id) => !id.startsWith('cats')).length, 2);
  assert.equal((await explored('steady')).length, 1);
});

/**
 * Week-old cat and dog items the crowd likes alike, plus `newcat` and `newdog` (just posted, or a week
 * old with `fresh` false); `u` watches cats and skips dogs, `v` the other way round. Returns how often
 * each user's open exploration picks a cat item and a dog item, never-shown ones only, over 40 feeds.
 */
async function catOrDog(fresh: boolean): Promise<{ u: number[]; v: number[] }> {
  const config = {
    exploration: { ...DEFAULT_ENGINE_CONFIG.exploration, openShare: 1, maxPerUserPerHour: 1_000 },
  };
  const clock = createClock();
  const engine = await openEngine(':memory:', { now: clock.now, config, random: createRandom(7) });
  const old = clock.now() - 7 * 24 * HOUR;
  const items = [];
  for (const tag of ['cats', 'dogs'])
    for (let k = 0; k < 20; k++)
      items.push({ id: `${tag}${k}`, creatorId: `${tag}-c${k}`, tags: [tag], createdAt: old });
  const createdAt = fresh ? clock.now() : old;
  items.push({ id: 'newcat', creatorId: 'nc', tags: ['cats'], createdAt });
  items.push({ id: 'newdog', creatorId: 'nd', tags: ['dogs'], createdAt });
  await engine.putItems({ items });
  const events: EventInput[] = [];
  for (let k = 0; k < 20; k++) {
    for (const tag of ['cats', 'dogs'])
      events.push({ userId: `fan${k}`, itemId: `${tag}${k}`, type: 'like' });
    if (k >= 10) continue;
    events.push({ userId: 'u', itemId: `cats${k}`, type: 'view', watchRatio: 0.9 });
    events.push({ userId: 'u', itemId: `dogs${k}`, type: 'skip' });
    events.push({ userId: 'v', itemId: `dogs${k}`, type: 'view', watchRatio: 0.9 });
    events.push({ userId: 'v', itemId: `cats${k}`, type: 'skip' });
  }
  await engine.ingest({ events });
  const explored = { u: [0, 0], v: [0, 0] };
  for (let k = 0; k < 40; k++) {
    // A new quarter hour: a new draw.
    clock.advance(HOUR / 4);
    for (const user of ['u', 'v'] as const) {
      for (const item of (await engine.feed(user, 10)).items) {
        if (item.reason.exploration) explored[user][item.itemId.includes('cat') ? 0 : 1]!++;
      }
    }
  }
  return explored;
}

test('a new item is explored first with users who have taken to its category', async () => {
  const { u, v } = await catOrDog(true);
  assert.ok(u[0]! >= 28 && u[1]! <= 10, `u: new cat explored ${u[0]} times, new dog ${u[1]}`);
  assert.ok(v[1]! >= 28 && v[0]! <= 10, `v: new dog explored ${v[1]} times, new cat ${v[0]}`);
});

test('an old little-exposed item is explored less with users who lately turned down its category', async () => {
  const { u, v } = await catOrDog(false);
  assert.ok(u[0]! > u[1]!, `u: cat items explored ${u[0]} times, dog items ${u[1]}`);
  assert.ok(v[1]! > v[0]!, `v: dog items explored ${v[1]} times, cat items ${v[0]}`);
});

/** `user` loved 40 cat videos, then skipped 8: their main interest is fading, discovery is on. */
function fadingCatLover(user: string): EventInput[] {
  const events: EventInput[] = [];
  for (let k = 0; k < 40; k++) events.push({ userId: user, itemId: `cats${k}`, type: 'like' });
  for (let k = 40; k < 48; k++) events.push({ userId: user, itemId: `cats${k}`, type: 'skip' });
  return events;
}

test('while discovering, a category the user just took up is followed up in a discovery slot', async () => {
  const tags = ['cats', 'dogs', 'birds', 'fish', 'ants'];
  const events: EventInput[] = [...fadingCatLover('u'), { userId: 'u', itemId: 'dogs0', type: 'like' }];
  const { feed } = await taggedPlatform(tags, 60, 11, events);
  for (let k = 0; k < 3; k++) {
    const discovered = (await feed('u')).filter(
      (i) => i.reason.exploration && i.reason.because === undefined,
    );
    assert.equal(discovered.length, 3);
    assert.ok(
      discovered.some((i) => i.itemId.startsWith('dogs')),
      discovered.map((i) => i.itemId).join(),
    );
  }
});

test('a discovered item says it is something new for the user, never that they declared it', async () => {
  const tags = ['cats', 'dogs', 'birds', 'fish', 'ants'];
  const { feed } = await taggedPlatform(tags, 60, 11, fadingCatLover('u'));
  const items = await feed('u');
  const discovered = items.filter((i) => i.reason.exploration && i.reason.because === undefined);
  assert.equal(discovered.length, 3);
  for (const item of discovered) {
    const tag = item.itemId.replace(/\d+$/, '');
    assert.equal(item.reason.source, 'discovery');
    assert.equal(item.reason.text, `Something new for you: “${tag}”`);
  }
  // `u` declared nothing: no reason may say otherwise.
  assert.deepEqual(
    items.filter((i) => i.reason.source === 'declared' || /said you like/.test(i.reason.text)),
    [],
  );
});

test('an item explored in a tag the user declared says so', async () => {
  const { engine, feed } = await taggedPlatform(['cats', 'dogs', 'birds'], 30, 11, []);
  await engine.patchProfile('newbie', { declare: [{ tag: 'dogs', weight: 1 }] });
  const explored = (await feed('newbie')).filter((i) => i.reason.exploration);
  assert.equal(explored.length, 1);
  assert.match(explored[0]!.itemId, /^dogs/);
  assert.equal(explored[0]!.reason.source, 'declared');
  assert.equal(explored[0]!.reason.text, 'Trying something new: You said you like “dogs”');
});

test('an item explored in a tag cites the user’s newest item of that tag that is not hidden', async () => {
  const events: EventInput[] = [
    { userId: 'u', itemId: 'cats0', type: 'like' },
    { userId: 'u', itemId: 'cats1', type: 'like' },
  ];
  const { engine, feed } = await taggedPlatform(['cats', 'dogs'], 30, 11, events);
  await engine.patchItem('cats1', { visibility: 'hidden', reason: 'takedown' });
  const explored = (await feed('u')).filter((i) => i.reason.exploration);
  assert.equal(explored.length, 1);
  assert.equal(explored[0]!.reason.source, 'similar-tags');
  assert.deepEqual(explored[0]!.reason.because, ['cats0']);
});

test('discovery sweeps categories the user has not been shown lately, three new ones per feed, then starts over', async () => {
  const tags = ['cats', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'];
  const { feed, ingest } = await taggedPlatform(tags, 30, 13, fadingCatLover('u'));
  const swept: string[] = [];
  for (let k = 0; k < 3; k++) {
    const discovered = (await feed('u')).filter(
      (i) => i.reason.exploration && i.reason.because === undefined,
    );
    swept.push(...discovered.map((i) => i.itemId.replace(/\d+$/, '')));
    // The user passes on what was discovered.
    await ingest(discovered.map((i) => ({ userId: 'u', itemId: i.itemId, type: 'skip' })));
  }
  assert.equal(swept.length, 9);
  assert.deepEqual([...new Set(swept)].sort(), ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']);
  // All of them shown lately: the sweep starts over rather than stopping.
  const again = (await feed('u')).filter((i) => i.reason.exploration && i.reason.because === undefined);
  assert.equal(again.length, 3);
});

test('a user who only half-watches their main interest lately is discovering, though still engaged', async () => {
  const events: EventInput[] = [];
  for (let k = 0; k < 40; k++) {
    events.push({ userId: 'tiring', itemId: `cats${k}`, type: 'like' });
    events.push({ userId: 'steady', itemId: `cats${k}`, type: 'like' });
  }
  // Watched just over half: engaged by the rate's measure, but no longer clearly into cats.
  for (let k = 40; k < 48; k++) {
    events.push({ userId: 'tiring', itemId: `cats${k}`, type: 'view', watchRatio: 0.55 });
    events.push({ userId: 'steady', itemId: `cats${k}`, type: 'view', watchRatio: 0.95 });
  }
  const { explored } = await taggedPlatform(['cats', 'dogs', 'birds'], 60, 5, events);
  assert.equal((await explored('tiring')).length, 3);
  assert.equal((await explored('steady')).length, 1);
});

test('a new item in one of the user’s tags is explored in their in-tag slot, however large the tag', async () => {
  const config = { exploration: { ...DEFAULT_ENGINE_CONFIG.exploration, openShare: 0 } };
  const clock = createClock();
  const engine = await openEngine(':memory:', { now: clock.now, config, random: createRandom(17) });
  const old = clock.now() - 7 * 24 * HOUR;
  const items = [];
  const events: EventInput[] = [];
  // 20 small tags and one of 200 items: each tag gets a window of 30 items per feed.
  const sizes = new Map([...Array.from({ length: 20 }, (_, t) => [`t${t}`, 30] as const), ['cats', 200]]);
  for (const [tag, size] of sizes) {
    for (let k = 0; k < size; k++)
      items.push({ id: `${tag}-${k}`, creatorId: `${tag}-c${k}`, tags: [tag], createdAt: old });
    events.push({ userId: 'u', itemId: `${tag}-0`, type: 'view', watchRatio: 0.9 });
  }
  items.push({ id: 'newcat', creatorId: 'nc', tags: ['cats'], createdAt: clock.now() });
  await engine.putItems({ items });
  await engine.ingest({ events });
  let explored = 0;
  for (let k = 0; k < 10; k++) {
    clock.advance(HOUR / 4);
    const feed = (await engine.feed('u', 10)).items;
    if (feed.some((i) => i.itemId === 'newcat' && i.reason.exploration)) explored++;
  }
  assert.ok(explored >= 9, `explored in ${explored} of 10 feeds`);
});

test("an item's exploration prior follows its category after its record is replaced", () => {
  const state = new OnlineState(DEFAULT_ENGINE_CONFIG);
  const t0 = Date.UTC(2026, 10, 1);
  const item = (id: string, category: string) => upsertAt(state, t0, { id, category });
  const liked = item('liked', 'cats');
  const other = item('other', 'cars');
  for (let k = 0; k < 20; k++)
    state.apply({
      userId: `fan${k}` as UserId,
      itemId: 'liked' as ItemId,
      type: 'like',
      at: t0 + k,
      seq: k + 1,
    });
  const before = state.exploration.itemPriorMean(state, other);
  assert.notEqual(state.exploration.categoryOf(state, other), state.exploration.categoryOf(state, liked));
  item('other', 'cats');
  assert.equal(state.exploration.categoryOf(state, other), state.exploration.categoryOf(state, liked));
  assert.ok(state.exploration.itemPriorMean(state, other) > before);
});

test('an item counts one judgement per user, and its prior pools its category and creator with the global rate', () => {
  const state = new OnlineState(DEFAULT_ENGINE_CONFIG);
  const t0 = Date.UTC(2026, 10, 1);
  const item = (id: string, creatorId: string) => upsertAt(state, t0, { id, creatorId, category: 'cats' });
  const a = item('a', 'c1');
  const b = item('b', 'c2');
  let seq = 0;
  const event = (userId: string, type: 'skip' | 'like') =>
    state.apply({ userId: userId as UserId, itemId: 'a' as ItemId, type, at: t0 + seq, seq: ++seq });
  event('u1', 'skip');
  event('u1', 'like');
  event('u2', 'like');
  event('u2', 'like');
  const stats = state.exploration;
  assert.equal(stats.successesOf(a), 2);
  assert.equal(stats.failuresOf(a), 0);
  assert.equal(stats.successesOf(b), 0);
  // Global mean (2 + 1) / (2 + 2) at pseudo-count 10, plus category cats' 2 of 2 (and, for a, creator c1's).
  assert.equal(stats.itemPriorMean(state, b), (7.5 + 2) / (10 + 2));
  assert.equal(stats.itemPriorMean(state, a), (7.5 + 2 + 2) / (10 + 2 + 2));
});

test('an item that left a large tag is not explored through that tag’s window', async () => {
  const clock = createClock();
  const config = {
    exploration: { ...DEFAULT_ENGINE_CONFIG.exploration, openShare: 0, discoveryShare: 0 },
  };
  const engine = await openEngine(':memory:', { now: clock.now, config, random: createRandom(3) });
  const old = clock.now() - 7 * 24 * HOUR;
  // 700 cat items: more than the 600 a feed reads of one tag, so it reads a random window of them.
  const items = [];
  for (let k = 0; k < 700; k++)
    items.push({ id: `cat${k}`, creatorId: `c${k}`, tags: ['cats'], createdAt: old });
  await engine.putItems({ items });
  // The user has seen every cat item but three, spread so that every window holds two of them ...
  const moved = new Set(['cat100', 'cat350', 'cat600']);
  const events: { userId: string; itemId: string; type: 'like' | 'skip' }[] = [
    { userId: 'u', itemId: 'cat0', type: 'like' },
  ];
  for (let k = 1; k < 700; k++)
    if (!moved.has(`cat${k}`)) events.push({ userId: 'u', itemId: `cat${k}`, type: 'skip' as const });
  await engine.ingest({ events });
  const explored = async () =>
    (await engine.feed('u', 20)).items.filter((i) => i.reason.exploration).map((i) => i.itemId);
  assert.ok((await explored()).some((id) => moved.has(id)));
  // ... and once those three are dogs, nothing is left to explore among cats.
  await engine.putItems({
    items: [...moved].map((id) => ({ id, creatorId: `m${id}`, tags: ['dogs'], createdAt: old })),
  });
  clock.advance(HOUR / 4);
  assert.deepEqual(await explored(), []);
});

test('discovery reads a swept category’s popular items only until it has the few it offers', () => {
  const state = new OnlineState(DEFAULT_ENGINE_CONFIG);
  const t0 = Date.UTC(2026, 0, 1);
  const tags = ['cats', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
  let seq = 0;
  const apply = (userId: string, itemId: string, type: 'like' | 'skip') =>
    state.apply({ userId: userId as UserId, itemId: itemId as ItemId, type, at: t0 + ++seq, seq });
  // 60 items a tag, each liked by a fan of its own: every tag's pool holds all 60.
  for (const tag of tags) {
    for (let k = 0; k < 60; k++) {
      const id = `${tag}${k}` as ItemId;
      state.upsertItem({ id, tags: [tag], createdAt: t0, updatedAt: t0, visibility: 'visible' });
      apply(`fan-${tag}${k}`, id, 'like');
    }
  }
  // 40 cats liked, then 8 skipped: the user's engagement dropped, so a feed of 10 discovers in 3 slots.
  for (let k = 0; k < 48; k++) apply('u', `cats${k}`, k < 40 ? 'like' : 'skip');
  let visits = 0;
  for (const tag of tags.slice(1)) {
    const holders = state.itemsByTag.get(tag)!;
    const has = holders.has.bind(holders);
    holders.has = (i: number) => {
      visits++;
      return has(i);
    };
  }
  const u = state.users.get('u');
  const user = state.userStates.get(u)!;
  // No open share: no random item of another tag is taken before discovery.
  const config = {
    ...DEFAULT_ENGINE_CONFIG,
    exploration: { ...DEFAULT_ENGINE_CONFIG.exploration, openShare: 0 },
  };
  const picks = planExploration(state, config, u, user, [], 10, t0 + HOUR, createRandom(5), (i) =>
    user.hasSeen(i),
  );
  const discovered = [...picks.values()].filter((p) => p.tag !== undefined && p.tag !== 'cats');
  assert.equal(discovered.length, 3);
  // Each of the 8 other tags is swept for its first 6 items of 60 (all usable): 48 visits, not 480.
  assert.equal(visits, 8 * 6);
});

test('exploration’s Thompson sampling draws for at most 300 items of a pool, however many have outcomes', () => {
  const state = new OnlineState(DEFAULT_ENGINE_CONFIG);
  const t0 = Date.UTC(2026, 0, 1);
  let seq = 0;
  // 700 cat items, each shown once (an outcome, so none is subsampled out as untried).
  for (let k = 0; k < 700; k++) {
    const id = `cat${k}` as ItemId;
    state.upsertItem({ id, tags: ['cats'], createdAt: t0, updatedAt: t0, visibility: 'visible' });
    state.apply({ userId: 'viewer' as UserId, itemId: id, type: 'impression', at: t0 + ++seq, seq });
  }
  state.apply({ userId: 'u' as UserId, itemId: 'cat0' as ItemId, type: 'like', at: t0 + ++seq, seq });
  const rng = createRandom(5);
  const beta = rng.beta.bind(rng);
  let draws = 0;
  rng.beta = (a, b) => {
    draws++;
    return beta(a, b);
  };
  const config = {
    ...DEFAULT_ENGINE_CONFIG,
    exploration: { ...DEFAULT_ENGINE_CONFIG.exploration, openShare: 0 },
  };
  const u = state.users.get('u');
  const user = state.userStates.get(u)!;
  const picks = planExploration(state, config, u, user, [], 10, t0 + HOUR, rng, (i) => user.hasSeen(i));
  assert.equal(picks.size, 1);
  assert.equal(draws, 300);
});
