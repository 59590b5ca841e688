import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startServer } from '../src/cli/serve.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { SetlistError } from '../src/errors.js';
import { buildApp } from '../src/server/app.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import type { EventInput } from '../src/types.js';
import { replayGatedStore } from './fixtures/unwell-engines.js';
import { createClock, openEngine, tempDbPath } from './helpers.js';

const USERS = ['a', 'b', 'c', 'd'];

/** A store file with 30 items over three topics and a few events per user. */
async function writtenStore(now: () => number): Promise<string> {
  const path = tempDbPath('startup');
  const engine = await openEngine(path, { now, cooccurrenceThread: false });
  const items = [];
  for (let k = 0; k < 30; k++) {
    items.push({
      id: `v${k}`,
      creatorId: `c${k % 5}`,
      tags: [`topic${k % 3}`],
      createdAt: now() - 3_600_000,
    });
  }
  await engine.putItems({ items });
  const events: EventInput[] = [];
  for (const [u, user] of USERS.entries()) {
    for (let k = 0; k < 6; k++) {
      events.push({ userId: user, itemId: `v${(u * 7 + k * 3) % 30}`, type: k % 4 === 3 ? 'skip' : 'like' });
    }
  }
  await engine.ingest({ events });
  await engine.close();
  return path;
}

/** An engine over a written store whose reads of the log wait on `gates` gates (see gatedStore). */
async function gatedEngine(gates: number) {
  const clock = createClock();
  const path = await writtenStore(clock.now);
  const gated = replayGatedStore(path, gates);
  const engine = createEngine({ store: gated.store, now: clock.now, cooccurrenceThread: false });
  return { clock, path, gated, engine };
}

/** The same, opening: returned once it serves, with the replay waiting on its first gate. */
async function servingEngine(gates: number) {
  const made = await gatedEngine(gates);
  const opening = made.engine.open();
  await made.engine.whenServing();
  return { ...made, opening };
}

/** Everything the online state says of each user that a double or reordered application would change. */
async function userState(engine: Engine) {
  const out: Record<string, unknown> = {};
  for (const user of [...USERS, 'late']) {
    out[user] = { history: engine.modelHistory(user), profile: await engine.profile(user) };
  }
  return out;
}

test('an engine serves while its log is replayed; events accepted meanwhile are applied once, in log order', async () => {
  // Gate 0: the replay's first read. Gate 1: the pass after the replay reached the log's end.
  const { clock, path, gated, engine, opening } = await servingEngine(2);
  assert.deepEqual(engine.readiness(), { ready: false, phase: 'catching-up', eventsApplied: 0 });
  assert.equal((await engine.status()).startup.phase, 'catching-up');

  // Feeds are full from the catalogue; training waits for the whole log.
  assert.equal((await engine.feed('a', 5)).items.length, 5);
  assert.throws(
    () => engine.train(),
    (err: unknown) => err instanceof SetlistError && err.code === 'SETLIST_ERR_STARTING',
  );

  // Accepted while the replay has not read the log: durable now, applied by the replay after the
  // events before them.
  const during = await engine.ingest({
    events: [
      { userId: 'a', itemId: 'v20', type: 'like' },
      { userId: 'late', itemId: 'v21', type: 'like' },
      { userId: 'a', itemId: 'v22', type: 'skip' },
    ],
  });
  assert.deepEqual(during, { accepted: 3, duplicates: 0 });
  assert.equal(engine.readiness().eventsApplied, 0);

  gated.open(0);
  await gated.reading(1);
  // The replay reached the end: an event accepted now is applied at once, and the last pass's read,
  // which returns it too, does not apply it again.
  const applied = engine.readiness().eventsApplied;
  assert.equal(applied, 27);
  await engine.ingest({ events: [{ userId: 'late', itemId: 'v23', type: 'like' }] });
  assert.equal(engine.readiness().eventsApplied, applied + 1);
  gated.open(1);
  await opening;
  assert.deepEqual(engine.readiness(), { ready: true, phase: 'open', eventsApplied: applied + 1 });
  const status = await engine.status();
  assert.equal(status.startup.phase, 'open');
  assert.ok(status.startup.servingAfterMs !== undefined && status.startup.readyAfterMs !== undefined);
  assert.ok(status.startup.servingAfterMs <= status.startup.readyAfterMs);
  const served = await userState(engine);
  await engine.close();

  // The same log replayed by an engine that served nothing while it opened.
  const replayed = await openEngine(path, { now: clock.now, cooccurrenceThread: false });
  assert.equal(replayed.readiness().eventsApplied, applied + 1);
  assert.deepEqual(await userState(replayed), served);
  await replayed.close();
});

