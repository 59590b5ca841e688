import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserItems } from './user-items.js';

test('entries keep their fields through growth and past the indexed size, in first-seen order', () => {
  const t = new UserItems();
  const items = Array.from({ length: 300 }, (_, k) => (k * 7919) % 100_003);
  for (const [k, item] of items.entries()) {
    const e = t.insert(item);
    t.setWeight(e, k / 10);
    t.setLastAt(e, 1_700_000_000_000 + k);
    t.setJudged(e, (k % 3) - 1);
  }
  assert.equal(t.size, 300);
  for (const [k, item] of items.entries()) {
    const e = t.find(item);
    assert.equal(e, k);
    assert.equal(t.item(e), item);
    assert.equal(t.weight(e), k / 10);
    assert.equal(t.lastAt(e), 1_700_000_000_000 + k);
    assert.equal(t.judged(e), (k % 3) - 1);
    assert.ok(Number.isNaN(t.credit(e)));
    assert.equal(t.trendAt(e), Number.NEGATIVE_INFINITY);
  }
  assert.equal(t.find(5), -1);
});

test('a judgement set on an item does not make its neighbours findable', () => {
  const t = new UserItems();
  t.setJudged(t.insert(10), 1);
  t.setJudged(t.insert(12), -1);
  assert.equal(t.find(11), -1);
  assert.equal(t.find(9), -1);
  assert.equal(t.find(10), 0);
  assert.equal(t.find(12), 1);
  assert.equal(t.judged(0), 1);
  assert.equal(t.judged(1), -1);
});
