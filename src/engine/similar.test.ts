import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CreatorId, ItemId, UserId } from '../types.js';
import { DEFAULT_ENGINE_CONFIG } from './config.js';
import { OnlineState } from './online-state.js';
import { buildSimilar } from './similar.js';

const T0 = Date.UTC(2026, 10, 1);

function catalogue(): OnlineState {
  const state = new OnlineState(DEFAULT_ENGINE_CONFIG);
  const items: [string, string, 'visible' | 'hidden'][] = [
    ['a', 'cats', 'visible'],
    ['b', 'cats', 'visible'],
    ['c', 'dogs', 'visible'],
    ['d', 'dogs', 'hidden'],
  ];
  for (const [id, tag, visibility] of items) {
    state.upsertItem({
      id: id as ItemId,
      caption: `${id} video`,
      tags: [tag],
      createdAt: T0,
      updatedAt: T0,
      visibility,
    });
  }
  return state;
}

test('similar items include the trained model’s neighbours, ranked above shared tags, with their reason', () => {
  const state = catalogue();
  const asked: { item: number; skipped: string[] }[] = [];
  const serving = {
    recommend(
      history: readonly { item: number; weight: number }[],
      _k: number,
      excluded: (i: number) => boolean,
    ) {
      const skipped = ['a', 'b', 'c', 'd'].filter((id) => excluded(state.items.get(id)));
      asked.push({ item: history[0]!.item, skipped });
      // The model's neighbours of "a": c, then b; the hidden d and "a" itself are excluded by the caller.
      return Int32Array.from(['c', 'b'].map((id) => state.items.get(id)));
    },
  };
  const similar = buildSimilar(state, DEFAULT_ENGINE_CONFIG, state.items.get('a'), 5, serving);
  assert.deepEqual(asked, [{ item: state.items.get('a'), skipped: ['a', 'd'] }]);
  assert.deepEqual(
    similar.map((s) => [s.itemId, s.reason.source]),
    [
      ['c', 'model'],
      ['b', 'model'],
    ],
  );
  assert.deepEqual(similar[0]!.reason.because, ['a']);
  assert.match(similar[0]!.reason.text, /^Viewers who like “a video” tend to like this too/);
});

test('without a trained model, similar items come from shared tags', () => {
  const state = catalogue();
  const similar = buildSimilar(state, DEFAULT_ENGINE_CONFIG, state.items.get('a'), 5);
  assert.deepEqual(
    similar.map((s) => [s.itemId, s.reason.source]),
    [['b', 'similar-tags']],
  );
});

/** Items by id and tags (each its own creator unless given), in a fresh state. */
function stateOf(items: [id: string, tags: string[], creator?: string][]): OnlineState {
  const state = new OnlineState(DEFAULT_ENGINE_CONFIG);
  for (const [id, tags, creator] of items) {
    state.upsertItem({
      id: id as ItemId,
      creatorId: (creator ?? `creator-${id}`) as CreatorId,
      caption: `${id} video`,
      tags,
      createdAt: T0,
      updatedAt: T0,
      visibility: 'visible',
    });
  }
  return state;
}

function like(state: OnlineState, userId: string, itemIds: string[]): void {
  for (const itemId of itemIds)
    state.apply({ userId: userId as UserId, itemId: itemId as ItemId, type: 'like', at: T0 });
}

test('one co-viewer does not lift an off-topic item above items sharing the tags; many co-viewers rank first', () => {
  const state = stateOf([
    ['lipstick', ['makeup', 'beauty']],
    ['gloss', ['makeup', 'beauty']],
    ['mascara', ['makeup', 'beauty']],
    ['hike', ['hiking']],
    ['laptop', ['tech']],
    ['blush', ['makeup', 'beauty']],
  ]);
  like(state, 'one', ['lipstick', 'hike', 'blush']);
  for (let u = 0; u < 12; u++) like(state, `fan-${u}`, ['lipstick', u < 10 ? 'mascara' : 'laptop']);
  const similar = buildSimilar(state, DEFAULT_ENGINE_CONFIG, state.items.get('lipstick'), 10);
  assert.deepEqual(
    similar.map((s) => [s.itemId, s.reason.source]),
    [
      ['mascara', 'co-occurrence'],
      // Tags alike, the co-watched one first.
      ['blush', 'similar-tags'],
      ['gloss', 'similar-tags'],
      ['laptop', 'co-occurrence'],
      ['hike', 'co-occurrence'],
    ],
  );
});

test('similar items of one creator are capped as in feeds, popular items filling in before the cap bends', () => {
  const items: [string, string[], string][] = [['clip', [], 'c']];
  for (let k = 0; k < 6; k++) items.push([`own-${k}`, [], 'c']);
  for (let k = 0; k < 6; k++) items.push([`hit-${k}`, [], `other-${k}`]);
  const state = stateOf(items);
  for (let k = 0; k < 6; k++) like(state, `viewer-${k}`, [`hit-${k}`]);
  const similar = buildSimilar(state, DEFAULT_ENGINE_CONFIG, state.items.get('clip'), 6);
  assert.equal(similar.length, 6);
  const own = similar.filter((s) => s.itemId.startsWith('own-'));
  assert.equal(own.length, DEFAULT_ENGINE_CONFIG.creatorDiversity.maxPerCreator);
  assert.ok(own.every((s) => s.reason.source === 'same-creator'));
  for (const s of similar.filter((x) => x.itemId.startsWith('hit-'))) {
    assert.equal(s.reason.source, 'popular');
    assert.equal(s.reason.because, undefined);
  }
  // With nothing popular to fill in, the rule bends: a full list beats a diverse but short one.
  const bare = stateOf(items);
  assert.equal(buildSimilar(bare, DEFAULT_ENGINE_CONFIG, bare.items.get('clip'), 6).length, 6);
});
