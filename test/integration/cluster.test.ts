import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createClusterNode } from '../../src/cluster/cluster-node.js';
import { encodeBatch, sleep, streamNames } from '../../src/cluster/event-stream.js';
import { openScaleOutNode } from '../../src/cluster/open-scale-out-node.js';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import { buildApp } from '../../src/server/app.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { Store } from '../../src/store/store.js';
import type { ItemId, StoredEvent, UserId } from '../../src/types.js';
import { freshSchema, type Services, startRedis, withServices } from './services.js';

interface Node {
  app: FastifyInstance;
  engine: Engine;
  announce(model: { name: string; version: number }): Promise<boolean>;
  close(): Promise<void>;
}

async function openNode(
  s: Pick<Services, 'pgUrl'> & { redisUrl?: string },
  schema: string,
  prefix: string | undefined,
  nodeId: string,
  catchUpIntervalMs = 60_000,
): Promise<Node> {
  const node = await openScaleOutNode({
    store: s.pgUrl,
    ...(s.redisUrl === undefined ? {} : { redis: s.redisUrl }),
    schema,
    ...(prefix === undefined ? {} : { prefix }),
    nodeId,
    poolSize: 4,
    catchUpIntervalMs,
  });
  const app = buildApp({ engine: node.engine });
  await app.ready();
  return {
    app,
    engine: node.engine,
    announce: (model) => node.announce(model),
    async close() {
      await app.close();
      await node.leave();
      await node.engine.close();
    },
  };
}

async function post(node: Node, url: string, payload: Record<string, unknown>) {
  const res = await node.app.inject({ method: 'POST', url, payload });
  return { status: res.statusCode, body: res.json(), headers: res.headers };
}

async function feedIds(node: Node, userId: string): Promise<string[]> {
  const res = await node.app.inject({ method: 'GET', url: `/v1/users/${userId}/feed?n=10` });
  assert.equal(res.statusCode, 200);
  return (res.json() as { items: { itemId: string }[] }).items.map((i) => i.itemId);
}

/** Polls until `check` holds; returns the milliseconds it took, or fails after `timeoutMs`. */
async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const start = performance.now();
  for (;;) {
    if (await check()) return performance.now() - start;
    if (performance.now() - start > timeoutMs) assert.fail(`${what} did not happen within ${timeoutMs} ms`);
    await sleep(5);
  }
}

/** Waits up to 2 s until `engine` has applied one other node's event and has item `itemId`. */
async function oneEventAndItemOn(engine: Engine, itemId: string, what: string): Promise<void> {
  await waitFor(
    async () => {
      const cluster = (await engine.status()).cluster as { remoteEventsApplied: number };
      const item = await engine.getItem(itemId).catch(() => undefined);
      return cluster.remoteEventsApplied === 1 && item !== undefined;
    },
    2_000,
    what,
  );
}

const catalogue = {
  items: Array.from({ length: 12 }, (_, k) => ({ id: `v${k}`, creatorId: `c${k % 4}`, tags: [`t${k % 3}`] })),
};

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  return port;
}

/** `promise`, or a failure after `ms`: a node waiting for Redis must not hang the test. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A scaled-out node on `s`'s Postgres whose Redis is `redisUrl`, with a 200 ms catch-up. */
function openWithRedis(s: Pick<Services, 'pgUrl'>, schema: string, nodeId: string, redisUrl: string) {
  return openScaleOutNode({
    store: s.pgUrl,
    redis: redisUrl,
    schema,
    prefix: schema,
    nodeId,
    poolSize: 4,
    catchUpIntervalMs: 200,
  });
}

