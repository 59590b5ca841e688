import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { SetlistError } from '../../src/errors.js';
import { postgresMigrations } from '../../src/store/postgres/migrations.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { MigrationStep, Store } from '../../src/store/store.js';
import { runStoreContract } from '../../src/store/store-contract.js';
import { assertMigrationSteps } from '../helpers.js';
import { freshSchema, withServices } from './services.js';

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
      [1, 2],
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
    assert.equal((await store.counts()).events, 0);
    await store.close();
  });

  test('concurrent appends from two pools with the same event id store it once', async () => {
    const schema = freshSchema('race');
    const a = createPostgresStore({ connectionString: pgUrl, schema, poolSize: 4 });
    await a.migrate();
    const b = createPostgresStore({ connectionString: pgUrl, schema, poolSize: 4 });
    const event = (id: string) => ({
      id,
      userId: 'u' as never,
      itemId: 'i' as never,
      type: 'view' as const,
      at: 1,
    });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, k) => (k % 2 === 0 ? a : b).appendEvents([event(`e${k % 5}`)], 1)),
    );
    const stored = results.reduce((n, r) => n + r.stored.length, 0);
    assert.equal(stored, 5);
    assert.equal((await a.counts()).events, 5);
    await a.close();
    await b.close();
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
