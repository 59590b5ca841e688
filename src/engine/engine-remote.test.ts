import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openEngine, T0, tempDbPath } from '../../test/helpers.js';
import { loadDemo } from '../cli/demo.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { EventInput, StoredEvent } from '../types.js';
import { createEngine, LABEL_SNAPSHOT, SERVING_SNAPSHOT } from './engine.js';

test('events from another node are applied once, whether they come by stream, by catch-up or both', async () => {
  const path = tempDbPath('remote');
  const a = await openEngine(path);
  const b = await openEngine(path);
  await a.putItems({ items: [{ id: 'v1' }, { id: 'v2' }] });
  await a.ingest({
    events: [
      { id: 'e1', userId: 'u1', itemId: 'v1', type: 'like' },
      { id: 'e2', userId: 'u2', itemId: 'v1', type: 'like' },
    ],
  });
  assert.equal(await b.catchUp(), 2);
  // B read the log first; the same events then arrive over the stream: nothing changes.
  const events: StoredEvent[] = [
    { seq: 1, id: 'e1', userId: 'u1' as never, itemId: 'v1' as never, type: 'like', at: 1, receivedAt: 1 },
    { seq: 2, id: 'e2', userId: 'u2' as never, itemId: 'v1' as never, type: 'like', at: 1, receivedAt: 1 },
  ];
  assert.equal(b.applyRemoteEvents(events), 0);
  assert.equal((await b.status()).models[0]!.version, 2);
  // A newer event arrives over the stream first, then the catch-up reads it again.
  await a.ingest({ events: [{ id: 'e3', userId: 'u3', itemId: 'v2', type: 'share' }] });
  assert.equal(
    b.applyRemoteEvents([{ ...events[0]!, seq: 3, id: 'e3', userId: 'u3' as never, itemId: 'v2' as never }]),
    1,
  );
  assert.equal(await b.catchUp(), 0);
  assert.equal((await b.status()).models[0]!.version, 3);
});

test('a stream batch mixing new and already applied events applies only the new ones', async () => {
  const path = tempDbPath('remote-mixed');
  const a = await openEngine(path);
  const b = await openEngine(path);
  await a.putItems({ items: [{ id: 'v1' }, { id: 'v2' }] });
  await a.ingest({ events: [{ id: 'e1', userId: 'u1', itemId: 'v1', type: 'like' }] });
  assert.equal(await b.catchUp(), 1);
  const event = (seq: number, userId: string): StoredEvent => ({
    seq,
    id: `e${seq}`,
    userId: userId as never,
    itemId: 'v2' as never,
    type: 'like',
    at: 1,
    receivedAt: 1,
  });
  // New, already applied, new: the two new ones count, and the online version moves by two.
  assert.equal(
    b.applyRemoteEvents([event(2, 'u2'), { ...event(1, 'u1'), itemId: 'v1' as never }, event(3, 'u3')]),
    2,
  );
  assert.equal((await b.status()).models[0]!.version, 3);
  assert.equal(b.applyRemoteEvents([event(3, 'u3'), event(4, 'u4')]), 1);
  assert.equal((await b.status()).models[0]!.version, 4);
});

test('the onEventsStored hook gets each committed batch once, without the duplicates', async () => {
  const batches: string[][] = [];
  const engine = createEngine({
    store: createSqliteStore({ path: ':memory:' }),
    onEventsStored: (events) => {
      batches.push(events.map((e) => e.id ?? ''));
    },
  });
  await engine.open();
  await engine.ingest({ events: [{ id: 'e1', userId: 'u', itemId: 'v', type: 'view' }] });
  await engine.ingest({
    events: [
      { id: 'e1', userId: 'u', itemId: 'v', type: 'view' },
      { id: 'e2', userId: 'u', itemId: 'v', type: 'like' },
    ],
  });
  await engine.ingest({ events: [{ id: 'e2', userId: 'u', itemId: 'v', type: 'like' }] });
  assert.deepEqual(batches, [['e1'], ['e2']]);
});

test("the onEventsStored hook gets the events as logged, field for field, and the caller's body is left as it was", async () => {
  const path = tempDbPath('hook-log');
  const store = createSqliteStore({ path });
  const hooked: StoredEvent[] = [];
  const engine = createEngine({
    store,
    now: () => T0,
    onEventsStored: (events) => void hooked.push(...events),
  });
  await engine.open();
  await engine.ingest({ events: [{ id: 'e1', userId: 'u', itemId: 'v', type: 'view' }] });
  const body: { events: EventInput[] } = {
    events: [
      { id: 'e1', userId: 'u', itemId: 'v', type: 'view' },
      { id: 'e2', userId: 'u', itemId: 'v', type: 'like', at: T0 - 5_000, watchMs: 900 },
      { userId: 'w', itemId: 'v', type: 'view', watchRatio: 0.5 },
    ],
  };
  const before = structuredClone(body);
  assert.deepEqual(await engine.ingest(body), { accepted: 2, duplicates: 1 });
  assert.deepEqual(body, before);
  assert.deepEqual(hooked, await store.readEvents(0, 10));
  assert.deepEqual(
    hooked.map((e) => [e.id, e.at, e.receivedAt]),
    [
      ['e1', T0, T0],
      ['e2', T0 - 5_000, T0],
      [undefined, T0, T0],
    ],
  );
  await engine.close();
});

