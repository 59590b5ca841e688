import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generatePlatform, ingestBatch, plainPass, platformMatrix } from './synthetic.js';

const size = { items: 2_000, users: 500, events: 20_000 };

test('the synthetic platform is the same for the same seed and different for another', () => {
  const a = generatePlatform(size);
  const b = generatePlatform(size);
  const c = generatePlatform({ ...size, seed: 8 });
  assert.deepEqual(a.eventItem, b.eventItem);
  assert.notDeepEqual(a.eventItem, c.eventItem);
});

test('popularity is skewed: the most popular tenth of items gets over 40% of events', () => {
  const p = generatePlatform(size);
  const counts = new Int32Array(size.items);
  for (const i of p.eventItem) counts[i]!++;
  const sorted = [...counts].sort((x, y) => y - x);
  const top = sorted.slice(0, size.items / 10).reduce((s, v) => s + v, 0);
  assert.ok(top / size.events > 0.4, `top 10% share ${top / size.events}`);
});

test('users mostly stay in their favourite topics', () => {
  const p = generatePlatform({ items: 20_000, users: 200, events: 20_000 });
  const perUser = new Map<number, Map<number, number>>();
  for (let e = 0; e < 20_000; e++) {
    const u = p.eventUser[e]!;
    const topic = p.itemTopic[p.eventItem[e]!]!;
    if (!perUser.has(u)) perUser.set(u, new Map());
    const counts = perUser.get(u)!;
    counts.set(topic, (counts.get(topic) ?? 0) + 1);
  }
  // Three favourites out of 20 topics take about 85% of a user's events, plus their random share.
  let inTop3 = 0;
  for (const counts of perUser.values()) {
    inTop3 += [...counts.values()]
      .sort((a, b) => b - a)
      .slice(0, 3)
      .reduce((s, v) => s + v, 0);
  }
  assert.equal(p.topics, 20);
  assert.ok(inTop3 / 20_000 > 0.8, `share in top-3 topics ${inTop3 / 20_000}`);
});

test('an ingest batch is the same rows for the same seed and index, with fresh ids', () => {
  const a = ingestBatch(5, 3, 100, 500, 2_000);
  assert.deepEqual(a, ingestBatch(5, 3, 100, 500, 2_000));
  assert.equal(new Set(a.map((e) => e.id)).size, 100);
  assert.notDeepEqual(a, ingestBatch(5, 4, 100, 500, 2_000));
});

test('the plain pass reads every nonzero once', () => {
  const m = platformMatrix(generatePlatform({ items: 10, users: 3, events: 50 }));
  let expected = 0;
  for (let e = 0; e < m.indices.length; e++) expected += m.indices[e]! * m.values[e]!;
  assert.equal(plainPass(m), expected);
});
