import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CreatorId, ItemId, UserId } from '../types.js';
import { DEFAULT_ENGINE_CONFIG } from './config.js';
import { OnlineState } from './online-state.js';
import { TagRanking } from './tag-ranking.js';

const T0 = Date.UTC(2026, 10, 1);

function platform(items: number): OnlineState {
  const state = new OnlineState(DEFAULT_ENGINE_CONFIG);
  for (let i = 0; i < items; i++) addItem(state, i);
  return state;
}

function addItem(state: OnlineState, i: number): void {
  state.upsertItem({
    id: `v${i}` as ItemId,
    creatorId: `c${i % 7}` as CreatorId,
    tags: ['cats'],
    createdAt: T0,
    updatedAt: T0,
    visibility: 'visible',
  });
}

/** Quality = the item index, counting how often it is asked. */
function counted(): { quality: (i: number) => number; calls: () => number } {
  let calls = 0;
  return {
    quality: (i) => {
      calls++;
      return i;
    },
    calls: () => calls,
  };
}

function best(
  ranking: TagRanking,
  state: OnlineState,
  limit: number,
  skip: (i: number) => boolean,
  quality: (i: number) => number,
): number[] {
  const out: number[] = [];
  ranking.best(state, 'cats', limit, skip, quality, (i) => out.push(i));
  return out;
}

test('feeds filter one shared ranking of a tag with their own exclusions', () => {
  const state = platform(20);
  const ranking = new TagRanking();
  const q = counted();
  assert.deepEqual(
    best(ranking, state, 3, () => false, q.quality),
    [19, 18, 17],
  );
  const asked = q.calls();
  assert.deepEqual(
    best(ranking, state, 3, (i) => i === 18, q.quality),
    [19, 17, 16],
  );
  assert.equal(q.calls(), asked);
});

test('an applied event makes the next feed rank the tag again', () => {
  const state = platform(20);
  const ranking = new TagRanking();
  const q = counted();
  best(ranking, state, 3, () => false, q.quality);
  const asked = q.calls();
  state.apply({ userId: 'u1' as UserId, itemId: 'v3' as ItemId, type: 'like', at: T0 + 1 });
  best(ranking, state, 3, () => false, q.quality);
  assert.ok(q.calls() > asked);
});

test('an item joining the tag makes the next feed rank it', () => {
  const state = platform(20);
  const ranking = new TagRanking();
  const q = counted();
  best(ranking, state, 3, () => false, q.quality);
  addItem(state, 20);
  assert.deepEqual(
    best(ranking, state, 3, () => false, q.quality),
    [20, 19, 18],
  );
});

test('an item that left the tag is not offered, even when another joined and the count is the same', () => {
  const state = platform(20);
  const ranking = new TagRanking();
  const q = counted();
  best(ranking, state, 3, () => false, q.quality);
  state.upsertItem({
    id: 'v19' as ItemId,
    creatorId: 'c5' as CreatorId,
    tags: ['dogs'],
    createdAt: T0,
    updatedAt: T0,
    visibility: 'visible',
  });
  addItem(state, 20);
  const asked = q.calls();
  // The kept ranking is reused (same count, no event), without the item that left.
  assert.deepEqual(
    best(ranking, state, 3, () => false, q.quality),
    [18, 17, 16],
  );
  assert.equal(q.calls(), asked);
});

test('a feed that excludes most of a long ranking gets the best of the whole tag', () => {
  const state = platform(300);
  const ranking = new TagRanking();
  const q = counted();
  // The kept head is the best 128 (172..299); this feed has seen all of them but 290.
  assert.deepEqual(
    best(ranking, state, 3, (i) => i >= 172 && i !== 290, q.quality),
    [290, 171, 170],
  );
});

test('a ranking of zero kept tags ranks every time', () => {
  const state = platform(20);
  const ranking = new TagRanking(0);
  const q = counted();
  best(ranking, state, 3, () => false, q.quality);
  const asked = q.calls();
  best(ranking, state, 3, () => false, q.quality);
  assert.equal(q.calls(), 2 * asked);
  assert.equal(ranking.size, 0);
});
