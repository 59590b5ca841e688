import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createClock, openEngine } from '../../test/helpers.js';
import type { EventType } from '../types.js';

const ITEMS = 40;

/** A catalogue of 40 items over `creators` creators; `seer` has seen every one, as `typeOf` says. */
async function everythingSeen(typeOf: (k: number) => EventType, creators = 8) {
  const clock = createClock();
  const engine = await openEngine(':memory:', { now: clock.now });
  await engine.putItems({
    items: Array.from({ length: ITEMS }, (_, k) => ({
      id: `v${k}`,
      creatorId: `c${k % creators}`,
      tags: [`t${k % 5}`],
      createdAt: clock.now() - 3_600_000,
    })),
  });
  const events = Array.from({ length: ITEMS }, (_, k) => ({
    userId: 'seer',
    itemId: `v${k}`,
    type: typeOf(k),
    watchRatio: 0.9,
    at: clock.now() + k * 1_000,
  }));
  await engine.ingest({ events });
  clock.advance(ITEMS * 1_000 + 60_000);
  return engine;
}

test('a user who has seen the whole catalogue still gets a full feed: what they liked, shown again', async () => {
  // Likes on every third item, views on the rest.
  const engine = await everythingSeen((k) => (k % 3 === 0 ? 'like' : 'view'));
  const { items } = await engine.feed('seer', 20);
  assert.equal(items.length, 20);
  assert.deepEqual(new Set(items.map((i) => i.reason.source)), new Set(['rewatch']));
  assert.equal(items[0]!.reason.text, 'Watch again: you have seen everything else');
  const liked = items.slice(0, 14).filter((i) => Number(i.itemId.slice(1)) % 3 === 0);
  assert.equal(liked.length, 14, 'the 14 liked items come before the ones only viewed');
  assert.equal(new Set(items.map((i) => i.itemId)).size, 20, 'no item twice');
  const zh = await engine.feed('seer', 1, { lang: 'zh' });
  assert.equal(zh.items[0]!.reason.text, '再看一遍：其余的内容你都看过了');
  await engine.close();
});

test('what a user turned down, or a hidden item, is never shown again; unseen items come first', async () => {
  const turnedDown: EventType[] = ['skip', 'not_interested', 'report'];
  // Items 0-29 turned down, 30-39 viewed; a creator each, so that no creator is turned down as a whole.
  const engine = await everythingSeen((k) => (k < 30 ? turnedDown[k % 3]! : 'view'), ITEMS);
  await engine.patchItem('v31', { visibility: 'hidden', reason: 'under review' });
  const { items } = await engine.feed('seer', 20);
  assert.deepEqual(
    items.map((i) => i.itemId).sort(),
    ['v30', 'v32', 'v33', 'v34', 'v35', 'v36', 'v37', 'v38', 'v39'],
    'the nine viewed and visible items, and nothing turned down',
  );
  await engine.putItems({ items: [{ id: 'v-new', creatorId: 'c9', tags: ['t1'] }] });
  const next = await engine.feed('seer', 5);
  assert.equal(next.items[0]!.itemId, 'v-new', 'an unseen item goes before anything seen');
  assert.notEqual(next.items[0]!.reason.source, 'rewatch');
  assert.deepEqual(new Set(next.items.slice(1).map((i) => i.reason.source)), new Set(['rewatch']));
  await engine.close();
});
