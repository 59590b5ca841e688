import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SetlistError } from '../errors.js';
import { decodeItemIdSection, encodeItemIdSection } from './item-id-section.js';

/** The section of `ids` as model items 0, 1, ..., each read by the same index. */
const sectionOf = (ids: readonly string[]): Promise<Uint8Array> =>
  encodeItemIdSection(
    Int32Array.from(ids, (_, m) => m),
    ids.length,
    (i) => ids[i]!,
  );

const decoded = async (section: Uint8Array, count: number): Promise<string[]> => {
  const ids: string[] = [];
  await decodeItemIdSection(section, count, (m, id) => {
    ids[m] = id;
  });
  return ids;
};

const damaged = async (section: Uint8Array, count: number, why: RegExp): Promise<void> => {
  let handedOut = 0;
  await assert.rejects(
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
  const section = await sectionOf(ids);
  assert.ok(section.buffer instanceof SharedArrayBuffer);
  assert.deepEqual(await decoded(section, ids.length), ids);
});

test('an ASCII id takes its model item, its length and one byte a character', async () => {
  const section = await sectionOf(['ab', 'cde']);
  assert.deepEqual([...section.subarray(8)], [0, 2, 0x61, 0x62, 1, 3, 0x63, 0x64, 0x65]);
});

test('ids read by index land at their model items, indices without one skipped', async () => {
  // Index i holds id `i${i}`; model item m is index 3m + 1 of 60,001 (a third of them), in reverse.
  const count = 20_000;
  const toModel = new Int32Array(3 * count + 1).fill(-1);
  for (let m = 0; m < count; m++) toModel[3 * (count - 1 - m) + 1] = m;
  const idOf = (i: number): string => (i % 7 === 0 ? `ü-${i}-日本語` : `i${i}`);
  const section = await encodeItemIdSection(toModel, count, idOf);
  assert.deepEqual(
    await decoded(section, count),
    Array.from({ length: count }, (_, m) => idOf(3 * (count - 1 - m) + 1)),
  );
  await assert.rejects(() => encodeItemIdSection(toModel, count + 1, idOf), /20000 indices map to the 20001/);
});

test('a short, headless or padded section, or one of another count, fails clearly with no id handed out', async () => {
  const section = await sectionOf(['first', 'second', 'third']);
  await damaged(section.subarray(0, section.length - 2), 3, /record 2 of 3 ends past/);
  await damaged(section.subarray(0, 8 + 7), 3, /record 1 of 3 has no model item/);
  await damaged(section.subarray(0, 8 + 8), 3, /record 1 of 3 has no length/);
  await damaged(section.subarray(0, 5), 3, /no header/);
  await damaged(Uint8Array.of(...section, 0), 3, /1 bytes after its 3 ids/);
  await damaged(section, 4, /holds 3 ids for a model of 4 items/);
  // Model item 0 twice (model item 1 never), and a model item past the count.
  const header = [0x53, 0x4c, 0x49, 0x01, 2, 0, 0, 0];
  await damaged(
    Uint8Array.of(...header, 0, 1, 0x61, 0, 1, 0x62),
    2,
    /record 1 of 2 repeats or is past model item 0/,
  );
  await damaged(
    Uint8Array.of(...header, 0, 1, 0x61, 2, 1, 0x62),
    2,
    /record 1 of 2 repeats or is past model item 2/,
  );
  const foreign = Uint8Array.from(section);
  foreign[0] = 0x7b;
  await damaged(foreign, 3, /no header/);
});
