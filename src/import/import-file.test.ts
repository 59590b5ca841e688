import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openEngine, T0, tempDir } from '../../test/helpers.js';
import type { Engine } from '../engine/engine.js';
import { isSetlistError } from '../errors.js';
import { checkImportFile, importFile } from './import-file.js';

const dir = tempDir('setlist-import-');

function fileOf(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

test('a CSV header with unknown columns and without required ones is refused, naming both and the expected ones', async () => {
  const path = fileOf('snake.csv', 'item_id,user_id,event_type\nv1,u1,view\n');
  await assert.rejects(checkImportFile('events', path), (err) => {
    assert.ok(isSetlistError(err));
    assert.equal(err.code, 'SETLIST_ERR_VALIDATION');
    assert.match(err.message, /unknown columns "item_id", "user_id", "event_type"/);
    assert.match(err.message, /lacks the required columns "userId", "itemId", "type"/);
    assert.match(err.message, /userId, itemId, type \(required\) and id, at, watchMs, watchRatio/);
    return true;
  });
});

test('a CSV header that repeats a column is refused', async () => {
  const path = fileOf('twice.csv', 'id,tags,tags\nv1,a,b\n');
  await assert.rejects(checkImportFile('items', path), /repeats the column "tags"/);
});

test('a file that is missing or of an unsupported type is refused, naming the supported types', async () => {
  await assert.rejects(checkImportFile('items', join(dir, 'absent.csv')), /absent\.csv: no such file/);
  const text = fileOf('items.txt', 'id\nv1\n');
  await assert.rejects(
    checkImportFile('items', text),
    /unsupported file type "\.txt".*\.csv, \.jsonl or \.ndjson/,
  );
});

test('importFile refuses a bad CSV header before it writes a row', async () => {
  const engine = await openEngine(':memory:', { now: () => T0 });
  const rows = Array.from({ length: 1_500 }, (_, k) => `v${k}`).join('\n');
  await assert.rejects(importFile(engine, 'items', fileOf('extra.csv', `id,colour\n${rows}\n`)), /"colour"/);
  assert.equal((await engine.status()).counts.items, 0);
  await engine.close();
});

test('a pretty-printed JSON array imports every element and reports a bad one by the line it starts on', async () => {
  const engine = await openEngine(':memory:', { now: () => T0 });
  const path = fileOf(
    'items.json',
    JSON.stringify([{ id: 'v1', tags: ['a'] }, { id: '' }, { id: 'v3' }], null, 2),
  );
  const summary = await importFile(engine, 'items', path, { nowMs: () => T0 });
  assert.equal(summary.accepted, 2);
  assert.deepEqual(summary.rejected, [{ line: 8, field: 'id', message: 'must not be empty' }]);
  await engine.close();
});

test('a .json file of JSON Lines still imports as JSON Lines', async () => {
  const engine = await openEngine(':memory:', { now: () => T0 });
  const summary = await importFile(engine, 'items', fileOf('lines.json', '{"id":"v1"}\n{"id":"v2"}\n'));
  assert.equal(summary.accepted, 2);
  assert.deepEqual(summary.rejected, []);
  await engine.close();
});

test('CSV id cells are trimmed, so " u1 " and "u1" are one user, and other cells keep their spaces', async () => {
  const written: unknown[] = [];
  const engine = {
    async putItems(body: { items: unknown[] }) {
      written.push(...body.items);
      return { upserted: body.items.length };
    },
    async ingest(body: { events: unknown[] }) {
      written.push(...body.events);
      return { accepted: body.events.length, duplicates: 0 };
    },
  } as unknown as Engine;
  await importFile(engine, 'items', fileOf('v.csv', 'id,creatorId,caption\n v1 ,\tc1, spaced caption \n'));
  const path = fileOf('e.csv', 'userId,itemId,type\nu1,v1,view\n  u1 ,v1 ,like\n');
  await importFile(engine, 'events', path, { nowMs: () => T0 });
  assert.deepEqual(written, [
    { id: 'v1', creatorId: 'c1', caption: ' spaced caption ' },
    { userId: 'u1', itemId: 'v1', type: 'view' },
    { userId: 'u1', itemId: 'v1', type: 'like' },
  ]);
});

test('a CSV number may start at its decimal point', async () => {
  const engine = await openEngine(':memory:', { now: () => T0 });
  const path = fileOf('ratios.csv', 'userId,itemId,type,watchRatio\nu1,v1,view,.5\nu2,v1,view,-.5\n');
  const summary = await importFile(engine, 'events', path, { nowMs: () => T0 });
  assert.equal(summary.accepted, 1);
  // -.5 is read as the number -0.5, and refused as one (not as "must be a number, not a string").
  assert.deepEqual(summary.rejected, [{ line: 3, field: 'watchRatio', message: 'must be at least 0' }]);
  await engine.close();
});
