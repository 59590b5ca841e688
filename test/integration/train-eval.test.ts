import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runEvalCommand } from '../../src/cli/eval.js';
import { sleep } from '../../src/cluster/event-stream.js';
import { openScaleOutNode } from '../../src/cluster/open-scale-out-node.js';
import { createRandom } from '../../src/core/random.js';
import { generateDemoPlatform } from '../../src/demo/generate.js';
import { createEngine, SERVING_SNAPSHOT } from '../../src/engine/engine.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { T0, tempDir } from '../helpers.js';
import { freshSchema, withServices } from './services.js';

/** Runs the CLI through tsx, as an operator would. */
function setlist(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', ...args], { encoding: 'utf8' });
}

withServices('setlist train and eval --store', ({ pgUrl, redisUrl }) => {
  const cleanups: (() => Promise<unknown>)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  });

  /** A schema holding a small demo platform's items and events, written as an API node would. */
  async function platformSchema(prefix: string): Promise<string> {
    const schema = freshSchema(prefix);
    const platform = generateDemoPlatform({
      seed: 5,
      creators: 10,
      items: 150,
      users: 60,
      eventsPerUser: 25,
      nowMs: T0,
    });
    const engine = createEngine({
      store: createPostgresStore({ connectionString: pgUrl, schema, poolSize: 2 }),
    });
    await engine.open();
    try {
      await engine.putItems({ items: platform.items });
      await engine.ingest({ events: platform.events });
    } finally {
      await engine.close();
    }
    return schema;
  }

  test('setlist train --store trains on the events in Postgres and saves the serving model there', async () => {
    const schema = await platformSchema('trainpg');
    const result = setlist('train', '--store', pgUrl, '--schema', schema, '--json');
    assert.equal(result.status, 0, result.stderr);
    assert.equal((JSON.parse(result.stdout) as { version: number }).version, 1);
    const store = createPostgresStore({ connectionString: pgUrl, schema, poolSize: 1 });
    try {
      const saved = await store.loadSnapshot(SERVING_SNAPSHOT);
      assert.equal(saved?.version, 1);
      assert.ok(saved.data.byteLength > 0);
    } finally {
      await store.close();
    }
  });

  test('setlist train --store --redis makes the running nodes swap in the new model without restarting', async () => {
    const schema = await platformSchema('trainlive');
    const node = await openScaleOutNode({
      store: pgUrl,
      redis: redisUrl,
      schema,
      nodeId: 'api-1',
      poolSize: 2,
    });
    cleanups.push(async () => {
      await node.leave();
      await node.engine.close();
    });
    assert.equal(node.engine.servingModel(), undefined);
    const result = setlist('train', '--store', pgUrl, '--schema', schema, '--redis', redisUrl);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^model v1: /);
    const start = performance.now();
    while (node.engine.servingModel()?.version !== 1) {
      if (performance.now() - start > 10_000)
        assert.fail('the running node did not swap in model v1 within 10 s');
      await sleep(20);
    }
  });

  test('setlist train --redis without a Postgres --store is a configuration error', () => {
    const result = setlist(
      'train',
      '--db',
      join(tempDir('setlist-train-redis-'), 'x.db'),
      '--redis',
      redisUrl,
    );
    assert.equal(result.status, 1);
    assert.match(result.stderr, /SETLIST_ERR_CONFIG: --redis goes with --store postgres:\/\//);
  });

  test("setlist eval --store saves its report into Postgres, where a node's quality page reads it", async () => {
    const schema = freshSchema('evalpg');
    const dir = tempDir('setlist-eval-pg-');
    const rng = createRandom(9);
    const train = ['user,item,timestamp'];
    const heldOut = ['user,item,timestamp'];
    for (let u = 0; u < 40; u++) {
      const items = rng.shuffle(Array.from({ length: 12 }, (_, i) => (u % 4) * 12 + i)).slice(0, 8);
      items.forEach((item, r) => {
        (r < 6 ? train : heldOut).push(`u${u},i${item},${1000 + r}`);
      });
    }
    writeFileSync(join(dir, 'train.csv'), `${train.join('\n')}\n`);
    writeFileSync(join(dir, 'test.csv'), `${heldOut.join('\n')}\n`);
    await runEvalCommand(
      {
        train: join(dir, 'train.csv'),
        test: join(dir, 'test.csv'),
        workers: 0,
        json: true,
        store: pgUrl,
        schema,
      },
      () => {},
    );
    const node = await openScaleOutNode({ store: pgUrl, schema, poolSize: 2 });
    cleanups.push(async () => {
      await node.leave();
      await node.engine.close();
    });
    const { reports } = (await node.engine.quality()) as { reports: { name: string; users?: number }[] };
    assert.deepEqual(
      reports.map((r) => [r.name, r.users]),
      [['eval', 40]],
    );
  });

  test("setlist simulate --store saves its report into Postgres, where a node's quality page reads it", async () => {
    const schema = freshSchema('simulatepg');
    const result = setlist(
      'simulate',
      '--synthetic',
      '200',
      '--users',
      '8',
      '--rounds',
      '2',
      '--policies',
      'random',
      '--json',
      '--store',
      pgUrl,
      '--schema',
      schema,
    );
    assert.equal(result.status, 0, result.stderr);
    const node = await openScaleOutNode({ store: pgUrl, schema, poolSize: 2 });
    cleanups.push(async () => {
      await node.leave();
      await node.engine.close();
    });
    const { reports } = (await node.engine.quality()) as {
      reports: { name: string; policies?: { name: string }[] }[];
    };
    assert.deepEqual(
      reports.map((r) => [r.name, r.policies?.map((p) => p.name)]),
      [['simulate', ['random']]],
    );
  });
});
