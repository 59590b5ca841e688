import assert from 'node:assert/strict';
import { test } from 'node:test';
import { T0, tempDbPath } from '../../test/helpers.js';
import { loadDemo } from '../cli/demo.js';
import type { Engine } from './engine.js';
import { ModelCandidateCache } from './model-candidates.js';
import type { UserState } from './online-state.js';
import type { ServingModel } from './serving-model.js';

/** A model stand-in: the cache only compares models by identity. */
const modelA = {} as ServingModel;
const modelB = {} as ServingModel;

function counted(list: number[]): { compute: (ask: number) => Int32Array; calls: () => number } {
  let calls = 0;
  return {
    compute: (ask) => {
      calls++;
      return Int32Array.from(list.slice(0, ask));
    },
    calls: () => calls,
  };
}

const ranked = Array.from({ length: 100 }, (_, i) => i);
const none = (): boolean => false;

test('a second feed of the user reuses the list, without what they have seen since', () => {
  const cache = new ModelCandidateCache();
  const user = { eventCount: 3 } as UserState;
  const model = counted(ranked);
  assert.deepEqual([...cache.get(7, user, modelA, 4, none, model.compute)], [0, 1, 2, 3]);
  const seen = new Set([1]);
  assert.deepEqual([...cache.get(7, user, modelA, 4, (i) => seen.has(i), model.compute)], [0, 2, 3, 4]);
  assert.equal(model.calls(), 1);
});

test("the user's events refresh the list after ten of them", () => {
  const cache = new ModelCandidateCache();
  const user = { eventCount: 0 } as UserState;
  const model = counted(ranked);
  cache.get(7, user, modelA, 4, none, model.compute);
  user.eventCount = 9;
  cache.get(7, user, modelA, 4, none, model.compute);
  assert.equal(model.calls(), 1);
  user.eventCount = 10;
  cache.get(7, user, modelA, 4, none, model.compute);
  assert.equal(model.calls(), 2);
});

test('a list the filter has thinned below a feed is recomputed', () => {
  const cache = new ModelCandidateCache();
  const user = { eventCount: 0 } as UserState;
  const model = counted(ranked);
  cache.get(7, user, modelA, 8, none, model.compute);
  // 10 kept (1.25 × 8); with 3 of them seen only 7 are left.
  cache.get(7, user, modelA, 8, (i) => i < 3, model.compute);
  assert.equal(model.calls(), 2);
});

test('a new model empties the cache', () => {
  const cache = new ModelCandidateCache();
  const user = { eventCount: 0 } as UserState;
  const model = counted(ranked);
  cache.get(1, user, modelA, 4, none, model.compute);
  cache.get(2, user, modelA, 4, none, model.compute);
  cache.get(1, user, modelB, 4, none, model.compute);
  assert.equal(model.calls(), 3);
  assert.equal(cache.size, 1);
});

test('the least recently served user is dropped past the cap', () => {
  const cache = new ModelCandidateCache(2);
  const user = { eventCount: 0 } as UserState;
  const model = counted(ranked);
  cache.get(1, user, modelA, 4, none, model.compute);
  cache.get(2, user, modelA, 4, none, model.compute);
  cache.get(1, user, modelA, 4, none, model.compute);
  cache.get(3, user, modelA, 4, none, model.compute);
  assert.equal(cache.size, 2);
  assert.equal(model.calls(), 3);
  cache.get(1, user, modelA, 4, none, model.compute);
  assert.equal(model.calls(), 3);
  cache.get(2, user, modelA, 4, none, model.compute);
  assert.equal(model.calls(), 4);
});

/** A small demo platform's engine, trained. */
async function trainedDemo(): Promise<Engine> {
  const engine = await loadDemo(tempDbPath('model-candidates'), 7, T0, {
    creators: 20,
    items: 300,
    users: 120,
    eventsPerUser: 25,
  });
  await engine.train();
  return engine;
}

test('with a trained model, an item the user just liked leaves their next feed', async () => {
  const engine = await trainedDemo();
  const first = await engine.feed('u0001', 20);
  const liked = first.items.find((i) => i.reason.source === 'model' || i.reason.source === 'facet');
  assert.ok(liked !== undefined);
  await engine.ingest({ events: [{ userId: 'u0001', itemId: liked.itemId, type: 'like' }] });
  const next = await engine.feed('u0001', 20);
  assert.equal(next.items.length, 20);
  assert.ok(!next.items.some((i) => i.itemId === liked.itemId));
  await engine.close();
});

test("the blend's status counts the users whose candidates are kept and the feeds that read or computed a list", async () => {
  const engine = await trainedDemo();
  const cacheOf = async () => (await engine.status()).models.find((m) => m.name === 'blend')?.candidateCache;
  assert.deepEqual(await cacheOf(), { users: 0, hits: 0, misses: 0 });
  await engine.feed('u0001', 20);
  await engine.feed('u0002', 20);
  await engine.feed('u0001', 20);
  assert.deepEqual(await cacheOf(), { users: 2, hits: 1, misses: 2 });
  await engine.close();
});
