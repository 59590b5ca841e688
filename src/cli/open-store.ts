import type { Store } from '../store/store.js';

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
  options: { schema?: string; poolSize?: number } = {},
): Promise<Store> {
  if (isPostgresUrl(spec)) {
    const { createPostgresStore } = await import('../store/postgres/postgres-store.js');
    return createPostgresStore({
      connectionString: spec,
      ...(options.schema === undefined ? {} : { schema: options.schema }),
      ...(options.poolSize === undefined ? {} : { poolSize: options.poolSize }),
    });
  }
  const { createSqliteStore } = await import('../store/sqlite/sqlite-store.js');
  return createSqliteStore({ path: spec });
}