test('a model snapshot is swapped in only when its version is newer', async () => {
  const engine = await openEngine();
  const snap = (version: number) => ({
    name: 'm',
    version,
    trainedAt: version,
    meta: {},
    data: new Uint8Array(),
  });
  assert.equal(await engine.installSnapshot(snap(2)), true);
  assert.equal(await engine.installSnapshot(snap(1)), false);
  assert.equal(engine.snapshot('m')?.version, 2);
  const models = (await engine.status()).models;
  assert.deepEqual(
    models.filter((m) => m.kind === 'batch').map((m) => [m.name, m.version]),
    [['m', 2]],
  );
});

test('a remote item older than the one held, or equal to it, is ignored; a different one of the same time applies', async () => {
  const engine = await openEngine();
  const item = (updatedAt: number, caption: string) => ({
    id: 'v1' as never,
    tags: [],
    caption,
    createdAt: 1,
    updatedAt,
    visibility: 'visible' as const,
  });
  assert.equal(engine.applyRemoteRecords({ items: [item(10, 'new')] }), 1);
  assert.equal(engine.applyRemoteRecords({ items: [item(5, 'old')] }), 0);
  assert.equal((await engine.getItem('v1')).caption, 'new');
  // The same record again (a node reading back its own write) changes nothing.
  assert.equal(engine.applyRemoteRecords({ items: [item(10, 'new')] }), 0);
  // Two writes in the same millisecond: the one read from the store is the one that committed last.
  assert.equal(engine.applyRemoteRecords({ items: [item(10, 'newer')] }), 1);
  assert.equal((await engine.getItem('v1')).caption, 'newer');
  const user = (updatedAt: number, muted: string[]) => ({
    id: 'u1' as never,
    traits: {},
    controls: { muted, declared: [] },
    createdAt: 1,
    updatedAt,
  });
  assert.equal(engine.applyRemoteRecords({ users: [user(10, ['t'])] }), 1);
  assert.equal(engine.applyRemoteRecords({ users: [user(10, ['t'])] }), 0);
  assert.equal(engine.applyRemoteRecords({ users: [user(10, ['t', 'u'])] }), 1);
});

test('a model trained on one node is announced and swapped in on another that reads the same store', async () => {
  const path = tempDbPath('announce');
  const seeded = await loadDemo(path, 7, T0, { creators: 10, items: 120, users: 60, eventsPerUser: 15 });
  await seeded.close();
  const announced: { name: string; version: number }[] = [];
  const a = createEngine({
    store: createSqliteStore({ path }),
    now: () => T0,
    onSnapshotSaved: (model) => {
      announced.push(model);
    },
  });
  await a.open();
  const b = await openEngine(path, { now: () => T0 });
  const result = await a.train();
  assert.ok(result !== undefined);
  assert.deepEqual(announced.map((m) => m.name).sort(), [LABEL_SNAPSHOT, SERVING_SNAPSHOT].sort());
  const store = createSqliteStore({ path });
  for (const m of announced) {
    const snapshot = await store.loadSnapshot(m.name);
    assert.equal(await b.installSnapshot(snapshot!), true);
    assert.equal(await b.installSnapshot(snapshot!), false);
  }
  await store.close();
  const batchOf = async (engine: typeof a) =>
    (await engine.status()).models.filter((m) => m.kind === 'batch').map((m) => [m.name, m.version]);
  assert.deepEqual(await batchOf(b), await batchOf(a));
  assert.deepEqual(await b.feed('u0001', 10), await a.feed('u0001', 10));
});

test('a model snapshot overtaken by a newer one while its item ids are looked up is not served', async () => {
  const path = tempDbPath('overtaken');
  const seeded = await loadDemo(path, 7, T0, { creators: 10, items: 120, users: 60, eventsPerUser: 15 });
  await seeded.close();
  const a = await openEngine(path, { now: () => T0 });
  assert.ok((await a.train()) !== undefined);
  const store = createSqliteStore({ path });
  const trained = (await store.loadSnapshot(SERVING_SNAPSHOT))!;
  await store.close();
  const b = await openEngine(':memory:', { now: () => T0 });
  // Both start before either is served: the newer one, asked first, is served first; the older one,
  // whose lookup ends after that, must not replace it.
  const installs = [
    b.installSnapshot({ ...trained, version: 3 }),
    b.installSnapshot({ ...trained, version: 2 }),
  ];
  assert.deepEqual(await Promise.all(installs), [true, false]);
  const batch = (await b.status()).models.filter((m) => m.kind === 'batch').map((m) => m.version);
  assert.deepEqual(batch, [3]);
  assert.equal(await b.installSnapshot({ ...trained, version: 3 }), false);
});
