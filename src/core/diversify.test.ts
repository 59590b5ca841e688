import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diversify } from './diversify.js';
import { createRandom } from './random.js';

test('no group has more than two items in any window of ten', () => {
  const rng = createRandom(5);
  const groups = Array.from({ length: 200 }, () => rng.int(6));
  const ranked = [...groups.keys()];
  const picked = diversify(ranked, (i) => groups[i]!, 40, { window: 10, maxPerGroup: 2 });
  assert.equal(picked.length, 40);
  for (let s = 0; s + 10 <= picked.length; s++) {
    const counts = new Map<number, number>();
    for (const i of picked.slice(s, s + 10)) counts.set(groups[i]!, (counts.get(groups[i]!) ?? 0) + 1);
    assert.ok(Math.max(...counts.values()) <= 2, `window at ${s}`);
  }
});

test('rank order is kept among the items that fit', () => {
  assert.deepEqual(
    diversify([0, 1, 2, 3], (i) => (i < 3 ? 0 : 1), 3, { window: 10, maxPerGroup: 2 }),
    [0, 1, 3],
  );
});

test('when one group is all that is left, it still fills the list', () => {
  assert.deepEqual(
    diversify([4, 5, 6], () => 0, 3, { window: 10, maxPerGroup: 2 }),
    [4, 5, 6],
  );
});

test('a negative group (no creator) is never limited', () => {
  assert.deepEqual(
    diversify([1, 2, 3], () => -1, 3, { window: 10, maxPerGroup: 1 }),
    [1, 2, 3],
  );
});
