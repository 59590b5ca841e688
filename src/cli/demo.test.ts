import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../test/helpers.js';

test('the demo refuses a non-loopback host without API keys before it replaces its database', () => {
  const path = join(tempDir('setlist-demo-'), 'kept.db');
  writeFileSync(path, 'not replaced');
  const env = { ...process.env };
  delete env.SETLIST_API_KEYS;
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'src/cli/run.ts', 'demo', '--host', '0.0.0.0', '--port', '0', '--db', path],
    { encoding: 'utf8', env, timeout: 120_000 },
  );
  assert.equal(result.status, 1, result.stderr);
  assert.match(result.stderr, /SETLIST_ERR_CONFIG: Refusing to serve on 0\.0\.0\.0 without API keys/);
  assert.ok(readFileSync(path, 'utf8') === 'not replaced', 'the database was replaced');
});
