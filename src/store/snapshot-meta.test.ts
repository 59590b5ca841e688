import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeMetaInSlices } from './snapshot-meta.js';

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

test('a meta encoded in slices is the UTF-8 of its JSON.stringify, in shared memory', async () => {
  const meta = {
    itemIds: Array.from({ length: 10_001 }, (_, i) => (i % 3 === 0 ? `vidéo-${i}` : `item "${i}"`)),
    report: { users: 3, weights: { ials: 1 }, members: [{ kind: 'ials' }] },
    skipped: undefined,
    empty: [],
    holes: [1, undefined, 'ü', 'lone \ud800', '\ud83c\udfb5'],
    // Elements counted short up front: the buffer grows as they are written.
    objects: Array.from({ length: 300 }, (_, i) => ({ id: `x${i}`, tags: ['a', 'b', 'ccc'] })),
    n: 7,
  };
  const bytes = await encodeMetaInSlices(meta);
  assert.equal(text(bytes), JSON.stringify(meta));
  assert.ok(bytes.buffer instanceof SharedArrayBuffer);
});

test('an empty meta encodes as {}', async () => {
  assert.equal(text(await encodeMetaInSlices({})), '{}');
});
