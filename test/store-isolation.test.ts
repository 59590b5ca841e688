import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const ROOT = new URL('..', import.meta.url).pathname;

/** The npm packages loaded after importing `entry` in a fresh process. */
function packagesLoadedBy(entry: string): string[] {
  const script = `
    await import(${JSON.stringify(entry)});
    const { createRequire } = await import('node:module');
    const cache = Object.keys(createRequire(import.meta.url).cache);
    const names = new Set(cache.map((p) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(p)?.[1]).filter(Boolean));
    console.log(JSON.stringify([...names]));
  `;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as string[];
}

test('the embedded entry (SQLite) never loads pg or ioredis', () => {
  const loaded = packagesLoadedBy('./src/index.ts');
  assert.ok(loaded.includes('better-sqlite3'), `the probe sees CommonJS packages: ${loaded.join(', ')}`);
  assert.ok(!loaded.includes('pg'), loaded.join(', '));
  assert.ok(!loaded.includes('ioredis'), loaded.join(', '));
});

test('the scale-out entry (Postgres and Redis) never loads better-sqlite3', () => {
  const loaded = packagesLoadedBy('./src/postgres.ts');
  assert.ok(loaded.includes('pg') && loaded.includes('ioredis'), loaded.join(', '));
  assert.ok(!loaded.includes('better-sqlite3'), loaded.join(', '));
});
