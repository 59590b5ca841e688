// File permissions do not bind root, which runs the tests: each case runs its process as `nobody`
// (runuser) against files root owns, and is skipped where that is not possible.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { tempDir } from './helpers.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUN = join(ROOT, 'src/cli/run.ts');
const RUNUSER = '/usr/sbin/runuser';
const skip =
  process.getuid?.() !== 0 || !existsSync(RUNUSER) ? 'needs root and runuser to act as another user' : false;

/** Runs node (with tsx) as `nobody`; a process still running after `timeoutMs` is killed. */
function asNobody(args: string[], timeoutMs = 30_000) {
  return spawnSync(RUNUSER, ['-u', 'nobody', '--', process.execPath, '--import', 'tsx', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, SETLIST_LOG_LEVEL: 'warn' },
  });
}

/** A directory `nobody` may enter, for a test's own directory. */
function searchableTempDir(): string {
  const dir = tempDir('setlist-ro-');
  chmodSync(dir, 0o755);
  return dir;
}

/** A migrated database at `dir/name`, made by root. */
async function rootOwnedDatabase(dir: string, name = 'setlist.db'): Promise<string> {
  const path = join(dir, name);
  const store = createSqliteStore({ path });
  await store.migrate();
  await store.close();
  return path;
}

test('serve refuses a database file it cannot write, naming it, and exits before listening', {
  skip,
}, async () => {
  // A directory anyone may write, so the lock file can be made: only the database file is read-only.
  const dir = join(searchableTempDir(), 'shared');
  mkdirSync(dir);
  const db = await rootOwnedDatabase(dir);
  chmodSync(dir, 0o777);
  chmodSync(db, 0o644);
  const result = asNobody([RUN, 'serve', '--port', '0', '--db', db]);
  assert.equal(result.status, 1, `status ${result.status} (killed: ${result.signal})\n${result.stderr}`);
  assert.match(
    result.stderr,
    /SETLIST_ERR_CONFIG: Cannot write the database at .*setlist\.db: the database file/,
  );
  assert.doesNotMatch(result.stdout + result.stderr, /listening/);
});

test('a store that does not claim its file refuses one whose directory it cannot write', {
  skip,
}, async () => {
  const dir = join(searchableTempDir(), 'readonly');
  mkdirSync(dir);
  const db = await rootOwnedDatabase(dir);
  chmodSync(dir, 0o755);
  chmodSync(db, 0o666);
  const script = `
    import { createSqliteStore } from ${JSON.stringify(join(ROOT, 'src/store/sqlite/sqlite-store.ts'))};
    try {
      const store = createSqliteStore({ path: ${JSON.stringify(db)}, exclusive: false });
      await store.migrate();
      await store.writeUsers([{ id: 'u1', traits: {}, controls: { muted: [], declared: [] }, createdAt: 1, updatedAt: 1 }]);
      console.log('opened');
    } catch (err) {
      console.log(err.code, err.path, err.message);
    }
  `;
  const result = asNobody(['--input-type=module', '-e', script]);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /^SETLIST_ERR_CONFIG db Cannot write the database at .*: its directory \(/);
});
