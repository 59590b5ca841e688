import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { after, test } from 'node:test';
import pg from 'pg';
import { sleep } from '../../src/cluster/event-stream.js';
import { openScaleOutNode } from '../../src/cluster/open-scale-out-node.js';
import { createStreamWorker } from '../../src/cluster/stream-worker.js';
import type { Engine } from '../../src/engine/engine.js';
import { freshSchema, startRedis, withServices } from './services.js';

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  return port;
}

async function waitFor(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
): Promise<number> {
  const start = performance.now();
  for (;;) {
    if (await check()) return performance.now() - start;
    if (performance.now() - start > timeoutMs) assert.fail(`${what} did not happen within ${timeoutMs} ms`);
    await sleep(10);
  }
}

const applied = async (engine: Engine): Promise<number> => (await engine.status()).models[0]!.version;

withServices('redis restart', (s) => {
  const cleanups: (() => Promise<unknown>)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  });

  test('events keep flowing to other nodes and the worker across a Redis restart, none lost', async (t) => {
    const port = await freePort();
    const redisUrl = `redis://127.0.0.1:${port}`;
    let redis = await startRedis(port);
    cleanups.push(async () => redis.kill('SIGKILL'));
    const schema = freshSchema('restart');
    // Catch-up by timer is off: recovery must come from the reconnect itself.
    const open = (nodeId: string) =>
      openScaleOutNode({
        store: s.pgUrl,
        redis: redisUrl,
        schema,
        prefix: schema,
        nodeId,
        catchUpIntervalMs: 600_000,
      });
    const a = await open('a');
    const b = await open('b');
    for (const n of [a, b]) {
      cleanups.push(async () => {
        await n.leave();
        await n.engine.close();
      });
    }
    const worker = createStreamWorker({
      connectionString: s.pgUrl,
      schema,
      redisUrl,
      prefix: schema,
      consumer: 'w',
      catchUpIntervalMs: 500,
      trainEveryMs: 0,
    });
    const running = worker.run();
    cleanups.push(async () => {
      await worker.stop();
      await running;
    });
    const like = (id: string, userId: string) => ({
      events: [{ id, userId, itemId: 'v1', type: 'like' as const }],
    });

    await a.engine.ingest(like('e1', 'u1'));
    await waitFor(async () => (await applied(b.engine)) === 1, 1_000, 'e1 on B');

    redis.kill('SIGKILL');
    await once(redis, 'exit');
    // With Redis gone the write is still accepted: Postgres has it.
    assert.deepEqual(await a.engine.ingest(like('e2', 'u2')), { accepted: 1, duplicates: 0 });
    const down = (await a.engine.status()).cluster;
    assert.equal(down?.redis, 'down');
    assert.equal(down?.publishFailures, 1);

    redis = await startRedis(port);
    const recoveredMs = await waitFor(
      async () => (await applied(b.engine)) === 2,
      5_000,
      'e2 on B after the restart',
    );
    // While A's publisher is still reconnecting, its writes reach other nodes by the Postgres poll
    // (off in this test); once A is back on Redis, they flow through Redis again.
    await waitFor(async () => (await a.engine.status()).cluster?.redis !== 'down', 5_000, 'A back on Redis');
    await a.engine.ingest(like('e3', 'u3'));
    const freshMs = await waitFor(async () => (await applied(b.engine)) === 3, 1_000, 'e3 on B');
    assert.equal(await applied(a.engine), 3);

    await waitFor(() => worker.stats().eventsApplied === 3, 5_000, 'the worker applying all three');
    const db = new pg.Client({ connectionString: s.pgUrl });
    await db.connect();
    const { rows } = await db.query(`SELECT sum(events)::int AS n FROM ${schema}.item_stats`);
    await db.end();
    assert.equal(rows[0].n, 3);
    t.diagnostic(
      `B caught up ${recoveredMs.toFixed(0)} ms after Redis came back; then fresh in ${freshMs.toFixed(1)} ms`,
    );
  });
});
