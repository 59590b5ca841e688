import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { wholeNumber } from '../src/cli/options.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { tempDbPath, tempDir } from './helpers.js';

const dir = tempDir('setlist-cli-checks-');

function setlist(...args: string[]): { status: number | null; stderr: string; stdout: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', ...args], {
    encoding: 'utf8',
  });
  return { status: result.status, stderr: result.stderr, stdout: result.stdout };
}

test('numeric flags refuse what is not a whole number in range, naming the flag, before any work', () => {
  const checks: [string[], RegExp][] = [
    [
      ['eval', '--train', 'a.csv', '--test', 'b.csv', '--k', 'abc'],
      /--k must be a whole number >= 1, got "abc"/,
    ],
    [
      ['eval', '--train', 'a.csv', '--test', 'b.csv', '--workers', '-1'],
      /--workers must be a whole number 0\.\.64/,
    ],
    [['simulate', '--synthetic', '200', '--rounds', '0'], /--rounds must be a whole number >= 1, got "0"/],
    [['simulate', '--synthetic', 'abc'], /--synthetic must be a whole number >= 1, got "abc"/],
    [
      ['simulate', '--synthetic', '20', '--policies', 'random,best'],
      /SETLIST_ERR_CONFIG: Unknown policies: best/,
    ],
    [['simulate', '--data', '/nonexistent'], /SETLIST_ERR_CONFIG: KuaiRec's .* not found in \/nonexistent/],
    [['demo', '--seed', '1.5'], /--seed must be a whole number, got "1\.5"/],
  ];
  for (const [args, message] of checks) {
    const result = setlist(...args);
    assert.equal(result.status, 1, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
  }
  assert.equal(wholeNumber('--n', 1)(' 7 '), 7);
  assert.equal(wholeNumber('--n', -5)('-5'), -5);
  for (const bad of ['', '1e3', '0x10', '2.0', '9007199254740993']) {
    assert.throws(() => wholeNumber('--n', 0)(bad), /--n must be a whole number >= 0/, bad);
  }
});

test('eval refuses --dataset together with --train or --test instead of ignoring them', () => {
  const result = setlist('eval', '--dataset', 'ml-latest-small', '--train', 'x.csv');
  assert.equal(result.status, 1);
  assert.match(result.stderr, /SETLIST_ERR_CONFIG: Pass either --dataset or --train and --test, not both/);
});

test('train refuses a database file that does not exist instead of creating an empty one', () => {
  const path = join(dir, 'typo.db');
  const result = setlist('train', '--db', path);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /SETLIST_ERR_CONFIG: No database at .*typo\.db/);
  assert.equal(existsSync(path), false);
});

test('a store URL of an unsupported kind is a configuration error, not a corrupt database', () => {
  const result = setlist('migrate', '--store', 'mysql://user:secret@db.example/setlist');
  assert.equal(result.status, 1);
  assert.match(
    result.stderr,
    /SETLIST_ERR_CONFIG: Unsupported store "mysql:\/\/\*\*\*@db\.example\/setlist"/,
  );
  assert.doesNotMatch(result.stderr, /secret/);
});

test('import and train are refused while another process has the database open, and change nothing', async () => {
  const path = tempDbPath('in-use');
  const server = createSqliteStore({ path });
  await server.migrate();
  const items = join(dir, 'items.csv');
  writeFileSync(items, 'id,caption\nv1,hello\n');
  try {
    for (const args of [
      ['import', '--items', items, '--db', path],
      ['train', '--db', path],
    ]) {
      const result = setlist(...args);
      assert.equal(result.status, 1, result.stderr);
      assert.match(result.stderr, /SETLIST_ERR_STORE_LOCKED: The database .* is in use by process \d+/);
    }
    assert.equal((await server.counts()).items, 0);
  } finally {
    await server.close();
  }
  const result = setlist('import', '--items', items, '--db', path);
  assert.equal(result.status, 0, result.stderr);
});

test('the demo fails on a port in use before it replaces its database', async () => {
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const port = (busy.address() as { port: number }).port;
  const path = join(dir, 'kept.db');
  writeFileSync(path, 'not replaced');
  try {
    const result = setlist('demo', '--port', String(port), '--db', path);
    assert.equal(result.status, 1);
    assert.match(result.stderr, new RegExp(`SETLIST_ERR_CONFIG: Port ${port} on 127\\.0\\.0\\.1 is in use`));
    assert.equal(readFileSync(path, 'utf8'), 'not replaced');
  } finally {
    busy.close();
  }
});

test('eval and simulate refuse a report store they cannot reach before the run, not after it', () => {
  const dir = tempDir('setlist-report-target-');
  const train = ['user,item'];
  for (let u = 0; u < 6; u++) for (let i = 0; i < 6; i++) train.push(`u${u},i${i}`);
  writeFileSync(join(dir, 'train.csv'), `${train.join('\n')}\n`);
  writeFileSync(join(dir, 'test.csv'), 'user,item\nu1,i1\n');
  const away = 'postgres://setlist@127.0.0.1:1/none';
  const runs = [
    [
      'eval',
      '--train',
      join(dir, 'train.csv'),
      '--test',
      join(dir, 'test.csv'),
      '--workers',
      '0',
      '--store',
      away,
    ],
    ['simulate', '--synthetic', '50', '--users', '2', '--rounds', '1', '--store', away],
  ];
  for (const args of runs) {
    const result = setlist(...args);
    assert.equal(result.status, 1, `${args[0]}: ${result.stderr}`);
    assert.match(result.stderr, /SETLIST_ERR_UNAVAILABLE: Postgres is unavailable/);
    // Nothing ran: no report was printed.
    assert.equal(result.stdout, '', args[0]);
  }
});
