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
  options: { schema?: string; poolSize?: number; onMigration?: MigrationListener } = {},
): Promise<Store> {
  const onMigration = options.onMigration === undefined ? {} : { onMigration: options.onMigration };
  if (isPostgresUrl(spec)) {
    const { createPostgresStore } = await import('../store/postgres/postgres-store.js');
    return createPostgresStore({
      connectionString: spec,
      ...(options.schema === undefined ? {} : { schema: options.schema }),
      ...(options.poolSize === undefined ? {} : { poolSize: options.poolSize }),
      ...onMigration,
    });
  }
  const { createSqliteStore } = await import('../store/sqlite/sqlite-store.js');
  return createSqliteStore({ path: spec, ...onMigration });
}

/** Writes each step of a schema upgrade to stderr, for a store of `kind`. */
export function printMigration(kind: 'sqlite' | 'postgres'): MigrationListener {
  return (step) => console.error(`setlist: ${migrationMessage(kind, step)}`);
}
