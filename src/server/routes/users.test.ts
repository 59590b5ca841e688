import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import type { FeedItem } from '../../engine/feed.js';
import type { Reason } from '../../engine/reasons.js';
import { FEED_RESPONSE } from './users.js';

test('the feed schema writes the same bytes as JSON.stringify, every reason field included', async () => {
  const items: FeedItem[] = [
    {
      itemId: 'v"1\\\u2028',
      score: 0.123457,
      reason: {
        source: 'facet',
        exploration: false,
        text: 'Because you liked “猫咪” \n',
        facet: 'cats · pets',
        because: ['v2', 'v3'],
      },
    },
    { itemId: 'v4', score: 0, reason: { source: 'fallback', exploration: true, text: 'x' } },
    { itemId: 'v5', score: 1e-7, reason: { source: 'model', exploration: false, text: 'y', because: [] } },
  ];
  const app = Fastify();
  app.get('/feed', { schema: { response: { 200: FEED_RESPONSE } } }, async () => ({ items }));
  const res = await app.inject({ method: 'GET', url: '/feed' });
  await app.close();
  assert.equal(res.body, JSON.stringify({ items }));
});

test('the feed schema names every field of a reason', () => {
  // A new Reason field fails to compile here until it is added, then fails below until the schema has it.
  const fields: Record<keyof Reason, true> = {
    source: true,
    exploration: true,
    text: true,
    facet: true,
    because: true,
  };
  const reason = FEED_RESPONSE.properties.items.items.properties.reason.properties;
  assert.deepEqual(Object.keys(reason).sort(), Object.keys(fields).sort());
});
