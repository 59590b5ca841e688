import { existsSync } from 'node:fs';
import { SetlistError } from '../errors.js';
import { type MigrationListener, migrationMessage, type Store } from '../store/store.js';

/** True for a `postgres://` or `postgresql://` connection string. */
export function isPostgresUrl(spec: string): boolean {
  return /^postgres(ql)?:\/\//i.test(spec);
}

/**
 * The store a `--store` value names: a Postgres connection string, or a SQLite file path. Each
 * adapter is imported only when chosen, so a Postgres node never loads the native SQLite module.
 */
export async function openStore(
  spec: string,
  options: {
    schema?: string;
    poolSize?: number;
    onMigration?: MigrationListener;
    /** The newest versions of each model snapshot kept (the store's default otherwise). */
    snapshotsKept?: number;
  } = {},
): Promise<Store> {
  const onMigration = options.onMigration === undefined ? {} : { onMigration: options.onMigration };
  const kept = options.snapshotsKept === undefined ? {} : { snapshotsKept: options.snapshotsKept };
  if (isPostgresUrl(spec)) {
    const { createPostgresStore } = await import('../store/postgres/postgres-store.js');
    return createPostgresStore({
      connectionString: spec,
      ...(options.schema === undefined ? {} : { schema: options.schema }),
      ...(options.poolSize === undefined ? {} : { poolSize: options.poolSize }),
      ...onMigration,
      ...kept,
    });
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) {
    throw new SetlistError('SETLIST_ERR_CONFIG', {
      message: `Unsupported store "${spec.replace(/\/\/[^@/]*@/, '//***@')}": --store takes a postgres:// connection string, or a SQLite file path.`,
      path: 'store',
    });
  }
  const { createSqliteStore } = await import('../store/sqlite/sqlite-store.js');
  return createSqliteStore({ path: spec, ...onMigration, ...kept });
}

/** Writes each step of a schema upgrade to stderr, for a store of `kind`. */
export function printMigration(kind: 'sqlite' | 'postgres'): MigrationListener {
  return (step) => console.error(`setlist: ${migrationMessage(kind, step)}`);
}

/**
 * Refuses a SQLite file that does not exist, for commands that read an existing store (`train`):
 * opening would create an empty database where a typo meant another one.
 */
export function requireDatabase(path: string): void {
  if (path === ':memory:' || existsSync(path)) return;
  throw new SetlistError('SETLIST_ERR_CONFIG', {
    message: `No database at ${path}: point --db at an existing store (one \`setlist serve\` or \`setlist import\` wrote).`,
    path: 'db',
  });
}

/** Where a command that writes into a deployment finds it: the store, and the Redis its API nodes share. */
export interface DeploymentOptions {
  db: string;
  store?: string;
  schema: string;
  /** redis://...: tell the running API nodes what was written. */
  redis?: string;
  prefix?: string;
}

/**
 * Refuses `--redis` without a Postgres `--store`: API nodes that share a Redis share a Postgres store,
 * so a SQLite file has no running nodes to tell.
 */
export function requireRedisWithPostgres(redis: string | undefined, postgres: boolean): void {
  if (redis === undefined || postgres) return;
  throw new SetlistError('SETLIST_ERR_CONFIG', {
    path: 'redis',
    message: '--redis goes with --store postgres://...: API nodes that share a Redis share a Postgres store',
  });
}
