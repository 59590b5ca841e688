import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createClock, openEngine } from '../../test/helpers.js';
import type { EventInput, ItemId, UserId } from '../types.js';
import { DEFAULT_ENGINE_CONFIG } from './config.js';
import { OnlineState, type UserState } from './online-state.js';
import { interestMatch, userTagAffinity } from './tag-affinity.js';

const HOUR = 3600_000;

async function platform() {
  const clock = createClock();
  const engine = await openEngine(':memory:', {
    now: clock.now,
    config: { exploration: { ...DEFAULT_ENGINE_CONFIG.exploration, share: 0 } },
  });
  const items = [];
  for (let k = 0; k < 10; k++) {
    for (const topic of ['cats', 'cars', 'cooking']) {
      items.push({
        id: `${topic}${k}`,
        creatorId: `${topic}-c${k}`,
        tags: [topic],
        createdAt: clock.now() - 99 * HOUR,
      });
    }
  }
  await engine.putItems({ items });
  return engine;
}

test('a user who loved cat videos and skipped a car video is offered cat videos, named in the reason', async () => {
  const engine = await platform();
  await engine.ingest({
    events: [
      { userId: 'u', itemId: 'cats0', type: 'view', watchRatio: 1 },
      { userId: 'u', itemId: 'cats0', type: 'like' },
      { userId: 'u', itemId: 'cars0', type: 'skip' },
    ],
  });
  const feed = (await engine.feed('u', 5)).items;
  assert.ok(feed.every((i) => i.itemId.startsWith('cats')));
  // Tag-affinity picks are named by the user's facet when they have one.
  assert.ok(['similar-tags', 'facet'].includes(feed[0]!.reason.source));
  assert.match(feed[0]!.reason.text, /cats/);
});

test('the newest interest leads: after a run of cooking likes, cooking outranks the older cat interest', async () => {
  const engine = await platform();
  const events: EventInput[] = [];
  const t0 = Date.UTC(2026, 10, 1) - HOUR;
  for (let k = 0; k < 3; k++)
    events.push({ userId: 'u', itemId: `cats${k}`, type: 'like', at: t0 + k * 60_000 });
  for (let k = 0; k < 3; k++) {
    events.push({ userId: 'u', itemId: `cooking${k}`, type: 'like', at: t0 + (10 + k) * 60_000 });
  }
  await engine.ingest({ events });
  const feed = (await engine.feed('u', 4)).items;
  assert.ok(feed[0]?.itemId.startsWith('cooking'), feed.map((i) => i.itemId).join());
  assert.ok(!feed.some((i) => i.itemId.startsWith('cars')));
});

function stateWithUser(): { state: OnlineState; user: UserState } {
  const state = new OnlineState(DEFAULT_ENGINE_CONFIG);
  const t0 = Date.UTC(2026, 10, 1);
  for (const [id, tags] of [
    ['a', ['cats']],
    ['b', ['cars', 'cats']],
    ['c', ['cooking']],
  ] as const) {
    state.upsertItem({
      id: id as ItemId,
      tags: [...tags],
      createdAt: t0,
      updatedAt: t0,
      visibility: 'visible',
    });
  }
  state.apply({ userId: 'u' as UserId, itemId: 'a' as ItemId, type: 'like', at: t0 + 1 });
  return { state, user: state.userStates.get(state.users.get('u'))! };
}

test("an item's interest match follows its tags after its record is replaced", () => {
  const { state, user } = stateWithUser();
  const nowMs = Date.UTC(2026, 10, 1) + 2;
  const affinity = userTagAffinity(state, DEFAULT_ENGINE_CONFIG, user, nowMs);
  const c = state.items.get('c');
  assert.equal(interestMatch(state, affinity, state.items.get('b')), 1);
  assert.equal(interestMatch(state, affinity, c), 0);
  const t0 = Date.UTC(2026, 10, 1);
  state.upsertItem({
    id: 'c' as ItemId,
    tags: ['cats'],
    createdAt: t0,
    updatedAt: t0,
    visibility: 'visible',
  });
  assert.equal(interestMatch(state, affinity, c), 1);
});

test('an affinity still answers after a newer one was built for the same state', () => {
  const { state, user } = stateWithUser();
  const nowMs = Date.UTC(2026, 10, 1) + 2;
  const first = userTagAffinity(state, DEFAULT_ENGINE_CONFIG, user, nowMs);
  const b = state.items.get('b');
  state.apply({ userId: 'v' as UserId, itemId: 'c' as ItemId, type: 'like', at: nowMs });
  const second = userTagAffinity(
    state,
    DEFAULT_ENGINE_CONFIG,
    state.userStates.get(state.users.get('v'))!,
    nowMs,
  );
  assert.equal(interestMatch(state, first, b), 1);
  assert.equal(interestMatch(state, second, b), 0);
  assert.equal(interestMatch(state, second, state.items.get('c')), 1);
});
