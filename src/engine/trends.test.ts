import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createClock, openEngine } from '../../test/helpers.js';
import { createRandom } from '../core/random.js';
import type { EventInput } from '../types.js';

const HOUR = 3600_000;
const MINUTE = 60_000;

/** 40 items; 30 established users each watched 6 of them over the last two days (a baseline). */
async function platform() {
  const clock = createClock();
  const engine = await openEngine(':memory:', { now: clock.now, random: createRandom(3) });
  const items = [];
  for (let k = 0; k < 40; k++) items.push({ id: `v${k}`, creatorId: `c${k % 8}`, tags: [`topic${k % 4}`] });
  items.push({ id: 'rising', creatorId: 'cr', tags: ['newsound'] });
  await engine.putItems({ items });
  const events: EventInput[] = [];
  for (let u = 0; u < 30; u++) {
    for (let k = 0; k < 6; k++) {
      const at = clock.now() - 48 * HOUR + (u * 6 + k) * 9 * MINUTE;
      events.push({ userId: `user${u}`, itemId: `v${(u + k * 7) % 40}`, type: 'view', watchRatio: 0.9, at });
    }
  }
  await engine.ingest({ events });
  return { engine, clock };
}

test('an item many established users engage with in the last hour enters trending with its tag', async () => {
  const { engine, clock } = await platform();
  const before = await engine.trending(20);
  assert.ok(!before.items.some((i) => i.itemId === 'rising'));
  const events: EventInput[] = [];
  for (let u = 0; u < 12; u++) {
    events.push({ userId: `user${u}`, itemId: 'rising', type: 'like', at: clock.now() - u * 3 * MINUTE });
  }
  await engine.ingest({ events });
  const after = await engine.trending(20);
  const top = after.items[0];
  assert.equal(top?.itemId, 'rising');
  assert.ok(top.velocity > 5, `velocity ${top.velocity}`);
  // Twelve users, decayed a little, less the baseline; a just-posted item's score counts three times.
  assert.ok(top.score > 24 && top.score <= 36, `score ${top.score}`);
  assert.match(top.reason, /^About (9|10|11) more viewers than usual/);
  assert.equal(after.tags[0]?.tag, 'newsound');
  // In the viewer's language when asked: the item's own text has no Chinese.
  assert.match((await engine.trending(20, { lang: 'zh' })).items[0]!.reason, /^最近多了约(9|10|11)位观众/);
  await assert.rejects(() => engine.trending(20, { lang: 'fr' as never }), /lang/);
});

test('one user repeating events on an item does not make it trend', async () => {
  const { engine, clock } = await platform();
  const events: EventInput[] = [];
  for (let k = 0; k < 300; k++) {
    const type = k % 3 === 0 ? 'like' : k % 3 === 1 ? 'share' : 'view';
    events.push({ userId: 'user0', itemId: 'rising', type, watchRatio: 1, at: clock.now() - k * 10_000 });
  }
  await engine.ingest({ events });
  const trending = await engine.trending(20);
  assert.ok(!trending.items.some((i) => i.itemId === 'rising'));
  assert.ok(!trending.tags.some((t) => t.tag === 'newsound'));
});

test('a burst of brand-new accounts does not make an item trend', async () => {
  const { engine, clock } = await platform();
  const events: EventInput[] = [];
  for (let a = 0; a < 200; a++) {
    events.push({ userId: `fresh-account${a}`, itemId: 'rising', type: 'like', at: clock.now() - a * 1_000 });
    events.push({
      userId: `fresh-account${a}`,
      itemId: 'rising',
      type: 'share',
      at: clock.now() - a * 1_000,
    });
  }
  await engine.ingest({ events });
  assert.ok(!(await engine.trending(20)).items.some((i) => i.itemId === 'rising'));
  // Three established users are not enough support either; twelve are (the test above).
  await engine.ingest({
    events: [0, 1, 2].map((u) => ({ userId: `user${u}`, itemId: 'rising', type: 'like' })),
  });
  assert.ok(!(await engine.trending(20)).items.some((i) => i.itemId === 'rising'));
});

