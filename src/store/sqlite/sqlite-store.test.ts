import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { assertMigrationSteps, tempDir } from '../../../test/helpers.js';
import { createRandom } from '../../core/random.js';
import { SetlistError } from '../../errors.js';
import type { EventRecord, ItemId, ItemRecord, UserId, UserRecord } from '../../types.js';
import { type AppendResult, type MigrationStep, migrationMessage } from '../store.js';
import { runStoreContract } from '../store-contract.js';
import { WAL_CHECKPOINT_PAGES } from './connection.js';
import { type EventLogCommit, eventLogCommits } from './event-append.js';
import { eventIdHash } from './event-id-hash.js';
import { sqliteMigrations } from './migrations.js';
import { OFF_THREAD_SNAPSHOT_BYTES } from './snapshot-write.js';
import { createSqliteStore } from './sqlite-store.js';

const dir = tempDir('setlist-sqlite-');
let n = 0;
const paths = new WeakMap<object, string>();

runStoreContract('sqlite', {
  async create() {
    const path = join(dir, `store-${n++}.db`);
    const store = createSqliteStore({ path });
    await store.migrate();
    paths.set(store, path);
    return store;
  },
  async reopen(previous) {
    const store = createSqliteStore({ path: paths.get(previous)! });
    await store.migrate();
    return store;
  },
});

test('a file that is not a database gets SETLIST_ERR_STORE_CORRUPT', async () => {
  const path = join(dir, 'garbage.db');
  writeFileSync(path, 'this is not sqlite, just text that is long enough to have a header'.repeat(100));
  await assert.rejects(
    async () => {
      const store = createSqliteStore({ path });
      await store.migrate();
    },
    (err: unknown) => err instanceof SetlistError && err.code === 'SETLIST_ERR_STORE_CORRUPT',
  );
});

test('a database from a newer schema version gets SETLIST_ERR_STORE_TOO_NEW', async () => {
  const path = join(dir, 'newer.db');
  const raw = new Database(path);
  raw.pragma('user_version = 999');
  raw.close();
  const store = createSqliteStore({ path });
  await assert.rejects(
    () => store.migrate(),
    (err: unknown) => err instanceof SetlistError && err.code === 'SETLIST_ERR_STORE_TOO_NEW',
  );
  await store.close();
});

/** A view of item i1 by user u1 with the client id `id`. */
const event = (id: string): EventRecord => ({
  id,
  userId: 'u1' as UserId,
  itemId: 'i1' as ItemId,
  type: 'view',
  at: 1,
});

test('appends made in the same turn commit together, and one that fails leaves the others written', async () => {
  const store = createSqliteStore({ path: join(dir, `group-${n++}.db`) });
  await store.migrate();
  const broken = { ...event('bad'), userId: null } as unknown as EventRecord;
  const [first, failed, last] = await Promise.allSettled([
    store.appendEvents([event('a'), event('b')], 1),
    store.appendEvents([event('c'), broken], 2),
    store.appendEvents([event('d'), event('a')], 3),
  ]);
  assert.equal(first.status, 'fulfilled');
  assert.equal(failed.status, 'rejected');
  assert.equal(last.status, 'fulfilled');
  assert.deepEqual(last.status === 'fulfilled' && last.value.duplicates, [1]);
  const read = await store.readEvents(0, 10);
  assert.deepEqual(
    read.map((e) => [e.id, e.receivedAt]),
    [
      ['a', 1],
      ['b', 1],
      ['d', 3],
    ],
  );
  await store.close();
});

test("a file store's writer tells each append its seqs before it resolves, with the result it resolves with", async () => {
  const store = createSqliteStore({ path: join(dir, `told-${n++}.db`) });
  await store.migrate();
  const order: string[] = [];
  const told: AppendResult[] = [];
  const appends = [
    [event('a'), event('b')],
    [event('c'), event('a')],
  ].map((events, k) =>
    store
      .appendEvents(events, 1, (result) => {
        order.push(`told ${k}`);
        told.push(result);
      })
      .then((result) => {
        order.push(`resolved ${k}`);
        return result;
      }),
  );
  const results = await Promise.all(appends);
  // One transaction or two (the writer may take the first before the second arrives): each told first.
  for (const k of [0, 1])
    assert.ok(order.indexOf(`told ${k}`) < order.indexOf(`resolved ${k}`), order.join(', '));
  assert.equal(order.length, 4);
  assert.equal(told[0], results[0]);
  assert.equal(told[1], results[1]);
  assert.deepEqual(Array.from(results[0]!.seqs), [1, 2]);
  assert.deepEqual(Array.from(results[1]!.seqs), [3, 0]);
  assert.deepEqual(results[1]!.duplicates, [1]);
  // Without a listener, an append is answered once, committed, as before.
  const plain = await store.appendEvents([event('d')], 2);
  assert.deepEqual(Array.from(plain.seqs), [4]);
  await store.close();
});

