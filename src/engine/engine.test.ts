import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { createClock, openEngine } from '../../test/helpers.js';
import type { EventInput } from '../types.js';

const HOUR = 3600_000;

async function catalogue(
  creators: number,
  perCreator: number,
  clock = createClock(),
  cooccurrenceThread = false,
) {
  const engine = await openEngine(':memory:', { now: clock.now, cooccurrenceThread });
  const items = [];
  for (let c = 0; c < creators; c++) {
    for (let k = 0; k < perCreator; k++) {
      items.push({
        id: `c${c}-v${k}`,
        creatorId: `c${c}`,
        tags: [`topic${c % 3}`],
        createdAt: clock.now() - 100 * HOUR,
      });
    }
  }
  await engine.putItems({ items });
  return { engine, clock };
}

test('an accepted event changes the very next feed: co-watched items come first', async () => {
  const { engine } = await catalogue(10, 5);
  // Many users watch c1-v0 then c7-v3: they co-occur strongly.
  const events: EventInput[] = [];
  for (let u = 0; u < 20; u++) {
    events.push({ userId: `w${u}`, itemId: 'c1-v0', type: 'view', watchRatio: 1 });
    events.push({ userId: `w${u}`, itemId: 'c7-v3', type: 'like' });
  }
  for (let u = 0; u < 40; u++) events.push({ userId: `fan${u}`, itemId: 'c3-v3', type: 'share' });
  await engine.ingest({ events });
  const before = await engine.feed('fresh-user', 5);
  assert.equal(before.items[0]?.itemId, 'c3-v3');
  await engine.ingest({ events: [{ userId: 'fresh-user', itemId: 'c1-v0', type: 'view', watchRatio: 0.9 }] });
  const after = await engine.feed('fresh-user', 5);
  assert.equal(after.items[0]?.itemId, 'c7-v3');
  assert.equal(after.items[0]?.reason.source, 'facet');
  assert.equal(after.items[0]?.reason.facet, 'topic1');
  assert.deepEqual(after.items[0]?.reason.because, ['c1-v0']);
});

test('a viewed item comes back only after every unseen one, and a skipped item never', async () => {
  const { engine } = await catalogue(5, 4);
  await engine.ingest({
    events: [
      { userId: 'u', itemId: 'c0-v0', type: 'view', watchRatio: 0.5 },
      { userId: 'u', itemId: 'c1-v1', type: 'skip' },
    ],
  });
  const items = (await engine.feed('u', 50)).items;
  const ids = items.map((i) => i.itemId);
  assert.equal(ids.length, 19);
  assert.ok(!ids.includes('c1-v1'));
  assert.equal(ids.indexOf('c0-v0'), 18, 'the viewed item is last');
  assert.equal(items[18]!.reason.source, 'rewatch');
  assert.ok(items.slice(0, 18).every((i) => i.reason.source !== 'rewatch'));
});

test('a hidden item is never served, and comes back when restored', async () => {
  const { engine } = await catalogue(3, 2);
  await engine.patchItem('c0-v0', { visibility: 'hidden', reason: 'review' });
  assert.ok(!(await engine.feed('u', 50)).items.some((i) => i.itemId === 'c0-v0'));
  assert.ok(!(await engine.similar('c0-v1', 50)).items.some((i) => i.itemId === 'c0-v0'));
  await engine.patchItem('c0-v0', { visibility: 'visible', reason: 'restored' });
  assert.ok((await engine.feed('u', 50)).items.some((i) => i.itemId === 'c0-v0'));
});

test('two not_interested marks on a creator remove that creator from the feed', async () => {
  const { engine } = await catalogue(4, 6);
  await engine.ingest({
    events: [
      { userId: 'u', itemId: 'c2-v0', type: 'not_interested' },
      { userId: 'u', itemId: 'c2-v1', type: 'not_interested' },
    ],
  });
  const ids = (await engine.feed('u', 50)).items.map((i) => i.itemId);
  assert.ok(ids.length > 0);
  assert.ok(!ids.some((id) => id.startsWith('c2-')));
});

test('no creator has more than 2 items in any 10 consecutive feed items', async () => {
  const { engine } = await catalogue(8, 10);
  const events: EventInput[] = [];
  // Creator 0 is by far the most popular.
  for (let u = 0; u < 30; u++)
    for (let k = 0; k < 10; k++) events.push({ userId: `p${u}`, itemId: `c0-v${k}`, type: 'like' });
  await engine.ingest({ events });
  const feed = (await engine.feed('newcomer', 30)).items.map((i) => i.itemId.split('-')[0]);
  for (let s = 0; s + 10 <= feed.length; s++) {
    const window = feed.slice(s, s + 10);
    for (const c of new Set(window))
      assert.ok(window.filter((x) => x === c).length <= 2, `window ${s}: ${window}`);
  }
});

