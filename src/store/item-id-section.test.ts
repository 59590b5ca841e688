import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SetlistError } from '../errors.js';
import { decodeItemIdSection, encodeItemIdSection } from './item-id-section.js';

const decoded = (section: Uint8Array, count: number): string[] => {
  const ids: string[] = [];
  decodeItemIdSection(section, count, (m, id) => {
    ids[m] = id;
  });
  return ids;
};

const damaged = (section: Uint8Array, count: number, why: RegExp): void => {
  let handedOut = 0;
  assert.throws(
    () => decodeItemIdSection(section, count, () => handedOut++),
    (err: unknown) =>
      err instanceof SetlistError &&
      err.code === 'SETLIST_ERR_INTERNAL' &&
      /item id section is damaged/.test(err.message) &&
      why.test(err.message),
  );
  assert.equal(handedOut, 0, 'no id is handed out from a damaged section');
};

test('item ids round-trip through a section, exact for any string: non-ASCII, astral, lone surrogates, long', async () => {
  const ids = [
    'a',
    '',
    'item-42',
    'café',
    '日本',
    '🎬clip',
    'x\ud800y',
    '\udc00',
    'é'.repeat(200),
    'z'.repeat(300),
  ];
  const section = await encodeItemIdSection(ids.length, (m) => ids[m]!);
  assert.ok(section.buffer instanceof SharedArrayBuffer);
  assert.deepEqual(decoded(section, ids.length), ids);
});

test('an ASCII id takes its length byte and one byte a character', async () => {
  const ids = ['ab', 'cde'];
  const section = await encodeItemIdSection(ids.length, (m) => ids[m]!);
  assert.deepEqual([...section.subarray(8)], [2, 0x61, 0x62, 3, 0x63, 0x64, 0x65]);
});

test('a section of many ids, grown past its first size by non-ASCII ones, decodes in order', async () => {
  const ids = Array.from({ length: 20_000 }, (_, m) => (m % 7 === 0 ? `ü-${m}-日本語` : `i${m}`));
  const section = await encodeItemIdSection(ids.length, (m) => ids[m]!);
  assert.deepEqual(decoded(section, ids.length), ids);
});

test('a short, headless or padded section, or one of another count, fails clearly with no id handed out', async () => {
  const ids = ['first', 'second', 'third'];
  const section = await encodeItemIdSection(ids.length, (m) => ids[m]!);
  damaged(section.subarray(0, section.length - 2), 3, /id 2 of 3 ends past/);
  damaged(section.subarray(0, 8 + 6), 3, /id 1 of 3 has no length/);
  damaged(section.subarray(0, 5), 3, /no header/);
  damaged(Uint8Array.of(...section, 0), 3, /1 bytes after its 3 ids/);
  damaged(section, 4, /holds 3 ids for a model of 4 items/);
  const foreign = Uint8Array.from(section);
  foreign[0] = 0x7b;
  damaged(foreign, 3, /no header/);
});
