import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDbPath } from '../../../test/helpers.js';
import { isSetlistError } from '../../errors.js';
import type { ItemId } from '../../types.js';
import { claimDatabase, lockPathOf } from './owner-lock.js';
import { createSqliteStore } from './sqlite-store.js';

const STORE = fileURLToPath(new URL('./sqlite-store.ts', import.meta.url));

/** Opens a store on `path` in another process, writes an item, and reports what happened. */
function openInAnotherProcess(path: string): { status: number | null; out: string } {
  const code = `
    import { createSqliteStore } from ${JSON.stringify(STORE)};
    try {
      const store = createSqliteStore({ path: ${JSON.stringify(path)} });
      await store.migrate();
      await store.writeItems([{ id: 'from-child', tags: [], createdAt: 1, updatedAt: 1, visibility: 'visible' }]);
      await store.close();
      console.log('opened');
    } catch (err) {
      console.log(err.code + ' ' + err.message);
      process.exit(3);
    }`;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    encoding: 'utf8',
  });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

function lockedError(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  assert.fail('expected SETLIST_ERR_STORE_LOCKED');
}

test('a database a store has open is refused to another process until the store closes', async () => {
  const path = tempDbPath('owned');
  const store = createSqliteStore({ path });
  await store.migrate();
  const refused = openInAnotherProcess(path);
  assert.equal(refused.status, 3, refused.out);
  assert.match(refused.out, /^SETLIST_ERR_STORE_LOCKED The database .* is in use by process \d+ on /);
  assert.match(refused.out, new RegExp(`If no such process runs, delete ${lockPathOf(path)}`));
  assert.equal(await store.getItem('from-child' as ItemId), undefined, 'the refused process wrote nothing');

  await store.close();
  assert.equal(existsSync(lockPathOf(path)), false, 'closing lets the database go');
  const opened = openInAnotherProcess(path);
  assert.equal(opened.status, 0, opened.out);
  assert.equal(existsSync(lockPathOf(path)), false);
});

test('a lock left by a process that is gone is taken over; one on another host is respected', async () => {
  const path = tempDbPath('stale');
  const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  const deadPid = Number(gone.stdout);
  writeFileSync(lockPathOf(path), JSON.stringify({ pid: deadPid, host: hostname(), token: 'old' }));
  const store = createSqliteStore({ path });
  assert.equal(JSON.parse(readFileSync(lockPathOf(path), 'utf8')).pid, process.pid);
  await store.close();

  writeFileSync(lockPathOf(path), '{"pid": 12');
  const torn = createSqliteStore({ path });
  await torn.close();
  assert.equal(existsSync(lockPathOf(path)), false, 'a torn lock file is no owner');

  writeFileSync(lockPathOf(path), JSON.stringify({ pid: deadPid, host: 'another-host', token: 't' }));
  const err = lockedError(() => createSqliteStore({ path }));
  assert.ok(isSetlistError(err) && err.code === 'SETLIST_ERR_STORE_LOCKED');
  assert.match(err.message, new RegExp(`process ${deadPid} on another-host`));
  assert.equal(JSON.parse(readFileSync(lockPathOf(path), 'utf8')).host, 'another-host', 'left as it was');
});

test('stores of one process share its claim; the file goes with the last of them', async () => {
  const path = tempDbPath('shared');
  const a = createSqliteStore({ path });
  const b = createSqliteStore({ path });
  const release = claimDatabase(path);
  await a.close();
  release();
  release();
  assert.equal(existsSync(lockPathOf(path)), true, 'b still has it open (a release counts once)');
  await b.close();
  assert.equal(existsSync(lockPathOf(path)), false);
});

test('a store opened beside its owner (exclusive: false) neither needs nor takes the claim', async () => {
  const path = tempDbPath('beside');
  const owner = createSqliteStore({ path });
  await owner.migrate();
  const before = readFileSync(lockPathOf(path), 'utf8');
  const beside = createSqliteStore({ path, exclusive: false });
  await beside.close();
  assert.equal(readFileSync(lockPathOf(path), 'utf8'), before);
  await owner.close();
});

test('a database whose directory does not exist is a configuration error naming --db', () => {
  const err = lockedError(() => createSqliteStore({ path: '/nonexistent-setlist-dir/x.db' }));
  assert.ok(isSetlistError(err) && err.code === 'SETLIST_ERR_CONFIG', String(err));
  assert.equal(err.path, 'db');
  assert.match(err.message, /its directory does not exist/);
  const beside = lockedError(() =>
    createSqliteStore({ path: '/nonexistent-setlist-dir/x.db', exclusive: false }),
  );
  assert.ok(isSetlistError(beside) && beside.code === 'SETLIST_ERR_CONFIG', String(beside));
});
