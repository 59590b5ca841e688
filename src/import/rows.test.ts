import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../test/helpers.js';
import { coerceCsvRow, readCsvRows, readJsonArray, readJsonLines } from './rows.js';

const dir = tempDir('setlist-rows-');
let files = 0;

/** Writes `text` to a fresh file with extension `ext` and returns its path. */
function fileOf(text: string, ext = '.csv'): string {
  const path = join(dir, `f${files++}${ext}`);
  writeFileSync(path, text);
  return path;
}

async function csvRows(text: string, chunkBytes?: number) {
  const rows = [];
  for await (const row of readCsvRows(fileOf(text), () => {}, chunkBytes)) rows.push(row);
  return rows;
}

test('quoted fields keep commas, quotes and line breaks', async () => {
  assert.deepEqual(await csvRows('id,caption\nv1,"a, ""b""\nc"\nv2,plain\n'), [
    { line: 2, value: { id: 'v1', caption: 'a, "b"\nc' } },
    { line: 4, value: { id: 'v2', caption: 'plain' } },
  ]);
});

test('a bare carriage return inside an unquoted field stays in the field', async () => {
  const rows = await csvRows('id,caption\r\nv1,line\rmore\r\nv2,x\r\n');
  assert.deepEqual(
    rows.map((r) => ('value' in r ? r.value.caption : r.message)),
    ['line\rmore', 'x'],
  );
});

test('a row with the wrong number of columns is an error with its line number', async () => {
  assert.deepEqual(await csvRows('a,b\n1,2\n3\n'), [
    { line: 2, value: { a: '1', b: '2' } },
    { line: 3, message: 'expected 2 columns, found 1' },
  ]);
});

test('the header check sees the trimmed column names before any row', async () => {
  const seen: string[][] = [];
  const rows = readCsvRows(fileOf(' id , caption\nv1,x\n'), (names) => {
    seen.push([...names]);
    throw new Error('stop');
  });
  await assert.rejects(rows.next(), /stop/);
  assert.deepEqual(seen, [['id', 'caption']]);
});

test('a quoted field that straddles chunk boundaries keeps its text and the lines after it count right', async () => {
  const text = 'id,caption\nv1,"first, ""quoted""\nsecond line"\nv2,after\n';
  const whole = await csvRows(text);
  assert.deepEqual(whole, [
    { line: 2, value: { id: 'v1', caption: 'first, "quoted"\nsecond line' } },
    { line: 4, value: { id: 'v2', caption: 'after' } },
  ]);
  for (const chunkBytes of [1, 2, 3, 5, 7, 16]) assert.deepEqual(await csvRows(text, chunkBytes), whole);
});

test('a CSV file is read chunk by chunk as its rows are taken, not whole before the first row', async () => {
  const path = fileOf(['id', ...Array.from({ length: 200 }, (_, k) => `v${k}`), ''].join('\n'));
  const ids: unknown[] = [];
  for await (const row of readCsvRows(path, () => {}, 16)) {
    // Appended once the first row is out: a reader that had read the whole file would miss it.
    if (ids.length === 0) appendFileSync(path, 'v-late\n');
    ids.push('value' in row ? row.value.id : row.message);
  }
  assert.equal(ids.length, 201);
  assert.equal(ids.at(-1), 'v-late');
});

test('a CRLF that straddles a chunk boundary ends the row, not the field', async () => {
  // The first chunk, 'id,caption\r\nv1,x\r', ends between the CR and the LF of row v1.
  const rows = await csvRows('id,caption\r\nv1,x\r\nv2,y\r\n', 17);
  assert.deepEqual(rows, [
    { line: 2, value: { id: 'v1', caption: 'x' } },
    { line: 3, value: { id: 'v2', caption: 'y' } },
  ]);
});

test('multi-byte characters split across chunks are read whole', async () => {
  assert.deepEqual(await csvRows('\ufeffid,caption\nv1,猫 と 犬\n', 1), [
    { line: 2, value: { id: 'v1', caption: '猫 と 犬' } },
  ]);
});

test('a quoted field that never closes is one rejection, for the line it starts on', async () => {
  assert.deepEqual(await csvRows('id,caption\nv1,ok\nv2,"never\nclosed\nv3,x\n'), [
    { line: 2, value: { id: 'v1', caption: 'ok' } },
    { line: 3, message: 'has a quoted field that never closes: the rest of the file was read as its text' },
  ]);
});

test('a JSON Lines file that starts with a byte-order mark reads its first line', async () => {
  const rows = [];
  for await (const row of readJsonLines(fileOf('\ufeff{"id":"v1"}\n{"id":"v2"}\n', '.jsonl'))) rows.push(row);
  assert.deepEqual(rows, [
    { line: 1, value: { id: 'v1' } },
    { line: 2, value: { id: 'v2' } },
  ]);
});

test('a JSON array gives each element the line it starts on', async () => {
  const text = '\ufeff[\n  {"id": "v1",\n   "caption": "a, [b]"},\n  "text",\n  {"id": "v3"}\n]\n';
  assert.deepEqual(await readJsonArray(fileOf(text, '.json')), [
    { line: 2, value: { id: 'v1', caption: 'a, [b]' } },
    { line: 4, message: 'is not a JSON object' },
    { line: 5, value: { id: 'v3' } },
  ]);
});

test('numeric and list columns are coerced', () => {
  assert.deepEqual(
    coerceCsvRow({ at: '12', tags: 'a|b; c', id: '007' }, { numeric: ['at'], lists: ['tags'], ids: [] }),
    {
      at: 12,
      tags: ['a', 'b', 'c'],
      id: '007',
    },
  );
});

test('numbers without a digit before the point are numbers', () => {
  const numeric = ['a', 'b', 'c', 'd'];
  assert.deepEqual(
    coerceCsvRow({ a: '.5', b: '-.5', c: '1.5e-3', d: '.' }, { numeric, lists: [], ids: [] }),
    { a: 0.5, b: -0.5, c: 0.0015, d: '.' },
  );
});

test('white space around ids is trimmed, and around other text kept', () => {
  assert.deepEqual(
    coerceCsvRow(
      { userId: ' u1 ', itemId: '\tv1', id: '  ', caption: ' hi ' },
      {
        numeric: [],
        lists: [],
        ids: ['userId', 'itemId', 'id'],
      },
    ),
    { userId: 'u1', itemId: 'v1', caption: ' hi ' },
  );
});