test('a new user on a platform with no events still gets a full feed', async () => {
  const { engine } = await catalogue(6, 5);
  const feed = await engine.feed('nobody', 20);
  assert.equal(feed.items.length, 20);
  assert.equal(new Set(feed.items.map((i) => i.itemId)).size, 20);
});

test('a user who has seen all but three items gets those three first, then what they saw', async () => {
  const { engine } = await catalogue(2, 5);
  const events: EventInput[] = [];
  for (let c = 0; c < 2; c++)
    for (let k = 0; k < 5; k++) events.push({ userId: 'u', itemId: `c${c}-v${k}`, type: 'view' });
  await engine.ingest({ events: events.slice(0, 7) });
  const items = (await engine.feed('u', 20)).items;
  assert.deepEqual(
    items
      .slice(0, 3)
      .map((i) => i.itemId)
      .sort(),
    ['c1-v2', 'c1-v3', 'c1-v4'],
  );
  assert.deepEqual(
    items
      .slice(3)
      .map((i) => i.itemId)
      .sort(),
    events
      .slice(0, 7)
      .map((e) => e.itemId)
      .sort(),
  );
  assert.ok(items.slice(3).every((i) => i.reason.source === 'rewatch'));
});

test('one user repeating likes on an item adds no more popularity than one like', async () => {
  const { engine } = await catalogue(5, 2);
  const spam = Array.from({ length: 200 }, () => ({ userId: 'bot', itemId: 'c4-v1', type: 'like' as const }));
  await engine.ingest({ events: spam });
  for (let u = 0; u < 3; u++) {
    await engine.ingest({ events: [{ userId: `fan${u}`, itemId: 'c3-v0', type: 'like' }] });
  }
  const top = (await engine.feed('someone', 3)).items[0];
  assert.equal(top?.itemId, 'c3-v0');
  assert.equal(top?.reason.source, 'popular');
});

test('fresh items are offered to a new user with a fresh reason', async () => {
  const { engine, clock } = await catalogue(3, 3);
  await engine.putItem('brand-new', { creatorId: 'c9', tags: ['new'], createdAt: clock.now() - HOUR });
  const feed = await engine.feed('u', 5);
  const fresh = feed.items.find((i) => i.itemId === 'brand-new');
  assert.equal(fresh?.reason.source, 'fresh');
});

test('similar items come with a reason naming the source item', async () => {
  const { engine } = await catalogue(3, 3);
  const similar = await engine.similar('c0-v0', 5);
  assert.ok(similar.items.length > 0);
  for (const s of similar.items) {
    assert.notEqual(s.itemId, 'c0-v0');
    assert.deepEqual(s.reason.because, ['c0-v0']);
  }
  assert.equal(similar.items[0]?.reason.source, 'similar-tags');
});

for (const cooccurrenceThread of [false, true]) {
  test(`an ingest answers only once co-occurrence has the pair (co-occurrence thread ${cooccurrenceThread ? 'on' : 'off'}): similar right after it names the co-watched item`, async () => {
    const { engine } = await catalogue(4, 4, createClock(), cooccurrenceThread);
    try {
      const events: EventInput[] = [];
      for (let u = 0; u < 30; u++) {
        events.push({ userId: `pair${u}`, itemId: 'c0-v0', type: 'like' as const });
        events.push({ userId: `pair${u}`, itemId: 'c3-v2', type: 'like' as const });
      }
      await engine.ingest({ events });
      const similar = await engine.similar('c0-v0', 3);
      assert.equal(similar.items[0]?.itemId, 'c3-v2');
      assert.equal(similar.items[0]?.reason.source, 'co-occurrence');
    } finally {
      await engine.close();
    }
  });
}

test("open() starts co-occurrence's thread before any event, so the first ingest does not wait for its start", async () => {
  // This process's threads (Linux): a worker thread is one more.
  const threads = () => readdirSync('/proc/self/task').length;
  const before = threads();
  const engine = await openEngine(':memory:', { cooccurrenceThread: true });
  try {
    const status = await engine.status();
    assert.equal(status.models.find((m) => m.name === 'cooccurrence')?.thread, true);
    assert.equal(threads(), before + 1, 'open started one thread, before any event');
  } finally {
    await engine.close();
  }
});

test('status counts users known from events as well as from records; such a user dates from their first event', async () => {
  const clock = createClock();
  const { engine } = await catalogue(2, 2, clock);
  await engine.putUser('recorded', {});
  const first = clock.now();
  await engine.ingest({
    events: [
      { userId: 'acted', itemId: 'c0-v0', type: 'view', at: first },
      { userId: 'recorded', itemId: 'c0-v1', type: 'like', at: first },
    ],
  });
  clock.advance(HOUR);
  await engine.ingest({ events: [{ userId: 'acted', itemId: 'c1-v0', type: 'like', at: clock.now() }] });
  const status = await engine.status();
  assert.equal(status.counts.users, 2, 'one user with a record, one known from events only');
  const acted = await engine.getUser('acted');
  assert.equal(acted.createdAt, first);
  assert.equal(acted.updatedAt, first);
  await engine.close();
});
