import type { Store } from '../store/store.js';
import { isPostgresUrl, openStore, printMigration } from './open-store.js';

/**
 * Opens (and migrates) the store a command's report is saved into: a SQLite file or a Postgres store
 * (`postgres://...`, in `options.schema`).
 */
async function openReportStore(spec: string, options: { schema?: string }): Promise<Store> {
  let store: Store;
  if (isPostgresUrl(spec)) {
    store = await openStore(spec, {
      ...(options.schema === undefined ? {} : { schema: options.schema }),
      poolSize: 1,
      onMigration: printMigration('postgres'),
    });
  } else {
    // Beside a server that may have the database open: the report is one row, and the server reads
    // reports afresh for each GET /v1/quality.
    const { createSqliteStore } = await import('../store/sqlite/sqlite-store.js');
    store = createSqliteStore({ path: spec, onMigration: printMigration('sqlite'), exclusive: false });
  }
  try {
    await store.migrate();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

/**
 * Checks, before a long run, that its report can be saved into `spec`: the file is writable, the
 * Postgres store reachable and migrated. Throws what {@link saveReport} would throw at the end.
 */
export async function checkReportTarget(spec: string, options: { schema?: string } = {}): Promise<void> {
  const store = await openReportStore(spec, options);
  await store.close();
}

/**
 * Saves a command's JSON report as a snapshot (`report:<name>`) for GET /v1/quality, into a SQLite
 * file or a Postgres store (`postgres://...`, in `options.schema`), where every node reads it.
 */
export async function saveReport(
  spec: string,
  name: string,
  report: unknown,
  options: { schema?: string } = {},
): Promise<void> {
  const store = await openReportStore(spec, options);
  try {
    const previous = await store.loadSnapshot(`report:${name}`);
    await store.saveSnapshot({
      name: `report:${name}`,
      version: (previous?.version ?? 0) + 1,
      trainedAt: Date.now(),
      meta: {},
      data: new TextEncoder().encode(JSON.stringify(report)),
    });
  } finally {
    await store.close();
  }
}