test('a store that cannot be opened fails whenServing with its error, and nothing is served', async () => {
  const store = createSqliteStore({ path: ':memory:' });
  const failing = new Proxy(store, {
    get(target, key) {
      if (key === 'migrate') return async () => Promise.reject(new Error('disk on fire'));
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as Store;
  const engine = createEngine({ store: failing, cooccurrenceThread: false });
  const opening = engine.open();
  await assert.rejects(engine.whenServing(), /disk on fire/);
  await assert.rejects(opening, /disk on fire/);
  assert.equal(engine.readiness().phase, 'closed');
  await assert.rejects(
    engine.feed('a', 5),
    (err: unknown) => (err as SetlistError).code === 'SETLIST_ERR_INTERNAL',
  );
  await engine.close();
});

test('an engine closed while it replays its log stops the replay, and open says so', async () => {
  const { gated, engine, opening } = await servingEngine(1);
  await gated.reading(0);
  const closing = engine.close();
  gated.open(0);
  await assert.rejects(opening, (err: unknown) => {
    assert.ok(err instanceof SetlistError);
    assert.equal(err.code, 'SETLIST_ERR_UNAVAILABLE');
    assert.match(err.message, /closed while it replayed/);
    return true;
  });
  await closing;
  assert.equal(engine.readiness().phase, 'closed');
  assert.ok(engine.readiness().eventsApplied < 24);
});

test('over HTTP: /readyz is 503 while the log is replayed, feeds and events are served, training is 503', async () => {
  const { gated, engine, opening } = await servingEngine(1);
  const app = buildApp({ engine, webRoot: false });

  const notReady = await app.inject({ method: 'GET', url: '/readyz' });
  assert.equal(notReady.statusCode, 503);
  assert.deepEqual(notReady.json(), { ready: false, phase: 'catching-up', eventsApplied: 0 });
  assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  const feed = await app.inject({ method: 'GET', url: '/v1/users/a/feed?n=5' });
  assert.equal(feed.statusCode, 200);
  assert.equal(feed.json().items.length, 5);
  const train = await app.inject({ method: 'POST', url: '/v1/train' });
  assert.equal(train.statusCode, 503);
  assert.equal(train.json().error.code, 'SETLIST_ERR_STARTING');
  assert.equal(train.headers['retry-after'], '5');
  const events = await app.inject({
    method: 'POST',
    url: '/v1/events',
    payload: { events: [{ userId: 'b', itemId: 'v9', type: 'like' }] },
  });
  assert.equal(events.statusCode, 200);
  assert.equal(events.json().accepted, 1);

  const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  assert.match(metrics, /^setlist_ready 0$/m);
  assert.match(metrics, /^setlist_events_applied 0$/m);

  gated.open(0);
  await opening;
  const after = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  assert.match(after, /^setlist_ready 1$/m);
  assert.match(after, /^setlist_events_applied 25$/m);
  const ready = await app.inject({ method: 'GET', url: '/readyz' });
  assert.equal(ready.statusCode, 200);
  assert.deepEqual(ready.json(), { ready: true, phase: 'open', eventsApplied: 25 });
  await app.close();
  await engine.close();
});

test('setlist serve listens once the catalogue is loaded, before the log is replayed', async () => {
  const { path, gated, engine } = await gatedEngine(1);
  process.env.SETLIST_LOG_LEVEL = 'warn';
  const { app, url, ready } = await startServer({ host: '127.0.0.1', port: 0, db: path }, engine);
  let replayed = false;
  void ready.then(() => {
    replayed = true;
  });
  const before = await fetch(`${url}/readyz`);
  assert.equal(before.status, 503);
  assert.equal(((await before.json()) as { phase: string }).phase, 'catching-up');
  assert.equal(replayed, false);
  gated.open(0);
  await ready;
  const after = await fetch(`${url}/readyz`);
  assert.equal(after.status, 200);
  await app.close();
  await engine.close();
});
