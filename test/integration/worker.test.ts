import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, test } from 'node:test';
import { Redis } from 'ioredis';
import pg from 'pg';
import { sleep, streamNames } from '../../src/cluster/event-stream.js';
import { openScaleOutNode } from '../../src/cluster/open-scale-out-node.js';
import { POPULARITY_MODEL } from '../../src/cluster/stream-worker.js';
import { createRandom } from '../../src/core/random.js';
import { freshSchema, withServices } from './services.js';

const ROOT = new URL('../..', import.meta.url).pathname;

function startWorker(args: string[]): { child: ChildProcess; stderr: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', 'worker', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  return { child, stderr: () => err };
}

async function waitFor<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, what: string) {
  const start = Date.now();
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() - start > timeoutMs)
      assert.fail(`${what}: still ${JSON.stringify(v)} after ${timeoutMs} ms`);
    await sleep(10);
  }
}

withServices('stream worker', (s) => {
  const cleanups: (() => Promise<unknown>)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  });

  test('a worker killed mid-stream and replaced loses no event and counts none twice', async (t) => {
    const schema = freshSchema('worker');
    const names = streamNames(schema);
    const node = await openScaleOutNode({
      store: s.pgUrl,
      redis: s.redisUrl,
      schema,
      prefix: schema,
      nodeId: 'api',
    });
    cleanups.push(async () => {
      await node.leave();
      await node.engine.close();
    });
    const db = new pg.Client({ connectionString: s.pgUrl });
    await db.connect();
    cleanups.push(() => db.end());
    const redis = new Redis(s.redisUrl);
    cleanups.push(() => redis.quit());

    // 60 batches of 10 events, each batch one stream entry; the expected counts per item and type.
    const random = createRandom(7);
    const expected = new Map<string, number>();
    const types = ['view', 'like', 'share', 'skip'] as const;
    const ingest = async (batches: number, tag: string) => {
      for (let b = 0; b < batches; b++) {
        const events = Array.from({ length: 10 }, (_, k) => {
          const itemId = `v${random.int(12)}`;
          const type = types[random.int(types.length)]!;
          expected.set(`${itemId}/${type}`, (expected.get(`${itemId}/${type}`) ?? 0) + 1);
          return { id: `${tag}-${b}-${k}`, userId: `u${random.int(40)}`, itemId, type };
        });
        const result = await node.engine.ingest({ events });
        assert.equal(result.accepted, 10);
      }
    };
    await ingest(60, 'first');

    const counted = async () => {
      const { rows } = await db.query(`SELECT item_id, type, events FROM ${schema}.item_stats`);
      return new Map(rows.map((r) => [`${r.item_id}/${r.type}`, Number(r.events)]));
    };
    const total = async () => [...(await counted()).values()].reduce((a, b) => a + b, 0);
    const common = ['--store', s.pgUrl, '--schema', schema, '--redis', s.redisUrl, '--prefix', schema];

    // A consumer that reads five entries and dies before acknowledging them.
    await redis.xgroup('CREATE', names.events, names.group, '0', 'MKSTREAM');
    await redis.xreadgroup('GROUP', names.group, 'ghost', 'COUNT', 5, 'STREAMS', names.events, '>');

    const first = startWorker([
      ...common,
      '--consumer',
      'w1',
      '--batch',
      '2',
      '--throttle-ms',
      '50',
      '--catch-up-interval-ms',
      '600000',
      '--train-every-ms',
      '0',
    ]);
    cleanups.push(async () => first.child.kill('SIGKILL'));
    await waitFor(total, (n) => n >= 100, 20_000, 'the first worker applying events');
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');
    const atKill = await total();
    assert.ok(atKill < 600, `the first worker finished (${atKill}) before it was killed`);

    // Redelivery of entries already applied and acknowledged (as after a kill between commit and
    // XACK, or a publish retried): the ledger must make them no-ops.
    // Entries 6-10 are the first the killed worker applied (the ghost holds 1-5).
    const applied = (await redis.xrange(names.events, '-', '+', 'COUNT', 10)) as [string, string[]][];
    for (const [, fields] of applied.slice(5)) await redis.xadd(names.events, '*', ...fields);

    const second = startWorker([
      ...common,
      '--consumer',
      'w2',
      '--batch',
      '50',
      '--claim-idle-ms',
      '300',
      '--catch-up-interval-ms',
      '600000',
      '--train-every-ms',
      '200',
    ]);
    cleanups.push(async () => second.child.kill('SIGKILL'));
    await waitFor(total, (n) => n === 600, 20_000, 'the second worker catching up');
    await ingest(2, 'second');
    await waitFor(total, (n) => n === 620, 5_000, 'events after the restart');
    await waitFor(
      async () => ((await redis.xpending(names.events, names.group)) as [number])[0],
      (n) => n === 0,
      5_000,
      'pending entries',
    );
    await sleep(300);
    assert.deepEqual([...(await counted())].sort(), [...expected].sort());
    // The trained model is announced and swapped in on the API node.
    const model = await waitFor(
      async () => node.engine.snapshot(POPULARITY_MODEL)?.version ?? 0,
      (v) => v >= 1,
      5_000,
      'the model announcement',
    );
    assert.ok(model >= 1);

    second.child.kill('SIGTERM');
    const [code] = await once(second.child, 'exit');
    assert.equal(code, 0, second.stderr());
    const claimed = /"claimedEntries":(\d+)/.exec(second.stderr())?.[1];
    const skipped = /"duplicatesSkipped":(\d+)/.exec(second.stderr())?.[1];
    assert.ok(Number(skipped) >= 50, `the redelivered entries were skipped: ${second.stderr()}`);
    assert.ok(Number(claimed) >= 5, `the ghost's entries were claimed: ${second.stderr()}`);
    t.diagnostic(`killed the first worker at ${atKill} of 600 events; the second claimed ${claimed} entries`);
  });
});
