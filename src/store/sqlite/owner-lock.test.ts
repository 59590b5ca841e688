import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDbPath } from '../../../test/helpers.js';
import { isSetlistError } from '../../errors.js';
import type { ItemId } from '../../types.js';
import { claimDatabase, FOREIGN_LOCK_STALE_MS, lockPathOf } from './owner-lock.js';
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

test('a lock whose pid now names another process is taken over: this one, or one started after it', async (t) => {
  // A container's restarted PID 1 finds its predecessor's lock naming its own pid.
  const path = tempDbPath('own-pid');
  writeFileSync(
    lockPathOf(path),
    JSON.stringify({ pid: process.pid, host: hostname(), since: 1, token: 'prev' }),
  );
  const store = createSqliteStore({ path });
  assert.equal(JSON.parse(readFileSync(lockPathOf(path), 'utf8')).token === 'prev', false, 'taken over');
  await store.close();

  // A live process that started after the lock was taken reuses a dead holder's pid.
  const child = spawn('sleep', ['30']);
  t.after(() => child.kill());
  await new Promise((resolve) => child.once('spawn', resolve));
  const reused = tempDbPath('reused-pid');
  const lock = (since: number) =>
    writeFileSync(
      lockPathOf(reused),
      JSON.stringify({ pid: child.pid, host: hostname(), since, token: 'old' }),
    );
  lock(Date.now() - 10 * 60_000);
  const taken = createSqliteStore({ path: reused });
  assert.equal(JSON.parse(readFileSync(lockPathOf(reused), 'utf8')).pid, process.pid);
  await taken.close();
  // The same process, had it taken the lock after it started, is its live holder.
  lock(Date.now());
  const err = lockedError(() => createSqliteStore({ path: reused }));
  assert.ok(isSetlistError(err) && err.code === 'SETLIST_ERR_STORE_LOCKED', String(err));
  assert.match(err.message, new RegExp(`process ${child.pid} on `));
});

test("another host's lock is respected while touched, and taken over once untouched for a minute", async () => {
  const path = tempDbPath('foreign');
  writeFileSync(lockPathOf(path), JSON.stringify({ pid: 1, host: 'old-container', since: 1, token: 't' }));
  const err = lockedError(() => createSqliteStore({ path }));
  assert.ok(isSetlistError(err) && err.code === 'SETLIST_ERR_STORE_LOCKED');
  const past = new Date(Date.now() - FOREIGN_LOCK_STALE_MS - 5_000);
  utimesSync(lockPathOf(path), past, past);
  const store = createSqliteStore({ path });
  assert.equal(JSON.parse(readFileSync(lockPathOf(path), 'utf8')).host, hostname());
  await store.close();
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