withServices('cluster', (s) => {
  const cleanups: (() => Promise<unknown>)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  });

  test('deployments in two schemas on one Redis stay apart without a prefix of their own', async () => {
    const [x, y] = [freshSchema('apartx'), freshSchema('aparty')];
    const x1 = await openNode(s, x, undefined, 'n1');
    const x2 = await openNode(s, x, undefined, 'n2');
    const y1 = await openNode(s, y, undefined, 'n3');
    cleanups.push(
      () => x1.close(),
      () => x2.close(),
      () => y1.close(),
    );
    const item = { items: [{ id: 'only-in-x', caption: 'x', tags: ['x'] }] };
    assert.equal((await post(x1, '/v1/items', item)).status, 200);
    const event = { events: [{ id: 'x-event', userId: 'x-viewer', itemId: 'only-in-x', type: 'like' }] };
    assert.equal((await post(x1, '/v1/events', event)).body.accepted, 1);
    // Its own deployment's node has both through the stream (its log is read once a minute here).
    await waitFor(
      async () => (await x2.app.inject({ url: '/v1/items/only-in-x' })).statusCode === 200,
      2_000,
      'the item on x2',
    );
    await waitFor(
      async () => (await x2.engine.profile('x-viewer')).recent.length === 1,
      2_000,
      'the event on x2',
    );
    // The other deployment's node, on the same Redis, has neither.
    assert.equal((await y1.app.inject({ url: '/v1/items/only-in-x' })).statusCode, 404);
    assert.deepEqual((await y1.engine.profile('x-viewer')).recent, []);
    assert.equal((await y1.engine.status()).counts.events, 0);
  });

  test('an event accepted by node A shows in a feed from node B within a second', async (t) => {
    const schema = freshSchema('fresh');
    const a = await openNode(s, schema, schema, 'a');
    const b = await openNode(s, schema, schema, 'b');
    cleanups.push(
      () => a.close(),
      () => b.close(),
    );
    assert.equal((await post(a, '/v1/items', catalogue)).status, 200);
    const itemsMs = await waitFor(
      async () => (await feedIds(b, 'viewer')).length === 10,
      1_000,
      'items on B',
    );
    // A viewer watches v7 on A: B must stop serving it to them (seen) and count all 31 events.
    const events = [
      { id: 'watch-1', userId: 'viewer', itemId: 'v7', type: 'view', watchRatio: 1 },
      ...Array.from({ length: 30 }, (_, k) => ({ userId: `fan${k}`, itemId: 'v5', type: 'like' })),
    ];
    assert.equal((await post(a, '/v1/events', { events })).body.accepted, 31);
    const eventsMs = await waitFor(
      async () => {
        const feed = await feedIds(b, 'viewer');
        const status = await b.engine.status();
        const counted = (status.cluster as { remoteEventsApplied: number }).remoteEventsApplied;
        return !feed.includes('v7') && status.models[0]!.version === 31 && counted === 31;
      },
      1_000,
      'the event on B',
    );
    t.diagnostic(
      `item write visible on B after ${itemsMs.toFixed(1)} ms, events after ${eventsMs.toFixed(1)} ms`,
    );
    // The publishing node applied its own batch once: the stream did not count it again.
    const statusA = (await a.app.inject({ method: 'GET', url: '/v1/status' })).json();
    const statusB = (await b.app.inject({ method: 'GET', url: '/v1/status' })).json();
    assert.equal(statusA.eventsBehind, 0);
    assert.equal(statusB.eventsBehind, 0);
    assert.equal(statusB.models[0].version, statusA.models[0].version);
    assert.equal(statusB.cluster.redis, 'up');
    assert.equal(statusB.cluster.remoteEventsApplied, 31);
    assert.equal(statusA.cluster.remoteEventsApplied, 0);
    // Scaled-out nodes run co-occurrence's updates on their own thread, as the engine does by default.
    for (const status of [statusA, statusB]) {
      const cooccurrence = (status.models as { name: string; thread?: boolean }[]).find(
        (m) => m.name === 'cooccurrence',
      );
      assert.equal(cooccurrence?.thread, true);
    }
  });

  test("a node counts other nodes' events as applied only once its engine has settled them", async () => {
    const prefix = freshSchema('settle');
    // B's engine applies at once but settles (co-occurrence's thread) only when the test says so.
    let settle = () => {};
    const applied: number[] = [];
    let settledCalls = 0;
    const engine = {
      catchUp: async () => 0,
      installSnapshot: async () => {},
      applyRemoteRecords: () => 0,
      applyRemoteEvents: (events: readonly StoredEvent[]) => {
        applied.push(events.length);
        return events.length;
      },
      settled: () => {
        settledCalls++;
        return new Promise<void>((resolve) => {
          settle = resolve;
        });
      },
    } as unknown as Engine;
    const store = {
      loadSnapshot: async () => undefined,
      listItems: async () => [],
      listUsers: async () => [],
    } as unknown as Store;
    const b = createClusterNode({
      redisUrl: s.redisUrl,
      store,
      nodeId: 'b',
      prefix,
      catchUpIntervalMs: 60_000,
    });
    // Node A's side of the stream: one entry per accepted batch, as `ClusterNode#publish` appends it.
    const redis = new Redis(s.redisUrl);
    cleanups.push(
      () => redis.quit(),
      () => b.stop(),
    );
    await b.start(engine);
    const publish = (batch: StoredEvent[]) =>
      redis.xadd(streamNames(prefix).events, '*', ...encodeBatch('a', batch));
    const events = (first: number): StoredEvent[] =>
      Array.from({ length: 3 }, (_, k) => ({
        seq: first + k,
        userId: `u${k}` as UserId,
        itemId: 'v1' as ItemId,
        type: 'like',
        at: 1_000,
        receivedAt: 1_000,
      }));
    await publish(events(1));
    await waitFor(async () => applied.length === 1, 2_000, 'the first batch applied on B');
    await publish(events(4));
    await sleep(100);
    // Applied but not settled: not counted, and the next batch not read yet.
    assert.equal(b.health().remoteEventsApplied, 0);
    assert.deepEqual(applied, [3]);
    assert.equal(settledCalls, 1);
    settle();
    await waitFor(async () => applied.length === 2, 2_000, 'the second batch applied on B');
    assert.equal(b.health().remoteEventsApplied, 3);
    settle();
    await waitFor(async () => b.health().remoteEventsApplied === 6, 2_000, 'both batches counted on B');
  });

  test('a model version announced by one node is swapped in on every node', async () => {
    const schema = freshSchema('model');
    const a = await openNode(s, schema, schema, 'a');
    const b = await openNode(s, schema, schema, 'b');
    cleanups.push(
      () => a.close(),
      () => b.close(),
    );
    const store = createPostgresStore({ connectionString: s.pgUrl, schema, poolSize: 1 });
    cleanups.push(() => store.close());
    const snapshot = (version: number) => ({
      name: 'ials',
      version,
      trainedAt: version,
      meta: {},
      data: Uint8Array.of(version),
    });
    await store.saveSnapshot(snapshot(1));
    assert.equal(await a.announce({ name: 'ials', version: 1 }), true);
    await waitFor(async () => b.engine.snapshot('ials')?.version === 1, 1_000, 'version 1 on B');
    await store.saveSnapshot(snapshot(2));
    await a.announce({ name: 'ials', version: 2 });
    await waitFor(
      async () => a.engine.snapshot('ials')?.version === 2 && b.engine.snapshot('ials')?.version === 2,
      1_000,
      'version 2 on both',
    );
    assert.deepEqual([...(b.engine.snapshot('ials')?.data ?? [])], [2]);
  });

  test('a request while Postgres is unreachable gets 503 SETLIST_ERR_UNAVAILABLE, and nothing acknowledged is lost', async () => {
    const target = new URL(s.pgUrl);
    const sockets = new Set<Socket>();
    let proxy: Server | undefined;
    const proxyPort = await freePort();
    // A TCP proxy in front of Postgres: closing it is Postgres going away, for this node only.
    const openProxy = async () => {
      proxy = createServer((client) => {
        const up = connect(Number(target.port), target.hostname);
        sockets.add(client).add(up);
        client.pipe(up).pipe(client);
        const drop = () => {
          client.destroy();
          up.destroy();
        };
        client.on('error', drop).on('close', drop);
        up.on('error', drop).on('close', drop);
      });
      proxy.listen(proxyPort, '127.0.0.1');
      await once(proxy, 'listening');
    };
    const closeProxy = async () => {
      const p = proxy!;
      const closed = once(p, 'close');
      p.close();
      for (const sock of sockets) sock.destroy();
      sockets.clear();
      await closed;
    };
    await openProxy();
    cleanups.push(() => closeProxy());
    const viaProxy = new URL(s.pgUrl);
    viaProxy.port = String(proxyPort);
    const schema = freshSchema('down');
    const node = await openNode({ pgUrl: viaProxy.toString() }, schema, schema, 'solo');
    cleanups.push(() => node.close());
    const ok = await post(node, '/v1/events', {
      events: [{ id: 'before', userId: 'u', itemId: 'v1', type: 'like' }],
    });
    assert.equal(ok.status, 200);

    await closeProxy();
    const down = await post(node, '/v1/events', {
      events: [{ id: 'during', userId: 'u', itemId: 'v2', type: 'like' }],
    });
    assert.equal(down.status, 503);
    assert.equal(down.body.error.code, 'SETLIST_ERR_UNAVAILABLE');
    assert.equal(down.headers['retry-after'], '1');

    await openProxy();
    await waitFor(
      async () =>
        (
          await post(node, '/v1/events', {
            events: [{ id: 'during', userId: 'u', itemId: 'v2', type: 'like' }],
          })
        ).status === 200,
      5_000,
      'recovery',
    );
    const raw = new pg.Client({ connectionString: s.pgUrl });
    await raw.connect();
    const { rows } = await raw.query(`SELECT id FROM ${schema}.events ORDER BY seq`);
    await raw.end();
    assert.deepEqual(
      rows.map((r) => r.id),
      ['before', 'during'],
    );
  });

  test('a node opened to serve while it replays takes requests at once and is ready once it follows the cluster', async () => {
    const schema = freshSchema('replay');
    const a = await openNode(s, schema, schema, 'a');
    cleanups.push(() => a.close());
    assert.equal((await post(a, '/v1/items', catalogue)).status, 200);
    const events = Array.from({ length: 200 }, (_, k) => ({
      userId: `u${k % 20}`,
      itemId: `v${k % 12}`,
      type: 'like',
    }));
    assert.equal((await post(a, '/v1/events', { events })).body.accepted, 200);
    const b = await openScaleOutNode({
      store: s.pgUrl,
      redis: s.redisUrl,
      schema,
      prefix: schema,
      nodeId: 'b',
      poolSize: 4,
      catchUpIntervalMs: 60_000,
      serveWhileReplaying: true,
    });
    cleanups.push(async () => {
      await b.leave();
      await b.engine.close();
    });
    // Returned with the replay's first read of the log in flight.
    assert.equal(b.engine.readiness().phase, 'catching-up');
    assert.equal((await b.engine.feed('u1', 5)).items.length, 5);
    assert.deepEqual(await b.engine.ingest({ events: [{ userId: 'u1', itemId: 'v3', type: 'skip' }] }), {
      accepted: 1,
      duplicates: 0,
    });
    await b.engine.putItems({ items: [{ id: 'during-replay', tags: ['t1'] }] });
    // Both reach A through the stream (A reads the store's log only once a minute), whether B's replay
    // is still running or not: the next test holds a replay open to prove the first case.
    await oneEventAndItemOn(a.engine, 'during-replay', "B's event and item on A");
    await b.ready;
    assert.deepEqual(b.engine.readiness(), { ready: true, phase: 'open', eventsApplied: 201 });
    const cluster = (await b.engine.status()).cluster as { redis: string; publishFailures: number };
    assert.equal(cluster.redis, 'up');
    assert.equal(cluster.publishFailures, 0);
  });

  test('events and items a node accepts while its log is replayed reach the stream once it has connected', async () => {
    const schema = freshSchema('replaypublish');
    const a = await openNode(s, schema, schema, 'a');
    cleanups.push(() => a.close());
    assert.equal((await post(a, '/v1/items', catalogue)).status, 200);
    const store = createPostgresStore({ connectionString: s.pgUrl, schema, poolSize: 2 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The replay's reads of the log wait until the test opens the gate.
    const held: Store = {
      ...store,
      readEvents: async (afterSeq, limit) => {
        await gate;
        return store.readEvents(afterSeq, limit);
      },
    };
    const node = createClusterNode({ redisUrl: s.redisUrl, store: held, nodeId: 'b', prefix: schema });
    const engine = createEngine({
      store: node.publishingStore(),
      onEventsStored: (events) => node.publish(events),
      cooccurrenceThread: false,
    });
    cleanups.push(async () => {
      release();
      await node.stop();
      await engine.close();
    });
    await node.connect();
    const opened = engine.open();
    await engine.whenServing();
    await engine.ingest({ events: [{ id: 'held-1', userId: 'u1', itemId: 'v3', type: 'like' }] });
    await engine.putItems({ items: [{ id: 'held-item', tags: ['t1'] }] });
    assert.equal(engine.readiness().phase, 'catching-up');
    await oneEventAndItemOn(a.engine, 'held-item', "B's event and item on A during B's replay");
    assert.equal(node.health().publishFailures, 0);
    release();
    await opened;
    await node.start(engine);
    assert.equal(engine.readiness().eventsApplied, 1);
  });

  test('a node that leaves before it joins closes the connection it opened to publish', async () => {
    const admin = new Redis(s.redisUrl);
    cleanups.push(() => admin.quit());
    const clients = async () => ((await admin.client('LIST')) as string).trim().split('\n').length;
    const before = await clients();
    // Stopping never reads the store.
    const node = createClusterNode({
      redisUrl: s.redisUrl,
      store: {} as Store,
      prefix: freshSchema('early'),
    });
    await node.connect();
    assert.equal(await clients(), before + 1);
    await node.stop();
    await waitFor(async () => (await clients()) === before, 2_000, 'the publisher closed');
  });

  test('a node joining the cluster reads the item and user writes other nodes made while it opened', async () => {
    const schema = freshSchema('joinrecords');
    const a = await openNode(s, schema, schema, 'a');
    cleanups.push(() => a.close());
    const store = createPostgresStore({ connectionString: s.pgUrl, schema, poolSize: 2 });
    const node = createClusterNode({
      redisUrl: s.redisUrl,
      store,
      nodeId: 'b',
      prefix: schema,
      catchUpIntervalMs: 60_000,
    });
    const engine = createEngine({ store: node.publishingStore(), cooccurrenceThread: false });
    await engine.open();
    cleanups.push(async () => {
      await node.stop();
      await engine.close();
    });
    // Written (and published to the stream) after B loaded its catalogue, before B took its place in
    // the stream: no log and no stream entry brings them to B, only the reload at start.
    assert.equal((await post(a, '/v1/items', { items: [{ id: 'late', tags: ['t9'] }] })).status, 200);
    assert.equal(
      (await a.app.inject({ method: 'PUT', url: '/v1/users/late-user', payload: {} })).statusCode,
      200,
    );
    await assert.rejects(engine.getItem('late'));
    await node.start(engine);
    assert.equal((await engine.getItem('late')).id, 'late');
    assert.equal((await engine.getUser('late-user')).id, 'late-user');
  });

  test("a node started while Redis is unreachable follows the store's log and leaves promptly", async () => {
    const schema = freshSchema('noredis');
    const a = await openNode(s, schema, schema, 'a');
    cleanups.push(() => a.close());
    assert.equal((await post(a, '/v1/items', catalogue)).status, 200);
    // Nothing listens on a port just freed.
    const b = await within(
      openWithRedis(s, schema, 'b', `redis://127.0.0.1:${await freePort()}`),
      5_000,
      'B opened without Redis',
    );
    let left = false;
    cleanups.push(async () => {
      if (!left) await b.leave();
      await b.engine.close();
    });
    await within(b.ready, 5_000, 'B ready without Redis');
    const events = [{ userId: 'viewer', itemId: 'v7', type: 'view', watchRatio: 1 }];
    assert.equal((await post(a, '/v1/events', { events })).body.accepted, 1);
    await waitFor(
      async () => {
        const status = await b.engine.status();
        const cluster = status.cluster as { caughtUpEvents: number };
        return status.models[0]!.version === 1 && cluster.caughtUpEvents === 1;
      },
      3_000,
      "A's event on B through the store's log",
    );
    assert.equal(((await b.engine.status()).cluster as { redis: string }).redis, 'down');
    const start = performance.now();
    await within(b.leave(), 2_000, 'B left');
    left = true;
    assert.ok(performance.now() - start < 1_000, `leave took ${(performance.now() - start).toFixed(0)} ms`);
  });

  test("a takedown by a node cut off from Redis reaches a node on the stream through the store's record writes", async () => {
    const schema = freshSchema('auditfollow');
    const b = await openNode(s, schema, schema, 'b', 200);
    cleanups.push(() => b.close());
    assert.equal((await post(b, '/v1/items', catalogue)).status, 200);
    // A opens after the catalogue is in the store, and cannot publish: nothing listens on its port.
    const a = await within(
      openWithRedis(s, schema, 'a', `redis://127.0.0.1:${await freePort()}`),
      5_000,
      'A opened without Redis',
    );
    cleanups.push(async () => {
      await a.leave();
      await a.engine.close();
    });
    await within(a.ready, 5_000, 'A ready');
    await a.engine.patchItem('v3', { visibility: 'hidden', reason: 'takedown' });
    assert.equal((await b.engine.getItem('v3')).visibility, 'visible');
    await waitFor(
      async () => (await b.engine.getItem('v3')).visibility === 'hidden',
      5_000,
      "A's takedown on B",
    );
    assert.ok(!(await feedIds(b, 'viewer')).includes('v3'));
    await a.engine.patchItem('v3', { visibility: 'visible', reason: 'appeal' });
    await waitFor(
      async () => (await b.engine.getItem('v3')).visibility === 'visible',
      5_000,
      "A's restore on B",
    );
  });

  test('a node cut off from Redis: its new item, field edit and profile mute reach a node on the stream through the store', async () => {
    const schema = freshSchema('recordfollow');
    const b = await openNode(s, schema, schema, 'b', 200);
    cleanups.push(() => b.close());
    assert.equal((await post(b, '/v1/items', catalogue)).status, 200);
    const a = await within(
      openWithRedis(s, schema, 'a', `redis://127.0.0.1:${await freePort()}`),
      5_000,
      'A opened without Redis',
    );
    cleanups.push(async () => {
      await a.leave();
      await a.engine.close();
    });
    await within(a.ready, 5_000, 'A ready');
    await a.engine.putItem('late', { creatorId: 'c9', tags: ['t9'] });
    await a.engine.patchItem('v2', { tags: ['edited'] });
    await a.engine.patchProfile('viewer', { mute: ['t1'] });
    await waitFor(
      async () => {
        const late = await b.engine.getItem('late').catch(() => undefined);
        const v2 = await b.engine.getItem('v2');
        const viewer = await b.engine.getUser('viewer').catch(() => undefined);
        return late?.creatorId === 'c9' && v2.tags[0] === 'edited' && viewer?.controls.muted[0] === 't1';
      },
      5_000,
      "A's item, edit and mute on B",
    );
    // The mute is obeyed by B's very next feed: no item tagged t1 (v1, v4, v7, v10).
    const feed = await feedIds(b, 'viewer');
    assert.ok(feed.length > 0);
    for (const id of ['v1', 'v4', 'v7', 'v10']) assert.ok(!feed.includes(id), `${id} in ${feed.join(',')}`);
  });

  test("without Redis, one node's new item, profile mute and takedown reach the others through the store", async () => {
    const schema = freshSchema('auditnoredis');
    const a = await openNode({ pgUrl: s.pgUrl }, schema, undefined, 'a', 200);
    cleanups.push(() => a.close());
    assert.equal((await post(a, '/v1/items', catalogue)).status, 200);
    const b = await openNode({ pgUrl: s.pgUrl }, schema, undefined, 'b', 200);
    cleanups.push(() => b.close());
    const res = await a.app.inject({
      method: 'PATCH',
      url: '/v1/items/v5',
      payload: { visibility: 'hidden', reason: 'takedown' },
    });
    assert.equal(res.statusCode, 200);
    await waitFor(
      async () => (await b.engine.getItem('v5')).visibility === 'hidden',
      5_000,
      "A's takedown on B",
    );
    assert.equal((await post(a, '/v1/items', { items: [{ id: 'new-on-a', tags: ['t9'] }] })).status, 200);
    const mute = await a.app.inject({
      method: 'PATCH',
      url: '/v1/users/viewer/profile',
      payload: { mute: ['t2'] },
    });
    assert.equal(mute.statusCode, 200);
    await waitFor(
      async () => {
        const item = await b.engine.getItem('new-on-a').catch(() => undefined);
        const viewer = await b.engine.getUser('viewer').catch(() => undefined);
        return item !== undefined && viewer?.controls.muted[0] === 't2';
      },
      5_000,
      "A's new item and mute on B",
    );
    const feed = await feedIds(b, 'viewer');
    assert.ok(feed.includes('new-on-a'), feed.join(','));
    for (const id of ['v2', 'v5', 'v8', 'v11']) assert.ok(!feed.includes(id), `${id} in ${feed.join(',')}`);
  });

  test('a node started while Redis is unreachable joins the stream once Redis is reachable', async () => {
    const schema = freshSchema('lateredis');
    const port = await freePort();
    const redisUrl = `redis://127.0.0.1:${port}`;
    const b = await within(openWithRedis(s, schema, 'b', redisUrl), 5_000, 'B opened without Redis');
    cleanups.push(async () => {
      await b.leave();
      await b.engine.close();
    });
    await within(b.ready, 5_000, 'B ready without Redis');
    assert.equal(((await b.engine.status()).cluster as { redis: string }).redis, 'down');
    const redis = await startRedis(port);
    const admin = new Redis(redisUrl);
    cleanups.push(async () => {
      await admin.quit();
      redis.kill();
    });
    // B reads the stream: its reader blocks in XREAD on the Redis that came up.
    await waitFor(
      async () => ((await admin.client('LIST')) as string).includes('cmd=xread'),
      5_000,
      'B following the stream',
    );
    await waitFor(
      async () => ((await b.engine.status()).cluster as { redis: string }).redis === 'up',
      5_000,
      'B reporting Redis up',
    );
    // Another node's batch on the stream is applied on B.
    const c = await openNode({ pgUrl: s.pgUrl, redisUrl }, schema, schema, 'c');
    cleanups.push(() => c.close());
    assert.equal((await post(c, '/v1/items', catalogue)).status, 200);
    await waitFor(async () => (await feedIds(c, 'viewer')).length === 10, 2_000, 'items on C');
    await waitFor(
      async () => (await b.engine.getItem('v1').catch(() => undefined)) !== undefined,
      2_000,
      "C's item on B through the stream",
    );
  });
});
