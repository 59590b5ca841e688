import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom } from '../core/random.js';
import { IdIndex, idHash } from './id-index.js';

test('ids get dense indices in order of first sight, and each keeps its index', () => {
  const ids = new IdIndex();
  assert.equal(ids.intern('v42'), 0);
  assert.equal(ids.intern('u1'), 1);
  assert.equal(ids.intern('v42'), 0);
  assert.equal(ids.size, 2);
  assert.equal(ids.get('u1'), 1);
  assert.equal(ids.get('nobody'), -1);
  assert.equal(ids.id(1), 'u1');
  assert.throws(() => ids.id(2), RangeError);
});

test('lookups agree with a Map through many growths, for ids built apart from the interned strings', () => {
  const ids = new IdIndex();
  const reference = new Map<string, number>();
  const random = createRandom(11);
  // Short, long, empty, non-ASCII and lone-surrogate ids, many sharing prefixes.
  const make = (n: number): string =>
    [`user-${n}`, `${n}`, `item-${n}-${'x'.repeat(n % 300)}`, `é${n}😀`, `\ud800${n}`, ''][n % 6]!;
  for (let k = 0; k < 30_000; k++) {
    const n = random.int(10_000);
    const id = make(n);
    const expected = reference.get(id) ?? reference.size;
    reference.set(id, expected);
    // A copy that is equal but not the same string object.
    const copy = JSON.parse(JSON.stringify(id)) as string;
    assert.equal(k % 2 === 0 ? ids.intern(copy) : ids.intern(id), expected);
  }
  assert.equal(ids.size, reference.size);
  for (const [id, index] of reference) {
    assert.equal(ids.get(`${id}`), index);
    assert.equal(ids.id(index), id);
  }
  for (let n = 0; n < 100; n++) assert.equal(ids.get(`${make(n)}-unseen`), -1);
});

test('a lookup by the id and its hash, after reading its slot ahead, finds what a plain lookup finds', () => {
  const ids = new IdIndex();
  const plain = new IdIndex();
  const random = createRandom(12);
  for (let k = 0; k < 5_000; k++) {
    const id = `user-${random.int(3_000)}`;
    const hash = idHash(id);
    const stored = ids.touchSlot(hash);
    // The slot holds nothing or an index + 1, and the id read there is a real id's length.
    assert.ok(stored >= 0 && stored <= ids.size);
    assert.ok(ids.touchId(stored) >= (stored === 0 ? 0 : 'user-0'.length));
    assert.equal(ids.internHashed(id, hash), plain.intern(id));
  }
  assert.equal(ids.size, plain.size);
});
