import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventIdHash } from './event-id-hash.js';

test('an event id hashes to the same value as in every database already written', () => {
  assert.equal(eventIdHash(''), -36079147254773);
  assert.equal(eventIdHash('e1'), -44863095426083);
  assert.equal(eventIdHash('3f6c1d2e-8a4b-4f0e-9c71-5d2b8e0a1f34'), 75312359904485);
  assert.equal(eventIdHash('é😀-1'), 118666141521826);
});

test('hashes are integers that SQLite stores in 6 bytes, and 200,000 ids get distinct ones', () => {
  const seen = new Set<number>();
  for (let k = 0; k < 200_000; k++) {
    const hash = eventIdHash(`id-${k}`);
    assert.ok(Number.isInteger(hash) && hash >= -(2 ** 47) && hash < 2 ** 47);
    seen.add(hash);
  }
  assert.equal(seen.size, 200_000);
});
