import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openEngine, T0, tempDbPath, tempDir } from '../../test/helpers.js';
import { isSetlistError } from '../errors.js';
import { loadDemo } from './demo.js';

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

test('the demo replaces a database it wrote, and refuses one it did not, changing nothing', async () => {
  const sizes = { creators: 5, items: 40, users: 10, eventsPerUser: 5 };
  const demo = tempDbPath('demo-again');
  await (await loadDemo(demo, 7, T0, sizes)).close();
  const again = await loadDemo(demo, 8, T0, sizes);
  const fresh = await loadDemo(tempDbPath('demo-fresh'), 8, T0, sizes);
  // Replaced, not added to: the same as seed 8 written into a new file.
  assert.deepEqual((await again.status()).counts, (await fresh.status()).counts);
  await again.close();
  await fresh.close();

  const served = tempDbPath('served');
  const engine = await openEngine(served);
  await engine.putItem('mine', { caption: 'a real item' });
  await engine.close();
  await assert.rejects(loadDemo(served, 7, T0, sizes), (err: Error) => {
    assert.ok(isSetlistError(err) && err.code === 'SETLIST_ERR_CONFIG' && err.path === '--db', String(err));
    assert.match(err.message, /is not a database the demo wrote/);
    return true;
  });
  const kept = await openEngine(served);
  assert.equal((await kept.getItem('mine')).caption, 'a real item');
  await kept.close();
});
