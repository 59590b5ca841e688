import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { createRandom } from '../../src/core/random.js';
import { SetlistError } from '../../src/errors.js';
import { postgresMigrations } from '../../src/store/postgres/migrations.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { MigrationStep, Store } from '../../src/store/store.js';
import { runStoreContract } from '../../src/store/store-contract.js';
import type { ItemId, ModelSnapshot, UserId } from '../../src/types.js';
import { assertMigrationSteps } from '../helpers.js';
import { freshSchema, withServices } from './services.js';

/** A view of item `i` by user `u` with event id `id`. */
const event = (id: string) => ({
  id,
  userId: 'u' as UserId,
  itemId: 'i' as ItemId,
  type: 'view' as const,
  at: 1,
});

withServices('postgres store', ({ pgUrl }) => {
  const schemas = new WeakMap<Store, string>();
  runStoreContract('postgres', {
    async create() {
      const schema = freshSchema('contract');
      const store = createPostgresStore({ connectionString: pgUrl, schema, poolSize: 2 });
      await store.migrate();
      schemas.set(store, schema);
      return store;
    },
    async reopen(previous) {
      const store = createPostgresStore({
        connectionString: pgUrl,
        schema: schemas.get(previous)!,
        poolSize: 2,
      });
      await store.migrate();
      return store;
    },
  });

  test('a database from a newer schema version gets SETLIST_ERR_STORE_TOO_NEW', async () => {
    const schema = freshSchema('newer');
    const first = createPostgresStore({ connectionString: pgUrl, schema, poolSize: 1 });
    await first.migrate();
    await first.close();
    const raw = new pg.Client({ connectionString: pgUrl });
    await raw.connect();
    await raw.query(`INSERT INTO ${schema}.setlist_migrations (version) VALUES (999)`);
    await raw.end();
    const store = createPostgresStore({ connectionString: pgUrl, schema, poolSize: 1 });
    await assert.rejects(
      () => store.migrate(),
      (err: unknown) => err instanceof SetlistError && err.code === 'SETLIST_ERR_STORE_TOO_NEW',
    );
    await store.close();
  });

  test('migrating twice, even from two nodes at once, applies each migration once', async () => {
    const schema = freshSchema('twice');
    const a = createPostgresStore({ connectionString: pgUrl, schema, poolSize: 1 });
    const b = createPostgresStore({ connectionString: pgUrl, schema, poolSize: 1 });
    await Promise.all([a.migrate(), b.migrate()]);
    await a.migrate();
    const raw = new pg.Client({ connectionString: pgUrl });
    await raw.connect();
    const { rows } = await raw.query(`SELECT version FROM ${schema}.setlist_migrations ORDER BY version`);
    await raw.end();
    assert.deepEqual(
      rows.map((r) => r.version),
      postgresMigrations.map((_, i) => i + 1),
    );
    await a.close();
    await b.close();
  });

  test('upgrading a schema reports each step as it starts and once done; creating one reports nothing', async () => {
    const schema = freshSchema('steps');
    const steps: MigrationStep[] = [];
    const fresh = createPostgresStore({
      connectionString: pgUrl,
      schema,
      poolSize: 1,
      onMigration: (s) => steps.push(s),
    });
    await fresh.migrate();
    await fresh.close();
    assert.equal(steps.length, 0);

    // A schema at version 1: what a node of the first release left.
    const old = freshSchema('steps_old');
    const raw = new pg.Client({ connectionString: pgUrl, options: `-c search_path=${old}` });
    await raw.connect();
    try {
      await raw.query(`CREATE SCHEMA ${old}`);
      await raw.query(
        'CREATE TABLE setlist_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
      );
      await raw.query(postgresMigrations[0]!);
      await raw.query('INSERT INTO setlist_migrations (version) VALUES (1)');
    } finally {
      await raw.end();
    }
    const store = createPostgresStore({
      connectionString: pgUrl,
      schema: old,
      poolSize: 1,
      onMigration: (s) => steps.push(s),
    });
    await store.migrate();
    assertMigrationSteps(steps, 2, postgresMigrations.length);
    assert.match(steps.find((s) => s.version === 3)?.note ?? '', /moves model snapshots into chunks/);
    assert.equal((await store.counts()).events, 0);
    await store.close();
  });

  test('concurrent appends from two pools with the same event id store it once', async () => {
    const schema = freshSchema('race');
    const a = createPostgresStore({ connectionString: pgUrl, schema, poolSize: 4 });
    await a.migrate();
    const b = createPostgresStore({ connectionString: pgUrl, schema, poolSize: 4 });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, k) => (k % 2 === 0 ? a : b).appendEvents([event(`e${k % 5}`)], 1)),
    );
    const stored = results.reduce((n, r) => n + r.seqs.filter((seq) => seq > 0).length, 0);
    assert.equal(stored, 5);
    assert.equal((await a.counts()).events, 5);
    await a.close();
    await b.close();
  });

  test("items and users are counted at most once per recordCountTtlMs; this store's own writes at once", async () => {
    const schema = freshSchema('reccounts');
    const a = createPostgresStore({
      connectionString: pgUrl,
      schema,
      poolSize: 2,
      recordCountTtlMs: 3_600_000,
    });
    const b = createPostgresStore({ connectionString: pgUrl, schema, poolSize: 2, recordCountTtlMs: 0 });
    await a.migrate();
    try {
      const record = (id: string) => ({
        id: id as ItemId,
        tags: [],
        createdAt: 1,
        updatedAt: 1,
        visibility: 'visible' as const,
      });
      assert.deepEqual(await a.counts(), { items: 0, users: 0, events: 0 });
      await b.writeItems([record('i1'), record('i2')]);
      await b.appendEvents([event('e1')], 1);
      // Another process's items wait for the next count; events are exact.
      assert.deepEqual(await a.counts(), { items: 0, users: 0, events: 1 });
      assert.deepEqual(await b.counts(), { items: 2, users: 0, events: 1 });
      // Its own write is counted at once, with the others'.
      await a.writeItems([record('i3')]);
      assert.deepEqual(await a.counts(), { items: 3, users: 0, events: 1 });
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('every item and user write is followed in commit order: a write still open when read is visited later, none skipped', async () => {
    const schema = freshSchema('records');
    const store = createPostgresStore({ connectionString: pgUrl, schema, poolSize: 2 });
    await store.migrate();
    const record = (id: string, updatedAt: number) => ({
      id: id as ItemId,
      tags: ['t'],
      createdAt: 1,
      visibility: 'visible' as const,
      updatedAt,
    });
    /** The ids and versions visited from `cursor`, and the cursor to pass next. */
    const read = async (cursor: string) => {
      const visited: { id: string; version: string; updatedAt: number }[] = [];
      const next = await store.readRecordChanges!(cursor, (page) => {
        for (const c of [...page.items, ...page.users]) {
          visited.push({ id: c.record.id, version: c.version, updatedAt: c.record.updatedAt });
        }
      });
      return { visited, next };
    };
    const raw = new pg.Client({ connectionString: pgUrl, options: `-c search_path=${schema}` });
    await raw.connect();
    try {
      await store.writeItems([record('before', 1)]);
      const start = await store.readRecordChanges!(undefined, () => assert.fail('nothing is visited'));
      assert.match(start, /^\d+$/);
      assert.deepEqual((await read(start)).visited, []);

      // A write still open takes its transaction id first; a later write commits before it.
      await raw.query('BEGIN');
      await raw.query(
        `INSERT INTO items (id, created_at, updated_at, doc) VALUES ('slow', 1, 5, '${JSON.stringify(record('slow', 5))}')`,
      );
      await store.writeItems([record('before', 2), record('fast', 3)]);
      await store.writeUsers([
        { id: 'u1' as UserId, traits: {}, controls: { muted: [], declared: [] }, createdAt: 4, updatedAt: 4 },
      ]);
      const first = await read(start);
      assert.deepEqual(first.visited.map((v) => v.id).sort(), ['before', 'fast', 'u1']);
      assert.equal(first.visited.find((v) => v.id === 'before')!.updatedAt, 2);
      // The cursor stays at the open write: the next read visits the later writes again, and then it.
      assert.ok(BigInt(first.next) <= BigInt(first.visited[0]!.version));
      await raw.query('COMMIT');
      const second = await read(first.next);
      assert.deepEqual(second.visited.map((v) => v.id).sort(), ['before', 'fast', 'slow', 'u1']);
      const third = await read(second.next);
      assert.deepEqual(third.visited, []);
      // A write by hand in SQL is stamped too, by the trigger.
      await raw.query(`UPDATE users SET updated_at = 9 WHERE id = 'u1'`);
      assert.deepEqual(
        (await read(third.next)).visited.map((v) => v.id),
        ['u1'],
      );

      // Pages: more records than one query reads, each visited once.
      const many = Array.from({ length: 2_500 }, (_, k) => record(`m${k}`, 10));
      const cursor = (await read(third.next)).next;
      await store.writeItems(many);
      const paged = await read(cursor);
      assert.equal(paged.visited.length, 2_500);
      assert.equal(new Set(paged.visited.map((v) => v.id)).size, 2_500);

      await assert.rejects(
        () => store.readRecordChanges!('1; DROP TABLE items', () => {}),
        (err: unknown) => err instanceof SetlistError && err.code === 'SETLIST_ERR_VALIDATION',
      );
    } finally {
      await raw.query('ROLLBACK').catch(() => {});
      await raw.end();
      await store.close();
    }
  });

  test("events are counted from a kept count and the log's tail, an append in flight included once it commits", async () => {
    const schema = freshSchema('counts');
    const store = createPostgresStore({ connectionString: pgUrl, schema, poolSize: 2 });
    await store.migrate();
    const raw = new pg.Client({ connectionString: pgUrl, options: `-c search_path=${schema}` });
    await raw.connect();
    const kept = async () => {
      const { rows } = await raw.query('SELECT through_seq, events FROM events_counted');
      return { throughSeq: Number(rows[0].through_seq), events: Number(rows[0].events) };
    };
    const maxSeq = async () => Number((await raw.query('SELECT max(seq) AS m FROM events')).rows[0].m);
    try {
      await store.appendEvents(['a', 'b', 'a', 'c'].map(event), 1);
      await store.appendEvents([event('b'), event('d')], 1);
      assert.equal((await store.counts()).events, 4);
      assert.deepEqual(await kept(), { throughSeq: await maxSeq(), events: 4 });

      // The kept count is read, not the whole log: a count changed behind the store shows.
      await raw.query('UPDATE events_counted SET events = events + 1000');
      await store.appendEvents([event('e'), event('f')], 1);
      assert.equal((await store.counts()).events, 1006);
      await raw.query('UPDATE events_counted SET events = events - 1000');

      // An append in flight holds the append lock and has taken its seq: a count meanwhile (with a tail
      // to count, so that it moves the kept count) leaves it out, and counts it once it commits.
      await store.appendEvents([event('before-in-flight')], 1);
      const inFlight = new pg.Client({ connectionString: pgUrl, options: `-c search_path=${schema}` });
      await inFlight.connect();
      try {
        await inFlight.query('BEGIN');
        await inFlight.query('SELECT pg_advisory_xact_lock($1)', [0x5e71157]);
        await inFlight.query(
          "INSERT INTO events (id, user_id, item_id, type, at, received_at) VALUES ('g', 'u', 'i', 'view', 1, 1)",
        );
        assert.equal((await store.counts()).events, 7);
        await inFlight.query('COMMIT');
      } finally {
        await inFlight.end();
      }
      assert.equal((await store.counts()).events, 8);
      assert.equal((await store.counts()).events, 8);
      assert.deepEqual(await kept(), { throughSeq: await maxSeq(), events: 8 });

      // Two nodes counting at once agree, and the kept count stays exact.
      const other = createPostgresStore({ connectionString: pgUrl, schema, poolSize: 2 });
      await store.appendEvents([event('h'), event('i')], 1);
      const both = await Promise.all([store.counts(), other.counts(), store.counts(), other.counts()]);
      assert.deepEqual(
        both.map((c) => c.events),
        [10, 10, 10, 10],
      );
      await other.close();
      assert.deepEqual(await kept(), { throughSeq: await maxSeq(), events: 10 });
      const all = Number((await raw.query('SELECT count(*) AS n FROM events')).rows[0].n);
      assert.equal(all, 10);
    } finally {
      await raw.end();
      await store.close();
    }
  });

  /** `length` seeded random bytes. */
  const bytesOf = (length: number, seed: number): Uint8Array => {
    const random = createRandom(seed);
    return Uint8Array.from({ length }, () => random.int(256));
  };
  const snapshot = (version: number, data: Uint8Array): ModelSnapshot => ({
    name: 'serving-blend',
    version,
    trainedAt: 1_000 + version,
    meta: { itemIds: ['a', 'vidéo "2"', `v${version}`], report: { version } },
    data,
  });
  const chunkedStore = async (chunkBytes: number, schema = freshSchema('chunks')) => {
    const store = createPostgresStore({
      connectionString: pgUrl,
      schema,
      poolSize: 2,
      snapshotChunkBytes: chunkBytes,
    });
    await store.migrate();
    return { store, schema };
  };
  const rawQuery = async <R extends pg.QueryResultRow>(schema: string, sql: string): Promise<R[]> => {
    const raw = new pg.Client({ connectionString: pgUrl, options: `-c search_path=${schema}` });
    await raw.connect();
    try {
      return (await raw.query<R>(sql)).rows;
    } finally {
      await raw.end();
    }
  };

  test('a snapshot spanning many chunks loads back whole, its last chunk short', async () => {
    const { store, schema } = await chunkedStore(7);
    const data = bytesOf(100, 1);
    await store.saveSnapshot(snapshot(1, data));
    const chunks = await rawQuery<{ chunk: number; n: number }>(
      schema,
      'SELECT chunk, length(bytes) AS n FROM snapshot_chunks ORDER BY chunk',
    );
    assert.deepEqual(
      chunks.map((c) => c.n),
      [...Array.from({ length: 14 }, () => 7), 2],
    );
    const loaded = await store.loadSnapshot('serving-blend');
    assert.deepEqual(loaded, snapshot(1, data));
    await store.close();
  });

  test('an empty snapshot saves no chunk and loads as zero bytes', async () => {
    const { store, schema } = await chunkedStore(7);
    await store.saveSnapshot(snapshot(1, new Uint8Array(0)));
    assert.equal((await rawQuery(schema, 'SELECT * FROM snapshot_chunks')).length, 0);
    assert.deepEqual(await store.loadSnapshot('serving-blend'), snapshot(1, new Uint8Array(0)));
    await store.close();
  });

  test('the newest version is loaded whatever the order of saves, and saving a version again replaces its chunks', async () => {
    const { store, schema } = await chunkedStore(5);
    await store.saveSnapshot(snapshot(1, bytesOf(12, 1)));
    await store.saveSnapshot(snapshot(3, bytesOf(31, 3)));
    await store.saveSnapshot(snapshot(2, bytesOf(40, 2)));
    assert.deepEqual(await store.loadSnapshot('serving-blend'), snapshot(3, bytesOf(31, 3)));
    await store.saveSnapshot(snapshot(3, bytesOf(8, 4)));
    assert.deepEqual(await store.loadSnapshot('serving-blend'), snapshot(3, bytesOf(8, 4)));
    const left = await rawQuery<{ n: string }>(
      schema,
      'SELECT count(*) AS n FROM snapshot_chunks WHERE version = 3',
    );
    assert.equal(Number(left[0]!.n), 2);
    await store.close();
  });

  test('saving a snapshot keeps the newest versions of its name, and their chunks only', async () => {
    const schema = freshSchema('kept');
    const store = createPostgresStore({
      connectionString: pgUrl,
      schema,
      poolSize: 2,
      snapshotChunkBytes: 4,
      snapshotsKept: 2,
    });
    await store.migrate();
    const left = async () =>
      (
        await rawQuery<{ name: string; version: string; chunks: string }>(
          schema,
          `SELECT s.name, s.version, (SELECT count(*) FROM snapshot_chunks c
             WHERE c.name = s.name AND c.version = s.version) AS chunks
           FROM snapshots s ORDER BY s.name, s.version`,
        )
      ).map((r) => `${r.name}@${r.version}:${r.chunks}`);
    for (const v of [1, 2, 3]) await store.saveSnapshot(snapshot(v, bytesOf(10, v)));
    await store.saveSnapshot({ ...snapshot(1, bytesOf(4, 9)), name: 'labels' });
    assert.deepEqual(await left(), ['labels@1:1', 'serving-blend@2:3', 'serving-blend@3:3']);
    assert.equal(
      Number((await rawQuery<{ n: string }>(schema, 'SELECT count(*) AS n FROM snapshot_chunks'))[0]!.n),
      7,
    );
    // An older version saved late is itself beyond the newest two: the store keeps what it had.
    await store.saveSnapshot(snapshot(1, bytesOf(10, 1)));
    assert.deepEqual(await left(), ['labels@1:1', 'serving-blend@2:3', 'serving-blend@3:3']);
    assert.deepEqual(await store.loadSnapshot('serving-blend'), snapshot(3, bytesOf(10, 3)));
    await store.close();
    assert.throws(
      () => createPostgresStore({ connectionString: pgUrl, schema, snapshotsKept: 0 }),
      (err: unknown) =>
        err instanceof SetlistError && err.code === 'SETLIST_ERR_CONFIG' && err.path === 'snapshotsKept',
    );
  });

  test('a save that fails after some chunks leaves the previous snapshot, and none of its own chunks', async () => {
    const { store, schema } = await chunkedStore(4);
    await store.saveSnapshot(snapshot(1, bytesOf(10, 1)));
    // The fourth chunk of version 2 fails to insert: the save has written its row and three chunks.
    await rawQuery(
      schema,
      `CREATE FUNCTION fail_chunk() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN IF NEW.version = 2 AND NEW.chunk = 3 THEN RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; END $$;
       CREATE TRIGGER fail_chunk BEFORE INSERT ON snapshot_chunks FOR EACH ROW EXECUTE FUNCTION fail_chunk();`,
    );
    await assert.rejects(
      () => store.saveSnapshot(snapshot(2, bytesOf(30, 2))),
      (err: unknown) => err instanceof SetlistError && /disk full/.test(err.message),
    );
    assert.deepEqual(await store.loadSnapshot('serving-blend'), snapshot(1, bytesOf(10, 1)));
    const versions = await rawQuery<{ version: string }>(
      schema,
      'SELECT version FROM snapshots UNION ALL SELECT version FROM snapshot_chunks',
    );
    assert.deepEqual(new Set(versions.map((v) => Number(v.version))), new Set([1]));
    await store.close();
  });

  test('a load during a save sees the previous snapshot or the new one whole', async () => {
    const { store } = await chunkedStore(3);
    const before = snapshot(1, bytesOf(600, 1));
    const after = snapshot(2, bytesOf(900, 2));
    await store.saveSnapshot(before);
    let saved = false;
    const saving = store.saveSnapshot(after).then(() => {
      saved = true;
    });
    const seen: (ModelSnapshot | undefined)[] = [];
    while (!saved) seen.push(await store.loadSnapshot('serving-blend'));
    await saving;
    seen.push(await store.loadSnapshot('serving-blend'));
    for (const s of seen) assert.deepEqual(s, s?.version === 1 ? before : after);
    assert.equal(seen[0]?.version, 1);
    assert.equal(seen.at(-1)?.version, 2);
    await store.close();
  });

  test('snapshots of the old one-row layout are split into chunks by the migration and load as before', async () => {
    // A schema at version 2, as the release before chunks left it, holding three snapshots.
    const schema = freshSchema('old_snapshots');
    const raw = new pg.Client({ connectionString: pgUrl, options: `-c search_path=${schema}` });
    await raw.connect();
    const big = bytesOf(9 * 2 ** 20 + 5, 9);
    try {
      await raw.query(`CREATE SCHEMA ${schema}`);
      await raw.query(
        'CREATE TABLE setlist_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
      );
      await raw.query(postgresMigrations[0]!);
      await raw.query(postgresMigrations[1]!);
      await raw.query('INSERT INTO setlist_migrations (version) VALUES (1), (2)');
      const insert =
        'INSERT INTO snapshots (name, version, trained_at, meta, data) VALUES ($1, $2, $3, $4, $5)';
      const { name, trainedAt, meta } = snapshot(2, big);
      await raw.query(insert, [
        name,
        1,
        1_001,
        JSON.stringify(snapshot(1, big).meta),
        Buffer.from(bytesOf(10, 1)),
      ]);
      await raw.query(insert, [name, 2, trainedAt, JSON.stringify(meta), Buffer.from(big)]);
      await raw.query(insert, ['labels', 1, 5, '{}', Buffer.alloc(0)]);
    } finally {
      await raw.end();
    }
    const { store } = await chunkedStore(1_000, schema);
    assert.deepEqual(await store.loadSnapshot('serving-blend'), snapshot(2, big));
    assert.deepEqual(await store.loadSnapshot('labels'), {
      name: 'labels',
      version: 1,
      trainedAt: 5,
      meta: {},
      data: new Uint8Array(0),
    });
    const chunks = await rawQuery<{ version: string; n: number }>(
      schema,
      `SELECT version, length(bytes) AS n FROM snapshot_chunks WHERE name = 'serving-blend' ORDER BY version, chunk`,
    );
    assert.deepEqual(
      chunks.map((c) => [Number(c.version), c.n]),
      [
        [1, 10],
        [2, 2 ** 22],
        [2, 2 ** 22],
        [2, 2 ** 20 + 5],
      ],
    );
    await store.close();
  });

  test('deleting old snapshot rows deletes their chunks, and the newest still loads', async () => {
    const { store, schema } = await chunkedStore(4);
    await store.saveSnapshot(snapshot(1, bytesOf(10, 1)));
    await store.saveSnapshot(snapshot(2, bytesOf(9, 2)));
    await rawQuery(schema, `DELETE FROM snapshots WHERE name = 'serving-blend' AND version < 2`);
    const left = await rawQuery<{ version: string }>(schema, 'SELECT DISTINCT version FROM snapshot_chunks');
    assert.deepEqual(
      left.map((r) => Number(r.version)),
      [2],
    );
    assert.deepEqual(await store.loadSnapshot('serving-blend'), snapshot(2, bytesOf(9, 2)));
    await store.close();
  });

  test("an item id section's chunks follow the data's, none holding some of each, and load back whole", async () => {
    const { store, schema } = await chunkedStore(7);
    const data = bytesOf(10, 1);
    const itemIds = bytesOf(9, 2);
    await store.saveSnapshot({ ...snapshot(1, data), meta: { report: {} }, itemIds });
    const chunks = await rawQuery<{ chunk: number; n: number }>(
      schema,
      'SELECT chunk, length(bytes) AS n FROM snapshot_chunks ORDER BY chunk',
    );
    assert.deepEqual(
      chunks.map((c) => [c.chunk, c.n]),
      [
        [0, 7],
        [1, 3],
        [2, 7],
        [3, 2],
      ],
    );
    // A node reading with another chunk size still finds where the ids begin.
    const { store: other } = await chunkedStore(4, schema);
    assert.deepEqual(await other.loadSnapshot('serving-blend'), {
      ...snapshot(1, data),
      meta: { report: {} },
      itemIds,
    });
    await rawQuery(schema, 'DELETE FROM snapshot_chunks WHERE chunk = 3');
    await assert.rejects(
      () => other.loadSnapshot('serving-blend'),
      (err: unknown) =>
        err instanceof SetlistError && err.code === 'SETLIST_ERR_INTERNAL' && /chunk 3/.test(err.message),
    );
    await other.close();
    await store.close();
  });

  test('a snapshot missing a chunk fails to load with SETLIST_ERR_INTERNAL', async () => {
    const { store, schema } = await chunkedStore(4);
    await store.saveSnapshot(snapshot(1, bytesOf(10, 1)));
    await rawQuery(schema, 'DELETE FROM snapshot_chunks WHERE chunk = 1');
    await assert.rejects(
      () => store.loadSnapshot('serving-blend'),
      (err: unknown) =>
        err instanceof SetlistError && err.code === 'SETLIST_ERR_INTERNAL' && /chunk 1/.test(err.message),
    );
    await store.close();
  });

  test('a snapshot chunk size below one byte is a configuration error', () => {
    assert.throws(
      () => createPostgresStore({ connectionString: pgUrl, snapshotChunkBytes: 0 }),
      (err: unknown) => err instanceof SetlistError && err.code === 'SETLIST_ERR_CONFIG',
    );
  });

  test('an unreachable Postgres fails with SETLIST_ERR_UNAVAILABLE', async () => {
    const store = createPostgresStore({
      connectionString: 'postgresql://setlist@127.0.0.1:1/postgres',
      connectTimeoutMs: 1_000,
    });
    await assert.rejects(
      () => store.appendEvents([{ userId: 'u' as never, itemId: 'i' as never, type: 'view', at: 1 }], 1),
      (err: unknown) =>
        err instanceof SetlistError && err.code === 'SETLIST_ERR_UNAVAILABLE' && err.status === 503,
    );
    await store.close();
  });
});
