import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Redis } from 'ioredis';
import pg from 'pg';
import { importFiles, openImportTarget } from '../../src/cli/import.js';
import { sleep } from '../../src/cluster/event-stream.js';
import { openScaleOutNode, type ScaleOutNode } from '../../src/cluster/open-scale-out-node.js';
import type { Engine } from '../../src/engine/engine.js';
import { tempDir } from '../helpers.js';
import { freshSchema, withServices } from './services.js';

/** Runs the CLI through tsx, as an operator would. */
function setlist(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', ...args], { encoding: 'utf8' });
}

/** Polls until `check` holds, failing after `timeoutMs` (generous: the test machine is shared). */
async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const start = performance.now();
  while (!(await check())) {
    if (performance.now() - start > timeoutMs) assert.fail(`${what} did not happen within ${timeoutMs} ms`);
    await sleep(20);
  }
}

const hasItem = (engine: Engine, id: string) =>
  engine.getItem(id).then(
    () => true,
    () => false,
  );

/** Three items and four events, as files an operator would import. */
function importFilesIn(dir: string): { items: string; events: string } {
  const items = join(dir, 'items.csv');
  writeFileSync(items, 'id,caption,tags\nimp1,a,x\nimp2,b,y\nimp3,c,x|y\n');
  const events = join(dir, 'events.jsonl');
  const rows = [
    { id: 'ie1', userId: 'iu1', itemId: 'imp1', type: 'like' },
    { id: 'ie2', userId: 'iu1', itemId: 'imp2', type: 'view', watchRatio: 1 },
    { id: 'ie3', userId: 'iu2', itemId: 'imp3', type: 'like' },
    { id: 'ie4', userId: 'iu2', itemId: 'imp1', type: 'share' },
  ];
  writeFileSync(events, rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return { items, events };
}

withServices('setlist import --store', ({ pgUrl, redisUrl }) => {
  const cleanups: (() => Promise<unknown>)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  });

  async function withRedis(use: (redis: Redis) => Promise<void>): Promise<void> {
    const redis = new Redis(redisUrl);
    try {
      await use(redis);
    } finally {
      redis.disconnect();
    }
  }

  /** A running API node on `schema`, with the default prefix, whose log catch-up runs every `catchUpIntervalMs`. */
  async function runningNode(schema: string, catchUpIntervalMs: number): Promise<ScaleOutNode> {
    const node = await openScaleOutNode({
      store: pgUrl,
      redis: redisUrl,
      schema,
      nodeId: 'api-1',
      poolSize: 2,
      catchUpIntervalMs,
    });
    cleanups.push(async () => {
      await node.leave();
      await node.engine.close();
    });
    return node;
  }

  test('a running node sees the items of `setlist import --redis` at once, and its events from the log, without restarting', async () => {
    const schema = freshSchema('importlive');
    const node = await runningNode(schema, 200);
    const { items, events } = importFilesIn(tempDir('setlist-import-live-'));
    const result = setlist(
      'import',
      '--items',
      items,
      '--events',
      events,
      '--store',
      pgUrl,
      '--schema',
      schema,
      '--redis',
      redisUrl,
    );
    assert.equal(result.status, 0, result.stderr);
    await waitFor(
      async () =>
        (await hasItem(node.engine, 'imp1')) &&
        (await hasItem(node.engine, 'imp2')) &&
        (await hasItem(node.engine, 'imp3')),
      10_000,
      'the imported items on the running node',
    );
    await waitFor(
      async () => ((await node.engine.status()).cluster as { caughtUpEvents: number }).caughtUpEvents === 4,
      10_000,
      "the imported events on the running node, through the log's catch-up",
    );
    assert.deepEqual((await node.engine.profile('iu1')).recent.map((r) => r.itemId).sort(), ['imp1', 'imp2']);
    // The three items are one entry on the default prefix's stream; the events are not in Redis.
    await withRedis(async (redis) => {
      assert.equal(await redis.xlen(`setlist-${schema}:events`), 1);
    });
  });

  test('an import publishes one stream entry per batch, not one per row', async () => {
    const schema = freshSchema('importbatch');
    const node = await runningNode(schema, 60_000);
    const dir = tempDir('setlist-import-batch-');
    const items = join(dir, 'items.jsonl');
    writeFileSync(
      items,
      Array.from({ length: 2_500 }, (_, k) => `${JSON.stringify({ id: `b${k}` })}\n`).join(''),
    );
    const target = await openImportTarget({ store: pgUrl, schema, redis: redisUrl });
    try {
      await importFiles(target.engine, [['items', items]], true);
    } finally {
      await target.finish();
    }
    await waitFor(
      async () => (await hasItem(node.engine, 'b0')) && (await hasItem(node.engine, 'b2499')),
      10_000,
      'the imported items on the running node',
    );
    await withRedis(async (redis) => {
      // Batches of 1,000 rows: 2,500 items are three entries.
      assert.equal(await redis.xlen(`setlist-${schema}:events`), 3);
    });
  });

  test("without --redis, a running node reads the imported events from the store's log", async () => {
    const schema = freshSchema('importlog');
    const node = await runningNode(schema, 200);
    const { events } = importFilesIn(tempDir('setlist-import-log-'));
    const target = await openImportTarget({ store: pgUrl, schema });
    try {
      await importFiles(target.engine, [['events', events]], true);
    } finally {
      await target.finish();
    }
    await waitFor(
      async () => ((await node.engine.status()).cluster as { caughtUpEvents: number }).caughtUpEvents === 4,
      10_000,
      "the imported events on the running node, through the log's catch-up",
    );
    assert.equal((await node.engine.profile('iu2')).recent.length, 2);
  });

  test('setlist import --redis refuses to start when Redis cannot be reached, and writes nothing', async () => {
    const schema = freshSchema('importnoredis');
    const { items } = importFilesIn(tempDir('setlist-import-noredis-'));
    const result = setlist(
      'import',
      '--items',
      items,
      '--store',
      pgUrl,
      '--schema',
      schema,
      '--redis',
      'redis://127.0.0.1:1',
    );
    assert.equal(result.status, 1);
    assert.match(
      result.stderr,
      /SETLIST_ERR_UNAVAILABLE: Redis at redis:\/\/127\.0\.0\.1:1 cannot be reached/,
    );
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT to_regclass($1) AS t', [`${schema}.items`]);
      assert.equal(rows[0].t, null);
    } finally {
      await client.end();
    }
  });

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