test("each of the event-log writer's transactions is published with the appends and events it committed", async () => {
  const store = createSqliteStore({ path: join(dir, `commits-${n++}.db`) });
  await store.migrate();
  const commits: EventLogCommit[] = [];
  const listen = (message: unknown): void => {
    commits.push(message as EventLogCommit);
  };
  subscribe(eventLogCommits.name, listen);
  try {
    await Promise.all([
      store.appendEvents([event('a'), event('b')], 1),
      store.appendEvents([event('c')], 2),
      store.appendEvents([event('d'), event('e'), event('a')], 3),
    ]);
  } finally {
    unsubscribe(eventLogCommits.name, listen);
  }
  assert.equal(
    commits.reduce((sum, c) => sum + c.appends, 0),
    3,
  );
  assert.equal(
    commits.reduce((sum, c) => sum + c.events, 0),
    6,
  );
  for (const c of commits) {
    assert.ok(c.insertMs >= 0 && c.commitMs >= 0 && c.startedAt > 0);
  }
  await store.close();
});

test('a large snapshot, written by a worker on its own connection, reads back whole, also after a reopen', async () => {
  const path = join(dir, 'large-snapshot.db');
  const store = createSqliteStore({ path });
  await store.migrate();
  const data = new Uint8Array(new SharedArrayBuffer(OFF_THREAD_SNAPSHOT_BYTES + 13));
  for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
  const events = store.appendEvents(
    [{ userId: 'u' as UserId, itemId: 'i' as ItemId, type: 'like', at: 1 }],
    1,
  );
  const meta = { n: 1, itemIds: Array.from({ length: 20_000 }, (_, i) => `vidéo-${i}`) };
  await Promise.all([store.saveSnapshot({ name: 'big', version: 3, trainedAt: 5, meta, data }), events]);
  const loaded = await store.loadSnapshot('big');
  assert.equal(loaded?.version, 3);
  assert.deepEqual(loaded?.meta, meta);
  assert.deepEqual(loaded?.data, new Uint8Array(data));
  await store.close();
  const reopened = createSqliteStore({ path });
  await reopened.migrate();
  assert.equal((await reopened.loadSnapshot('big'))?.data.length, data.length);
  assert.equal((await reopened.counts()).events, 1);
  await reopened.close();
});

test("a large snapshot's item id section in shared memory is written by the worker and reads back intact", async () => {
  const path = join(dir, 'large-snapshot-ids.db');
  const store = createSqliteStore({ path });
  await store.migrate();
  const data = new Uint8Array(new SharedArrayBuffer(OFF_THREAD_SNAPSHOT_BYTES + 5)).fill(3);
  const itemIds = new Uint8Array(new SharedArrayBuffer(100_003));
  for (let i = 0; i < itemIds.length; i++) itemIds[i] = (i * 13) & 0xff;
  await store.saveSnapshot({ name: 'big', version: 1, trainedAt: 5, meta: { report: {} }, data, itemIds });
  const loaded = await store.loadSnapshot('big');
  assert.deepEqual(loaded?.meta, { report: {} });
  assert.deepEqual(loaded?.itemIds, new Uint8Array(itemIds));
  assert.equal(loaded?.data.length, data.length);
  await store.close();
});

