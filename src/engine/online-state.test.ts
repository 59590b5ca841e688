import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createClock, openEngine, T0 } from '../../test/helpers.js';
import { createRandom } from '../core/random.js';
import type { EventInput, EventRecord, EventType, ItemId, ItemRecord, UserId } from '../types.js';
import { DEFAULT_ENGINE_CONFIG, type EngineConfig } from './config.js';
import { OnlineState } from './online-state.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

function stateWith(items: string[], config: Partial<EngineConfig> = {}): OnlineState {
  const state = new OnlineState({ ...DEFAULT_ENGINE_CONFIG, ...config });
  for (const id of items) {
    const record: ItemRecord = {
      id: id as ItemId,
      tags: [],
      createdAt: T0 - DAY,
      visibility: 'visible',
      updatedAt: T0,
    };
    state.upsertItem(record);
  }
  return state;
}

function ev(userId: string, itemId: string, type: EventType, at: number): EventRecord {
  return { userId: userId as UserId, itemId: itemId as ItemId, type, at, watchRatio: 1 };
}

/** 40 established accounts: active on five items two days ago, each liking `item` now. */
function establishedFans(state: OnlineState, item: string, count = 40): void {
  for (let u = 0; u < count; u++) {
    for (let k = 0; k < 5; k++) state.apply(ev(`fan${u}`, `old${k}`, 'view', T0 - 2 * DAY));
    state.apply(ev(`fan${u}`, item, 'like', T0));
  }
}

/** `count` brand-new accounts each sharing, liking and viewing `item` within ten minutes. */
function sybilBurst(state: OnlineState, item: string, count: number): void {
  for (let b = 0; b < count; b++) {
    const at = T0 + (b % 600) * 1_000;
    for (const type of ['share', 'like', 'view'] as const) state.apply(ev(`bot${b}`, item, type, at));
  }
}

const items = ['target', 'liked', 'viral', 'old0', 'old1', 'old2', 'old3', 'old4'];

test('one account repeating events adds at most maxUserItemWeight to an item', () => {
  const state = stateWith(items);
  for (let k = 0; k < 1_000; k++) state.apply(ev('spammer', 'target', 'share', T0));
  const i = state.items.get('target');
  assert.equal(state.popularityAt(i, T0), DEFAULT_ENGINE_CONFIG.maxUserItemWeight);
});

test('a burst of new accounts on one item adds at most the new-account budget', () => {
  const state = stateWith(items);
  sybilBurst(state, 'target', 2_000);
  const popularity = state.popularityAt(state.items.get('target'), T0);
  // Contributions later than T0 count slightly more than 1 when read at T0 (decay runs backwards).
  assert.ok(popularity <= DEFAULT_ENGINE_CONFIG.newAccountItemBudget * 1.01, `popularity ${popularity}`);
  const undamped = stateWith(items, { newAccountItemBudget: Number.POSITIVE_INFINITY });
  sybilBurst(undamped, 'target', 2_000);
  assert.ok(undamped.popularityAt(undamped.items.get('target'), T0) > 9_000);
});

test('established accounts are not damped, and their support raises the new-account budget', () => {
  const state = stateWith(items);
  establishedFans(state, 'viral');
  sybilBurst(state, 'viral', 500);
  const c = DEFAULT_ENGINE_CONFIG;
  const fromFans = 40 * 2;
  const expected = fromFans + c.newAccountItemBudget + c.newAccountSupportRatio * fromFans;
  const popularity = state.popularityAt(state.items.get('viral'), T0);
  assert.ok(popularity >= expected && popularity <= expected * 1.01, `popularity ${popularity}`);
});

