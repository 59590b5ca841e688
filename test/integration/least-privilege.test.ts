import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import pg from 'pg';
import { openScaleOutNode } from '../../src/cluster/open-scale-out-node.js';
import { SetlistError } from '../../src/errors.js';
import { buildApp } from '../../src/server/app.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { freshSchema, withServices } from './services.js';

withServices('a Postgres role without DDL rights', ({ pgUrl, redisUrl }) => {
  const cleanups: (() => Promise<unknown>)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  });

  /** Runs `sql` as the test's (owning) role. */
  async function asOwner(sql: string): Promise<void> {
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  /**
   * A login role that may only read and write the tables of `schema` (and use it and its sequences),
   * as an API node's role in a locked-down deployment; its connection string.
   */
  async function readWriteRole(schema: string): Promise<string> {
    const role = `${schema}_rw`;
    await asOwner(`CREATE ROLE ${role} LOGIN`);
    await asOwner(
      `GRANT USAGE ON SCHEMA ${schema} TO ${role};
       GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${role};
       GRANT USAGE ON ALL SEQUENCES IN SCHEMA ${schema} TO ${role};`,
    );
    cleanups.push(() => asOwner(`DROP OWNED BY ${role}; DROP ROLE ${role}`));
    const url = new URL(pgUrl);
    url.username = role;
    url.password = '';
    return url.toString();
  }

  /** Takes `schema` back one migration: as if this setlist were one ahead of the one that migrated it. */
  async function oneMigrationBehind(schema: string): Promise<void> {
    await asOwner(
      `DELETE FROM ${schema}.setlist_migrations WHERE version = (SELECT max(version) FROM ${schema}.setlist_migrations);
       DROP TRIGGER items_stamp_xid ON ${schema}.items;
       DROP TRIGGER users_stamp_xid ON ${schema}.users;
       DROP FUNCTION ${schema}.setlist_stamp_xid();
       ALTER TABLE ${schema}.items DROP COLUMN xid;
       ALTER TABLE ${schema}.users DROP COLUMN xid`,
    );
  }

  /** A schema migrated by its owner, as `setlist migrate` leaves it. */
  async function migratedSchema(prefix: string): Promise<string> {
    const schema = freshSchema(prefix);
    const owner = createPostgresStore({ connectionString: pgUrl, schema, poolSize: 1 });
    await owner.migrate();
    await owner.close();
    cleanups.push(() => asOwner(`DROP SCHEMA ${schema} CASCADE`));
    return schema;
  }

  test('an API node whose role may only read and write the tables starts on a migrated schema and serves', async () => {
    const schema = await migratedSchema('rwnode');
    const node = await openScaleOutNode({
      store: await readWriteRole(schema),
      redis: redisUrl,
      schema,
      nodeId: 'rw-1',
      poolSize: 2,
    });
    const app = buildApp({ engine: node.engine });
    cleanups.push(async () => {
      await app.close();
      await node.leave();
      await node.engine.close();
    });
    const items = {
      items: [
        { id: 'rw1', tags: ['a'] },
        { id: 'rw2', tags: ['b'] },
      ],
    };
    assert.equal((await app.inject({ method: 'POST', url: '/v1/items', payload: items })).statusCode, 200);
    const events = { events: [{ id: 'rw-e1', userId: 'rw-u', itemId: 'rw1', type: 'like' }] };
    const ingest = await app.inject({ method: 'POST', url: '/v1/events', payload: events });
    assert.equal(ingest.statusCode, 200, ingest.body);
    assert.equal(ingest.json().accepted, 1);
    const feed = await app.inject({ url: '/v1/users/rw-u/feed?n=10' });
    assert.equal(feed.statusCode, 200);
    const status = await app.inject({ url: '/v1/status' });
    assert.equal(status.statusCode, 200, status.body);
    assert.deepEqual(
      { items: status.json().counts.items, events: status.json().counts.events },
      { items: 2, events: 1 },
    );
  });

  test("a schema's owner without CREATE on the database migrates it, fresh and when it is behind", async () => {
    const schema = freshSchema('ownmig');
    const role = `${schema}_owner`;
    await asOwner(`CREATE ROLE ${role} LOGIN; CREATE SCHEMA ${schema} AUTHORIZATION ${role}`);
    cleanups.push(() => asOwner(`DROP SCHEMA ${schema} CASCADE; DROP OWNED BY ${role}; DROP ROLE ${role}`));
    const url = new URL(pgUrl);
    url.username = role;
    url.password = '';
    const migrateAsOwner = async (): Promise<void> => {
      const store = createPostgresStore({ connectionString: url.toString(), schema, poolSize: 1 });
      try {
        await store.migrate();
      } finally {
        await store.close();
      }
    };
    await migrateAsOwner();
    await oneMigrationBehind(schema);
    await migrateAsOwner();
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT to_regclass($1) AS t', [`${schema}.items_xid`]);
      assert.notEqual(rows[0].t, null);
    } finally {
      await client.end();
    }
  });

  test('a role that may not upgrade a schema that is behind gets SETLIST_ERR_STORE_NEEDS_MIGRATION naming setlist migrate', async () => {
    const schema = await migratedSchema('rwbehind');
    const connectionString = await readWriteRole(schema);
    await oneMigrationBehind(schema);
    const store = createPostgresStore({ connectionString, schema, poolSize: 1 });
    try {
      await assert.rejects(
        () => store.migrate(),
        (err: unknown) =>
          err instanceof SetlistError &&
          err.code === 'SETLIST_ERR_STORE_NEEDS_MIGRATION' &&
          /may not upgrade the Postgres schema "\w+" from version 5 to 6 \(permission denied/.test(
            err.message,
          ) &&
          err.message.includes(`setlist migrate --store <url> --schema ${schema}`),
      );
    } finally {
      await store.close();
    }
  });

  test('a role that may not create the schema gets SETLIST_ERR_STORE_NEEDS_MIGRATION, and nothing is created', async () => {
    const schema = await migratedSchema('rwmissing');
    const connectionString = await readWriteRole(schema);
    const missing = freshSchema('rwnone');
    const store = createPostgresStore({ connectionString, schema: missing, poolSize: 1 });
    try {
      await assert.rejects(
        () => store.migrate(),
        (err: unknown) =>
          err instanceof SetlistError &&
          err.code === 'SETLIST_ERR_STORE_NEEDS_MIGRATION' &&
          err.message.includes(`may not create setlist's tables in the Postgres schema "${missing}"`),
      );
    } finally {
      await store.close();
    }
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT to_regnamespace($1) AS s', [missing]);
      assert.equal(rows[0].s, null);
    } finally {
      await client.end();
    }
  });
});