test('a trend fades: hours later the same burst is the item’s baseline, not a rise', async () => {
  const { engine, clock } = await platform();
  const events: EventInput[] = [];
  for (let u = 0; u < 12; u++) events.push({ userId: `user${u}`, itemId: 'rising', type: 'like' });
  await engine.ingest({ events });
  assert.equal((await engine.trending(20)).items[0]?.itemId, 'rising');
  clock.advance(6 * HOUR);
  assert.ok(!(await engine.trending(20)).items.some((i) => i.itemId === 'rising'));
});

test('a hidden item leaves trending', async () => {
  const { engine } = await platform();
  const events: EventInput[] = [];
  for (let u = 0; u < 12; u++) events.push({ userId: `user${u}`, itemId: 'rising', type: 'like' });
  await engine.ingest({ events });
  assert.equal((await engine.trending(20)).tags[0]?.tag, 'newsound');
  await engine.patchItem('rising', { visibility: 'hidden', reason: 'review' });
  const hidden = await engine.trending(20);
  assert.ok(!hidden.items.some((i) => i.itemId === 'rising'));
  // Its tag rose on it alone: the tag leaves too, and comes back with the item.
  assert.ok(!hidden.tags.some((t) => t.tag === 'newsound'), JSON.stringify(hidden.tags));
  await engine.patchItem('rising', { visibility: 'visible', reason: 'cleared' });
  assert.equal((await engine.trending(20)).tags[0]?.tag, 'newsound');
});

test('a tag stays in trending when a visible item engaged lately carries it, though another of its items is hidden', async () => {
  const { engine } = await platform();
  await engine.putItem('rising2', { creatorId: 'cr2', tags: ['newsound'] });
  const events: EventInput[] = [];
  for (let u = 0; u < 12; u++) events.push({ userId: `user${u}`, itemId: 'rising', type: 'like' });
  events.push({ userId: 'user20', itemId: 'rising2', type: 'like' });
  await engine.ingest({ events });
  await engine.patchItem('rising', { visibility: 'hidden', reason: 'review' });
  assert.ok((await engine.trending(20)).tags.some((t) => t.tag === 'newsound'));
});

test('a just-posted item ranks ahead of an old item rising as much', async () => {
  const { engine, clock } = await platform();
  await engine.putItem('old-clip', {
    creatorId: 'co',
    tags: ['oldies'],
    createdAt: clock.now() - 30 * 24 * HOUR,
  });
  await engine.putItem('new-clip', { creatorId: 'cn', tags: ['news'], createdAt: clock.now() - 10 * MINUTE });
  const events: EventInput[] = [];
  for (let u = 0; u < 12; u++) {
    events.push({ userId: `user${u}`, itemId: 'old-clip', type: 'like' });
    events.push({ userId: `user${u + 12}`, itemId: 'new-clip', type: 'like' });
  }
  await engine.ingest({ events });
  const ids = (await engine.trending(20)).items.map((i) => i.itemId);
  assert.deepEqual(ids.slice(0, 2), ['new-clip', 'old-clip']);
});

test('a new item four of its first viewers liked trends, ahead of an old item nine users just found', async () => {
  const { engine, clock } = await platform();
  await engine.putItem('old-find', {
    creatorId: 'co',
    tags: ['oldies'],
    createdAt: clock.now() - 30 * 24 * HOUR,
  });
  await engine.putItem('new-clip', { creatorId: 'cn', tags: ['news'], createdAt: clock.now() - 10 * MINUTE });
  const events: EventInput[] = [];
  for (let u = 0; u < 9; u++) events.push({ userId: `user${u}`, itemId: 'old-find', type: 'like' });
  // Exploration shows a new item to a couple of dozen people first: four likes from them is a signal.
  for (let u = 10; u < 14; u++) events.push({ userId: `user${u}`, itemId: 'new-clip', type: 'like' });
  await engine.ingest({ events });
  const ids = (await engine.trending(20)).items.map((i) => i.itemId);
  assert.deepEqual(ids.slice(0, 2), ['new-clip', 'old-find']);
});