test('the budget renews each window, and old timestamps cannot reset it', () => {
  const state = stateWith(items);
  const budget = DEFAULT_ENGINE_CONFIG.newAccountItemBudget;
  for (let b = 0; b < 100; b++) {
    state.apply(ev(`a${b}`, 'target', 'share', T0 + 2 * HOUR));
    state.apply(ev(`b${b}`, 'target', 'share', T0 - 5 * HOUR));
  }
  const i = state.items.get('target');
  const inOneWindow = state.popularityAt(i, T0 + 2 * HOUR);
  assert.ok(inOneWindow <= budget + 1e-9, `popularity ${inOneWindow}`);
  for (let b = 0; b < 100; b++) state.apply(ev(`c${b}`, 'target', 'share', T0 + 3 * HOUR));
  assert.ok(state.popularityAt(i, T0 + 3 * HOUR) > inOneWindow * 1.5);
});

test('a damped account that turns negative takes back only what it was credited', () => {
  const state = stateWith(items, { newAccountItemBudget: 1 });
  state.apply(ev('bot', 'target', 'share', T0));
  const i = state.items.get('target');
  assert.equal(state.popularityAt(i, T0), 1);
  state.apply(ev('bot', 'target', 'report', T0));
  state.apply(ev('bot', 'target', 'report', T0));
  assert.equal(state.popularityAt(i, T0), 0);
});

test('a burst of new accounts cannot push an item to the top of a newcomer feed', async () => {
  for (const damped of [true, false]) {
    const clock = createClock(T0 + HOUR);
    const engine = await openEngine(':memory:', {
      now: clock.now,
      config: damped ? {} : { newAccountItemBudget: Number.POSITIVE_INFINITY },
    });
    await engine.putItems({
      items: items.map((id, k) => ({ id, creatorId: `c${k}`, createdAt: T0 - 10 * DAY })),
    });
    const events: EventInput[] = [];
    for (let u = 0; u < 40; u++) {
      for (let k = 0; k < 5; k++)
        events.push({ userId: `fan${u}`, itemId: `old${k}`, type: 'view', at: T0 - 2 * DAY });
      events.push({ userId: `fan${u}`, itemId: 'liked', type: 'share', at: T0 });
    }
    for (let b = 0; b < 2_000; b++) {
      for (const type of ['share', 'like'] as const)
        events.push({ userId: `bot${b}`, itemId: 'target', type, at: T0 + b * 1_000 });
    }
    await engine.ingest({ events });
    const top = (await engine.feed('newcomer', 3)).items[0]?.itemId;
    assert.equal(top, damped ? 'liked' : 'target', damped ? 'with damping' : 'without damping');
    await engine.close();
  }
});

/** A state of `count` items `i0`.. carrying two of a few tags each (trends count per tag). */
function taggedState(count: number): OnlineState {
  const state = new OnlineState(DEFAULT_ENGINE_CONFIG);
  for (let k = 0; k < count; k++) {
    state.upsertItem({
      id: `i${k}` as ItemId,
      tags: [`t${k % 5}`, `s${k % 3}`],
      createdAt: T0 - DAY,
      visibility: 'visible',
      updatedAt: T0,
    });
  }
  return state;
}

/** Applies `events` to one state an event at a time and to another in batches, and compares them. */
function assertApplyAllSame(events: readonly EventRecord[], batch: number, nowMs: number): void {
  const one = taggedState(40);
  const all = taggedState(40);
  for (const e of events) one.apply(e);
  for (let start = 0; start < events.length; start += batch) all.applyAll(events.slice(start, start + batch));

  assert.equal(all.itemCount, one.itemCount);
  for (let i = 0; i < one.itemCount; i++) {
    assert.equal(all.items.id(i), one.items.id(i));
    assert.equal(all.popularity.get(i), one.popularity.get(i));
    const neighbours = (s: OnlineState): string[] => {
      const out: string[] = [];
      s.cooccurrence.forEachNeighbour(i, (j, sim) => out.push(`${j}:${sim}`));
      return out;
    };
    assert.deepEqual(neighbours(all), neighbours(one));
  }
  assert.equal(all.userStates.length, one.userStates.length);
  for (let u = 0; u < one.userStates.length; u++) {
    const a = all.userStates.get(u);
    const b = one.userStates.get(u);
    assert.equal(all.users.id(u), one.users.id(u));
    assert.deepEqual(
      a && [a.eventCount, a.firstEventAt, a.lastEventAt, a.engagement, a.engagementBaseline, a.recent],
      b && [b.eventCount, b.firstEventAt, b.lastEventAt, b.engagement, b.engagementBaseline, b.recent],
    );
    assert.deepEqual(a && [...a.weights], b && [...b.weights]);
  }
  const trending = one.trends.trending(one, 20, nowMs);
  assert.ok(trending.items.length > 0 && trending.tags.length > 0);
  assert.deepEqual(all.trends.trending(all, 20, nowMs), trending);
}

