import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom } from '../core/random.js';
import type { CreatorId, EventType, ItemId, UserId } from '../types.js';
import { DEFAULT_ENGINE_CONFIG } from './config.js';
import { FacetIndex } from './facets.js';
import { buildFeed, createFeedCaches } from './feed.js';
import { OnlineState } from './online-state.js';

const T0 = Date.UTC(2026, 10, 1);
const TYPES: EventType[] = ['view', 'view', 'like', 'skip', 'share'];

/** A seeded platform: 1,500 items over 60 tags, 200 users each drawn to a few tags. */
function platform(): OnlineState {
  const state = new OnlineState(DEFAULT_ENGINE_CONFIG);
  for (let i = 0; i < 1_500; i++) {
    state.upsertItem({
      id: `v${i}` as ItemId,
      creatorId: `c${i % 90}` as CreatorId,
      tags: [`t${i % 60}`, `t${(i * 7) % 60}`],
      createdAt: T0 - (1_500 - i) * 60_000,
      updatedAt: T0,
      visibility: 'visible',
    });
  }
  const random = createRandom(5);
  for (let e = 0; e < 12_000; e++) {
    const u = random.int(200);
    const item = (u % 60) + 60 * random.int(25);
    state.apply({
      userId: `u${u}` as UserId,
      itemId: `v${item}` as ItemId,
      type: TYPES[random.int(TYPES.length)]!,
      watchRatio: random.next(),
      at: T0 + e * 1_000,
    });
  }
  return state;
}

test('a feed built with the caches is the feed built without them', () => {
  const config = DEFAULT_ENGINE_CONFIG;
  const nowMs = T0 + 12_000 * 1_000;
  const plain = platform();
  const cached = platform();
  const plainFacets = new FacetIndex(plain, config);
  const cachedFacets = new FacetIndex(cached, config);
  const caches = createFeedCaches();
  for (let u = 0; u < 200; u += 7) {
    for (let round = 0; round < 2; round++) {
      const a = buildFeed(plain, config, plainFacets, `u${u}`, 20, nowMs, undefined, createRandom(u));
      const b = buildFeed(
        cached,
        config,
        cachedFacets,
        `u${u}`,
        20,
        nowMs,
        undefined,
        createRandom(u),
        caches,
      );
      assert.deepEqual(b, a, `user u${u}, round ${round}`);
    }
  }
  assert.ok(caches.tags.size > 0);
});

test('calibration places the 150 best-blended candidates of a feed of 20 into facets, no more', () => {
  const config = DEFAULT_ENGINE_CONFIG;
  const state = platform();
  const facets = new FacetIndex(state, config);
  let placed = 0;
  const nearest = facets.nearestFacet.bind(facets);
  facets.nearestFacet = (i, among, minSimilarity) => {
    placed++;
    return nearest(i, among, minSimilarity);
  };
  // u7 has facets and well over 150 candidates.
  assert.ok(facets.facets(state.users.get('u7'), T0 + 12_000 * 1_000, []).length > 0);
  const feed = buildFeed(state, config, facets, 'u7', 20, T0 + 12_000 * 1_000, undefined, createRandom(7));
  assert.equal(feed.length, 20);
  assert.equal(placed, 150);
});