test('saving a snapshot keeps the newest versions of its name, small ones and those written by the worker alike', async () => {
  const path = join(dir, 'kept-snapshots.db');
  const store = createSqliteStore({ path, snapshotsKept: 2 });
  await store.migrate();
  const small = (version: number, name = 'ials') =>
    store.saveSnapshot({
      name,
      version,
      trainedAt: version,
      meta: { version },
      data: Uint8Array.of(version),
    });
  const versions = (): string[] => {
    const db = new Database(path, { readonly: true });
    try {
      const rows = db.prepare('SELECT name, version FROM snapshots ORDER BY name, version').all() as {
        name: string;
        version: number;
      }[];
      return rows.map((r) => `${r.name}@${r.version}`);
    } finally {
      db.close();
    }
  };
  for (const v of [1, 2, 3]) await small(v);
  await small(1, 'labels');
  assert.deepEqual(versions(), ['ials@2', 'ials@3', 'labels@1']);
  const large = new Uint8Array(new SharedArrayBuffer(OFF_THREAD_SNAPSHOT_BYTES + 1)).fill(7);
  await store.saveSnapshot({ name: 'ials', version: 4, trainedAt: 4, meta: {}, data: large });
  assert.deepEqual(versions(), ['ials@3', 'ials@4', 'labels@1']);
  // An older version saved late is itself beyond the newest two: the store keeps what it had.
  await small(2);
  assert.deepEqual(versions(), ['ials@3', 'ials@4', 'labels@1']);
  assert.equal((await store.loadSnapshot('ials'))?.data.length, large.length);
  await store.close();
});

test('snapshotsKept below 1 is a configuration error naming the option', () => {
  for (const snapshotsKept of [0, -1, 1.5]) {
    assert.throws(
      () => createSqliteStore({ path: ':memory:', snapshotsKept }),
      (err: unknown) =>
        err instanceof SetlistError && err.code === 'SETLIST_ERR_CONFIG' && err.path === 'snapshotsKept',
    );
  }
});

/** A new store on a file, with one event's append asked for and not yet awaited. */
async function appendOneEvent() {
  const path = join(dir, `close-${n++}.db`);
  const store = createSqliteStore({ path });
  await store.migrate();
  const appended = store.appendEvents(
    [{ id: 'e1', userId: 'u1' as UserId, itemId: 'i1' as ItemId, type: 'like', at: 1 }],
    1,
  );
  return { path, store, appended };
}

test('appends still waiting for their turn when the store closes are committed first', async () => {
  const { path, store, appended } = await appendOneEvent();
  await store.close();
  assert.deepEqual((await appended).duplicates, []);
  const again = createSqliteStore({ path });
  await again.migrate();
  assert.equal((await again.counts()).events, 1);
  await again.close();
});

test('an append whose answer is still unread when the writer exits on close resolves, not fails', async () => {
  const { store, appended } = await appendOneEvent();
  const closing = store.close();
  // Held off the event loop, this thread hears of the writer's exit with its answer still queued.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
  await closing;
  assert.deepEqual((await appended).duplicates, []);
});

test('events appended to a file by the writer thread read back field for field, ids of any characters included', async () => {
  const path = join(dir, `packed-${n++}.db`);
  const store = createSqliteStore({ path });
  await store.migrate();
  const events: EventRecord[] = [
    {
      id: 'é😀-1',
      userId: 'u 😀' as UserId,
      itemId: 'i\n"x"' as ItemId,
      type: 'view',
      at: 5,
      watchMs: 1_500,
    },
    { userId: '' as UserId, itemId: 'i2' as ItemId, type: 'like', at: 6, watchRatio: 0.25 },
  ];
  const { seqs, duplicates } = await store.appendEvents(events, 7);
  assert.deepEqual(duplicates, []);
  const read = await store.readEvents(0, 10);
  assert.deepEqual(
    read.map((e) => e.seq),
    [...seqs],
  );
  assert.deepEqual(
    read.map(({ seq: _, ...rest }) => rest),
    events.map((e) => ({ ...e, receivedAt: 7 })),
  );
  await store.close();
});