/** `count` seeded events on `users` users and the 40 items, a fifth of them on 30 new items. */
function mixedEvents(count: number, users: number, seed: number): EventRecord[] {
  const random = createRandom(seed);
  const types: EventType[] = ['view', 'like', 'skip', 'share', 'not_interested', 'impression', 'follow'];
  const events: EventRecord[] = [];
  for (let k = 0; k < count; k++) {
    const item = random.next() < 0.2 ? `new${random.int(30)}` : `i${random.int(40)}`;
    events.push({
      ...ev(`u${random.int(users)}`, item, types[random.int(types.length)]!, T0 + k * 1_000),
      watchRatio: random.next(),
    });
  }
  return events;
}

test('applyAll leaves the same state as apply on each event, new ids included', () => {
  // Most users are new to the state: their indices are assigned as the batch goes.
  assertApplyAllSame(mixedEvents(1_000, 60, 3), 150, T0 + 1_000_000);
});

test('applyAll assigns the same ids as apply when an id table grows inside a chunk of events', () => {
  // 3,000 users in batches of 1,000: the users' table (1,024 slots at first) grows while a chunk's
  // ids, hashed and read ahead before it grew, are being looked up.
  assertApplyAllSame(mixedEvents(6_000, 3_000, 4), 1_000, T0 + 6_000_000);
});

test("the popular ranking skips a user's items at once, and its order lags by at most 0.1% of events", () => {
  const state = stateWith(['a', 'd', 'filler']);
  const [a, d] = [state.items.get('a'), state.items.get('d')];
  for (let k = 0; k < 3_000; k++) state.apply(ev(`viewer${k % 50}`, 'filler', 'impression', T0));
  state.apply(ev('u1', 'a', 'like', T0));
  assert.deepEqual([...state.topPopular(2, () => false)], [a]);
  // 3,001 events: the ranking holds for 3 more. Two likes put d above a, but the order has not caught up.
  state.apply(ev('u2', 'd', 'like', T0));
  state.apply(ev('u3', 'd', 'like', T0));
  assert.ok(state.popularity.get(d) > state.popularity.get(a));
  assert.deepEqual([...state.topPopular(2, () => false)], [a]);
  // What a feed skips (the user's seen items) is applied to every query as it happens.
  assert.deepEqual([...state.topPopular(2, (i) => i === a)], []);
  state.apply(ev('u4', 'd', 'like', T0));
  state.apply(ev('u5', 'd', 'like', T0));
  assert.deepEqual([...state.topPopular(2, () => false)], [d, a]);
  assert.deepEqual([...state.topPopular(2, (i) => i === d)], [a]);
});

test('the fresh ranking asks a feed only about the newest items it keeps or skips, and follows a record at once', () => {
  const state = stateWith([]);
  const ids = Array.from({ length: 60 }, (_, k) => `f${k}`);
  for (const [k, id] of ids.entries())
    state.upsertItem({ id: id as ItemId, tags: [], createdAt: T0 + k, visibility: 'visible', updatedAt: T0 });
  const index = (id: string): number => state.items.get(id);
  const asked: number[] = [];
  const skip = (i: number): boolean => {
    asked.push(i);
    return i === index('f58');
  };
  assert.deepEqual([...state.topFresh(3, T0, skip)], [index('f59'), index('f57'), index('f56')]);
  // The pool's heap would ask about every item newer than its third answer so far: all 60 here.
  assert.deepEqual(asked, [index('f59'), index('f58'), index('f57'), index('f56')]);
  // A record set again with another creation time moves the item in the next answer.
  state.upsertItem({
    id: 'f0' as ItemId,
    tags: [],
    createdAt: T0 + 100,
    visibility: 'visible',
    updatedAt: T0,
  });
  assert.deepEqual([...state.topFresh(2, T0, () => false)], [index('f0'), index('f59')]);
  // The window is read at each query: only items created at or after it.
  assert.deepEqual([...state.topFresh(5, T0 + 58, () => false)], [index('f0'), index('f59'), index('f58')]);
});

