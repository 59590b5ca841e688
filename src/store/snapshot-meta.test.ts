import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeMetaInSlices, parseMetaInSlices } from './snapshot-meta.js';

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

test('a meta parsed in slices equals JSON.parse of its text, arrays of many chunks included', async () => {
  const meta = {
    itemIds: Array.from({ length: 10_001 }, (_, i) =>
      i % 3 === 0 ? `vidéo-${i}` : `item "${i}", [x] {y} \\`,
    ),
    report: { users: 3, weights: { ials: 1 }, members: [{ kind: 'ials' }] },
    empty: [],
    nested: [[1, [2, 3]], { a: [4] }, '[', ']', null],
    holes: [1, null, 'ü', 'lone \ud800', '\ud83c\udfb5'],
    objects: Array.from({ length: 300 }, (_, i) => ({ id: `x${i}`, tags: ['a', 'b', 'ccc'] })),
    n: 7,
    s: 'a,b:c',
  };
  const json = JSON.stringify(meta);
  assert.deepEqual(await parseMetaInSlices(json), JSON.parse(json));
  assert.deepEqual(await parseMetaInSlices(text(await encodeMetaInSlices(meta))), JSON.parse(json));
  const spaced = JSON.stringify(meta, null, 2);
  assert.deepEqual(await parseMetaInSlices(` ${spaced}\n`), JSON.parse(spaced));
});

test('a meta parsed in slices keeps a __proto__ key as JSON.parse does, and {} is empty', async () => {
  const json = '{"__proto__":{"polluted":true},"a":[1]}';
  const parsed = await parseMetaInSlices(json);
  assert.deepEqual(Object.keys(parsed), ['__proto__', 'a']);
  assert.equal(Object.getPrototypeOf(parsed), Object.prototype);
  assert.deepEqual(await parseMetaInSlices('{}'), {});
  assert.deepEqual(await parseMetaInSlices(' { } '), {});
});

test('text that is not one JSON object fails as JSON.parse does, or parses as it does', async () => {
  for (const bad of ['{"a":[1][2]}', '{"a":[1,}', '{"a":1', '{"a":[1]} x', '{"a" 1}', '{1:2}', '{"a":[1}']) {
    assert.throws(() => JSON.parse(bad), SyntaxError);
    await assert.rejects(() => parseMetaInSlices(bad), SyntaxError, bad);
  }
  assert.deepEqual(await parseMetaInSlices('[1,2]'), [1, 2]);
});

test('a long array in a meta is parsed a chunk of elements at a time, never the whole text at once', async () => {
  const json = JSON.stringify({
    itemIds: Array.from({ length: 20_000 }, (_, i) => `item-${i}`),
    report: { a: 1 },
  });
  const parse = JSON.parse;
  let longest = 0;
  JSON.parse = ((source: string, reviver?: Parameters<typeof parse>[1]) => {
    longest = Math.max(longest, source.length);
    return parse(source, reviver);
  }) as typeof JSON.parse;
  let parsed: unknown;
  try {
    parsed = await parseMetaInSlices(json);
  } finally {
    JSON.parse = parse;
  }
  assert.deepEqual(parsed, parse(json));
  assert.ok(longest < json.length / 4, `longest text parsed at once: ${longest} of ${json.length}`);
});