test('a database of schema version 1 is migrated: its events keep their seqs and fields, and their ids stay duplicates', async () => {
  const path = join(dir, `version-1-${n++}.db`);
  const raw = new Database(path);
  raw.exec(sqliteMigrations[0]!);
  raw.pragma('user_version = 1');
  const insert = raw.prepare(
    `INSERT INTO events (id, user_id, item_id, type, at, watch_ms, watch_ratio, received_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  insert.run('e1', 'u1', 'i1', 'view', 10, 1_500, null, 100);
  insert.run(null, 'u2', 'i2', 'like', 11, null, 0.5, 100);
  insert.run('e3', 'u1', 'i3', 'share', 12, null, null, 101);
  insert.run('gone', 'u1', 'i4', 'view', 13, null, null, 101);
  // AUTOINCREMENT never hands out a seq again, not even a deleted row's.
  raw.prepare("DELETE FROM events WHERE id = 'gone'").run();
  raw.close();

  const steps: MigrationStep[] = [];
  const store = createSqliteStore({ path, onMigration: (step) => steps.push(step) });
  await store.migrate();
  // Each step is told as it starts (with what makes it slow) and once done.
  assertMigrationSteps(steps, 2, sqliteMigrations.length);
  assert.match(steps[0]!.note ?? '', /copies the event log/);
  assert.deepEqual(await store.readEvents(0, 10), [
    { seq: 1, id: 'e1', userId: 'u1', itemId: 'i1', type: 'view', at: 10, watchMs: 1_500, receivedAt: 100 },
    { seq: 2, userId: 'u2', itemId: 'i2', type: 'like', at: 11, watchRatio: 0.5, receivedAt: 100 },
    { seq: 3, id: 'e3', userId: 'u1', itemId: 'i3', type: 'share', at: 12, receivedAt: 101 },
  ]);
  const event = (id: string): EventRecord => ({
    id,
    userId: 'u9' as UserId,
    itemId: 'i9' as ItemId,
    type: 'view',
    at: 20,
  });
  const result = await store.appendEvents([event('e3'), event('e4'), event('e1')], 200);
  assert.deepEqual(result.duplicates, [0, 2]);
  assert.deepEqual([...result.seqs], [0, 5, 0]);
  await store.close();

  const check = new Database(path, { readonly: true });
  assert.equal(check.pragma('user_version', { simple: true }), sqliteMigrations.length);
  assert.deepEqual(
    check.prepare('SELECT id, id_hash FROM events WHERE id IS NOT NULL ORDER BY seq').all(),
    ['e1', 'e3', 'e4'].map((id) => ({ id, id_hash: eventIdHash(id) })),
  );
  check.close();
});

test('creating a fresh database reports no migration step, nor does opening an up-to-date one', async () => {
  const path = join(dir, `fresh-${n++}.db`);
  const steps: MigrationStep[] = [];
  for (let k = 0; k < 2; k++) {
    const store = createSqliteStore({ path, onMigration: (step) => steps.push(step) });
    await store.migrate();
    await store.close();
  }
  assert.deepEqual(steps, []);
});

test('a migration step reads as one log line as it starts and once done', () => {
  assert.equal(
    migrationMessage('sqlite', { version: 2, latest: 3, note: 'copies the event log once' }),
    'upgrading the sqlite store: schema version 2 of 3 (copies the event log once)...',
  );
  assert.equal(
    migrationMessage('postgres', { version: 2, latest: 2, ms: 12_345 }),
    'postgres store: schema version 2 of 2 done in 12.3 s',
  );
});

test('an id whose hash matches a logged event of another id is stored, not taken for a duplicate', async () => {
  const path = join(dir, `collision-${n++}.db`);
  const store = createSqliteStore({ path });
  await store.migrate();
  // A logged event whose id shares the hash of 'b': what a 48-bit collision looks like in the log.
  const raw = new Database(path);
  raw
    .prepare(
      `INSERT INTO events (id, user_id, item_id, type, at, received_at, id_hash)
       VALUES ('a', 'u1', 'i1', 'view', 1, 1, ?)`,
    )
    .run(eventIdHash('b'));
  raw.close();
  const event = (id: string): EventRecord => ({
    id,
    userId: 'u1' as UserId,
    itemId: 'i1' as ItemId,
    type: 'view',
    at: 2,
  });
  const first = await store.appendEvents([event('b'), event('b')], 2);
  assert.deepEqual(first.duplicates, [1]);
  assert.deepEqual(
    [...first.seqs].map((seq) => seq > 0),
    [true, false],
  );
  assert.deepEqual((await store.appendEvents([event('b')], 3)).duplicates, [0]);
  // Read back, not counted: the counts are kept by this store's writes, and 'a' was written behind it.
  assert.deepEqual(
    (await store.readEvents(0, 10)).map((e) => e.id),
    ['a', 'b'],
  );
  await store.close();
});

test('the event log is checkpointed after WAL_CHECKPOINT_PAGES frames, not after SQLite’s 1,000', async () => {
  const path = join(dir, `checkpoints-${n++}.db`);
  const store = createSqliteStore({ path });
  await store.migrate();
  const random = createRandom(19);
  // A checkpoint that copied every frame lets the next transaction write the WAL from its start again,
  // so the file grows past the frames one checkpoint interval holds only if no checkpoint ran.
  const probe = new Database(path, { readonly: true });
  const frameBytes = 24 + (probe.pragma('page_size', { simple: true }) as number);
  probe.close();
  const grown = (): boolean => statSync(`${path}-wal`).size > 1_500 * frameBytes;
  let batches = 0;
  // Batches of events with random ids, each its own transaction of the event-log writer.
  while (!grown() && batches < 400) {
    const events = Array.from({ length: 500 }, (_, k) => ({
      ...event(`e-${random.int(2 ** 48)}-${k}`),
      userId: `u${random.int(1000)}` as UserId,
    }));
    await store.appendEvents(events, batches++);
  }
  const held = grown();
  // Closing the last connection checkpoints the WAL and deletes it.
  await store.close();
  assert.ok(held, `after ${batches} batches the WAL held no 1,500 frames: it was checkpointed sooner`);
  assert.ok(WAL_CHECKPOINT_PAGES > 1_500);
});

test('counts are kept by the writes (none is a scan of the log once counted) and match a count after reopening', async () => {
  const path = join(dir, 'counts.db');
  const store = createSqliteStore({ path });
  await store.migrate();
  const item = (id: string): ItemRecord => ({
    id: id as ItemId,
    tags: [],
    visibility: 'visible',
    createdAt: 1,
    updatedAt: 1,
  });
  const user = (id: string, updatedAt = 1): UserRecord => ({
    id: id as UserId,
    traits: {},
    controls: { muted: [], declared: [] },
    createdAt: 1,
    updatedAt,
  });
  await store.writeItems([item('a'), item('b')]);
  await store.writeUsers([user('u1')]);
  const event = (id: string, itemId: string): EventRecord => ({
    id,
    userId: 'u1' as UserId,
    itemId: itemId as ItemId,
    type: 'view',
    at: 1,
  });
  await store.appendEvents([event('e1', 'a'), event('e2', 'b')], 1);
  assert.deepEqual(await store.counts(), { items: 2, users: 1, events: 2 });
  // Counted from here on by the writes: a rewrite is not a new row, a repeated id in one batch is one,
  // a duplicate event is none, and a failed write counts nothing.
  await store.writeItems([item('a'), item('c'), item('c')]);
  await store.writeUsers([user('u1', 2), user('u2')]);
  await store.appendEvents([event('e2', 'b'), event('e3', 'c'), event('e4', 'c')], 2);
  await assert.rejects(store.writeItems([item('d'), { id: 'e' as ItemId } as never]));
  assert.deepEqual(await store.counts(), { items: 3, users: 2, events: 4 });
  // A row written behind the store's back (another connection) is not counted: the counts are kept,
  // not read from the tables again.
  const other = new Database(path);
  other.prepare("INSERT INTO users (id, updated_at, doc) VALUES ('behind', 1, '{}')").run();
  other.close();
  assert.equal((await store.counts()).users, 2);
  await store.close();
  const reopened = createSqliteStore({ path });
  await reopened.migrate();
  assert.deepEqual(await reopened.counts(), { items: 3, users: 3, events: 4 });
  await reopened.close();
});

test('a count taken while an append is in flight is not kept, so that append is not counted twice', async () => {
  const path = join(dir, 'counts-in-flight.db');
  const store = createSqliteStore({ path });
  await store.migrate();
  // The writer thread is started by the first append.
  await store.appendEvents([event('warm')], 1);
  const appending = store.appendEvents([event('x1'), event('x2'), event('x3')], 2);
  // This thread waits, without a turn of its event loop, until the writer thread has committed
  // them: the count below then sees the three rows before their append has been answered here.
  const reader = new Database(path, { readonly: true });
  const until = performance.now() + 30_000;
  while ((reader.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n < 4) {
    assert.ok(performance.now() < until, 'the writer did not commit within 30 s');
  }
  reader.close();
  assert.equal((await store.counts()).events, 4);
  await appending;
  assert.equal((await store.counts()).events, 4);
  await store.appendEvents([event('x4')], 3);
  assert.equal((await store.counts()).events, 5);
  await store.close();
});