test('the fresh ranking answers with the newest wanted items, many created at the same instant', () => {
  const random = createRandom(5);
  const state = stateWith([]);
  for (let k = 0; k < 3_000; k++) {
    // A few hundred distinct instants, so many items share one; some records set twice.
    const id = `i${k < 2_500 ? k : random.int(2_500)}` as ItemId;
    const record: ItemRecord = {
      id,
      tags: [],
      createdAt: T0 + random.int(400),
      visibility: 'visible',
      updatedAt: T0,
    };
    state.upsertItem(record);
    if (k % 100 !== 99) continue;
    const since = T0 + random.int(400);
    const seen = new Set(Array.from({ length: 50 }, () => random.int(state.itemCount)));
    const ask = 1 + random.int(300);
    // Every item's rank by a sort (newest first, ties by index): the answer's set and its times.
    const expected = Array.from({ length: state.itemCount }, (_, i) => i)
      .filter((i) => state.createdAt.get(i) >= since && !seen.has(i))
      .sort((a, b) => state.createdAt.get(b) - state.createdAt.get(a) || a - b)
      .slice(0, ask);
    const got = [...state.topFresh(ask, since, (i) => seen.has(i))];
    assert.deepEqual(
      got.map((i) => state.createdAt.get(i)),
      expected.map((i) => state.createdAt.get(i)),
    );
    // Which of two items created at the same instant comes first is the pool heap's choice.
    assert.equal(new Set(got).size, got.length);
    assert.ok(got.every((i) => state.createdAt.get(i) >= since && !seen.has(i)));
  }
});

test('items created at the same instant come out of the fresh ranking by index', () => {
  const state = stateWith([]);
  // Ten items per instant, as `npm run bench`'s platform creates them; the heap's order of ties is its own.
  for (let k = 0; k < 200; k++)
    state.upsertItem({
      id: `t${k}` as ItemId,
      tags: [],
      createdAt: T0 + (k % 20),
      visibility: 'visible',
      updatedAt: T0,
    });
  const newest = Array.from({ length: 10 }, (_, j) => state.items.get(`t${19 + 20 * j}`));
  const next = Array.from({ length: 10 }, (_, j) => state.items.get(`t${18 + 20 * j}`));
  assert.deepEqual([...state.topFresh(15, T0, () => false)], [...newest, ...next.slice(0, 5)]);
  // A removed item (a takedown the feed skips) is out of the next answer, and the rest close up.
  const removed = newest[3]!;
  assert.deepEqual(
    [...state.topFresh(15, T0, (i) => i === removed)],
    [...newest.filter((i) => i !== removed), ...next.slice(0, 6)],
  );
});

test("replacing an item keeps its place in each tag's list once, and a new tag adds it once", () => {
  const state = new OnlineState(DEFAULT_ENGINE_CONFIG);
  const record = (tags: string[]): ItemRecord => ({
    id: 'v1' as ItemId,
    tags,
    createdAt: T0,
    visibility: 'visible',
    updatedAt: T0,
  });
  state.upsertItem(record(['cats']));
  // The same record again (a stream's re-delivery, a node reading its own write back), then a new tag.
  state.upsertItem(record(['cats']));
  state.upsertItem(record(['cats']));
  state.upsertItem(record(['cats', 'dogs']));
  state.upsertItem(record(['cats', 'dogs']));
  assert.deepEqual(state.tagItemLists.get('cats'), [0]);
  assert.deepEqual(state.tagItemLists.get('dogs'), [0]);
  assert.deepEqual([...state.itemsByTag.get('cats')!], [0]);
});
