import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom } from './random.js';
import { DecayedCounters, rankTrends, type TrendRule, trendOf } from './trends.js';

const HOUR = 3600_000;
const RULE: TrendRule = {
  shortHalfLifeMs: HOUR,
  longHalfLifeMs: 24 * HOUR,
  minSupport: 3,
  minVelocity: 1.5,
  pseudoCount: 1,
  youngMs: 2 * HOUR,
};

test('a count halves after one half-life on each horizon', () => {
  const c = new DecayedCounters(RULE);
  c.add(2, 8, 0);
  assert.equal(c.shortAt(2, HOUR), 4);
  assert.equal(c.longAt(2, 24 * HOUR), 4);
  assert.equal(c.shortAt(0, HOUR), 0);
  assert.equal(c.keyCount, 3);
});

test('counts stay exact across a rebase far in the future', () => {
  const c = new DecayedCounters(RULE);
  c.add(0, 1, 0);
  c.add(1, 1, 500 * HOUR);
  assert.ok(Math.abs(c.shortAt(1, 501 * HOUR) - 0.5) < 1e-12);
  assert.ok(Math.abs(c.longAt(0, 48 * HOUR) - 0.25) < 1e-12);
});

test('a key growing at a steady rate has velocity near 1 and does not trend', () => {
  const c = new DecayedCounters(RULE);
  for (let t = 0; t <= 10 * 24 * HOUR; t += HOUR / 10) c.add(0, 1, t);
  const now = 10 * 24 * HOUR;
  const { velocity } = trendOf(c.shortAt(0, now), c.longAt(0, now), RULE);
  assert.ok(Math.abs(velocity - 1) < 0.05, `velocity ${velocity}`);
  assert.deepEqual(rankTrends(c, 5, now, RULE), []);
});

test('on a young platform a key engaged steadily for eight hours does not trend', () => {
  const c = new DecayedCounters(RULE);
  for (let t = 0; t <= 8 * HOUR; t += HOUR / 20) c.add(0, 1, t);
  const now = 8 * HOUR;
  const { velocity } = trendOf(c.shortAt(0, now), c.longAt(0, now), RULE, c.ageAt(0, now));
  assert.ok(Math.abs(velocity - 1) < 0.05, `velocity ${velocity}`);
  assert.deepEqual(rankTrends(c, 5, now, RULE), []);
  // The same history with its age ignored would look like a strong rise.
  assert.ok(trendOf(c.shortAt(0, now), c.longAt(0, now), RULE).velocity > 3);
});

test('a burst on a quiet key rises above its baseline with the closed-form velocity', () => {
  // Ten users just now, no history: expected short = 10/24, velocity = 11 / (10/24 + 1).
  const t = trendOf(10, 10, RULE);
  assert.ok(Math.abs(t.velocity - 11 / (10 / 24 + 1)) < 1e-12);
  assert.ok(Math.abs(t.score - (10 - 10 / 24)) < 1e-12);
});

test('keys below the minimum support never trend, however fast they rise', () => {
  const c = new DecayedCounters(RULE);
  c.add(0, 2, 0);
  c.add(1, 5, 0);
  c.add(2, 9, 0);
  const trends = rankTrends(c, 5, 0, RULE);
  assert.deepEqual(
    trends.map((t) => t.key),
    [2, 1],
  );
  assert.deepEqual(
    rankTrends(c, 5, 0, RULE, (k) => k === 2).map((t) => t.key),
    [1],
  );
});

test('a new key with a strong start outranks a big key rising in bulk, each reporting its plain excess', () => {
  const c = new DecayedCounters(RULE);
  // Key 0: 20 users an hour for ten hours, then 80 in the last hour. Key 1: nine users, just now.
  for (let t = 0; t < 10 * HOUR; t += HOUR / 20) c.add(0, 1, t);
  for (let t = 10 * HOUR; t < 11 * HOUR; t += HOUR / 80) c.add(0, 1, t);
  const now = 11 * HOUR;
  c.add(1, 9, now);
  const trends = rankTrends(c, 5, now, RULE);
  assert.deepEqual(
    trends.map((t) => t.key),
    [1, 0],
  );
  assert.ok(trends[1]!.score > trends[0]!.score, `bulk excess ${trends[1]!.score} vs ${trends[0]!.score}`);
});

test('forEachShortAtLeast visits exactly the keys shortAt puts at or above the minimum, with its values', () => {
  const horizons = { shortHalfLifeMs: 3_600_000, longHalfLifeMs: 86_400_000 };
  const empty = new DecayedCounters(horizons);
  const none: number[] = [];
  empty.forEachShortAtLeast(0.5, 0, (key) => none.push(key));
  assert.deepEqual(none, []);

  const random = createRandom(11);
  const counters = new DecayedCounters(horizons);
  const t0 = 1_000_000_000;
  for (let e = 0; e < 5_000; e++) {
    counters.add(random.int(300), random.next() * 2, t0 + random.int(48 * 3_600_000));
  }
  for (const [min, nowMs] of [
    [0.5, t0 + 48 * 3_600_000],
    [1, t0 + 47 * 3_600_000],
    [0, t0 + 60 * 3_600_000],
  ] as const) {
    const visited: [number, number][] = [];
    counters.forEachShortAtLeast(min, nowMs, (key, s) => visited.push([key, s]));
    const expected: [number, number][] = [];
    for (let key = 0; key < counters.keyCount; key++) {
      const s = counters.shortAt(key, nowMs);
      if (s >= min) expected.push([key, s]);
    }
    assert.ok(expected.length > 0 && (min === 0 || expected.length < counters.keyCount), `min ${min}`);
    assert.deepEqual(visited, expected);
  }
});
