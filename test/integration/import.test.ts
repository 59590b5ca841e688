import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { tempDir } from '../helpers.js';
import { freshSchema, withServices } from './services.js';

withServices('setlist import --store', ({ pgUrl }) => {
  test('setlist import --store imports into that Postgres schema instead of the SQLite --db', async () => {
    const dir = tempDir('setlist-import-pg-');
    const items = join(dir, 'items.csv');
    writeFileSync(items, 'id,caption\nv1,a\nv2,b\n');
    const db = join(dir, 'unused.db');
    const schema = freshSchema('import');
    const result = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/run.ts',
        'import',
        '--items',
        items,
        '--store',
        pgUrl,
        '--schema',
        schema,
        '--db',
        db,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /items from .*: 2 accepted/);
    assert.equal(existsSync(db), false);
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT id FROM ${schema}.items ORDER BY id`);
      assert.deepEqual(
        rows.map((r: { id: string }) => r.id),
        ['v1', 'v2'],
      );
      await client.query(`DROP SCHEMA ${schema} CASCADE`);
    } finally {
      await client.end();
    }
  });
});
