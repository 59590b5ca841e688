import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csrFromTriples } from '../core/csr.js';
import { createRandom } from '../core/random.js';
import { DEFAULT_ENGINE_CONFIG } from '../engine/config.js';
import { evaluateFeeds } from './feeds.js';
import { splitPerUser } from './protocol.js';

/** 10 communities of 20 items; each of 12 users per community likes 8 of their community's items. */
function communities() {
  const rng = createRandom(3);
  const users: number[] = [];
  const items: number[] = [];
  for (let u = 0; u < 120; u++) {
    const community = u % 10;
    const liked = new Set<number>();
    while (liked.size < 8) liked.add(community * 20 + rng.int(20));
    for (const i of liked) {
      users.push(u);
      items.push(i);
    }
  }
  const matrix = csrFromTriples(120, 200, Int32Array.from(users), Int32Array.from(items));
  const itemIds = Array.from({ length: 200 }, (_, i) => `m${i}`);
  return { matrix, itemIds };
}

test('feeds are scored against each user’s held-out items: a community’s items are found, well above chance', async () => {
  const { matrix, itemIds } = communities();
  const split = splitPerUser(matrix, 0.25, 42);
  const heldOutUsers = Array.from(
    { length: 120 },
    (_, u) => split.test.indptr[u + 1]! - split.test.indptr[u]!,
  ).filter((n) => n > 0).length;
  const metrics = await evaluateFeeds(itemIds, split.train, split.test, { model: false });
  assert.equal(metrics.users, heldOutUsers);
  assert.equal(metrics.meanFeedLength, 20);
  assert.equal(metrics.trainMs, 0);
  // 2 held-out items among a user's 12 unseen community items, of 194 unseen: chance is about 0.1.
  assert.ok(metrics.recall20 > 0.6, `recall@20 ${metrics.recall20}`);
  assert.ok(metrics.ndcg10 > 0.2 && metrics.ndcg10 <= 1, `NDCG@10 ${metrics.ndcg10}`);
});

test('with the model the engine trains first, and its feeds are scored the same way', async () => {
  const { matrix, itemIds } = communities();
  const split = splitPerUser(matrix, 0.25, 42);
  const metrics = await evaluateFeeds(itemIds, split.train, split.test, { model: true });
  assert.ok(metrics.trainMs > 0);
  assert.equal(metrics.meanFeedLength, 20);
  assert.ok(metrics.recall20 > 0.6, `recall@20 ${metrics.recall20}`);
});

test('the engine runs with the configuration given: feeds made all of exploration find fewer of the communities’ items', async () => {
  const { matrix, itemIds } = communities();
  const split = splitPerUser(matrix, 0.25, 42);
  const config = {
    exploration: { ...DEFAULT_ENGINE_CONFIG.exploration, share: 1, maxPerUserPerHour: 1_000 },
  };
  const metrics = await evaluateFeeds(itemIds, split.train, split.test, { model: false, config });
  assert.ok(metrics.recall20 < 0.6, `recall@20 ${metrics.recall20}`);
});
