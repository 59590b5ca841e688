import { createSqliteStore } from '../store/sqlite/sqlite-store.js';
import { printMigration } from './open-store.js';

/** Saves a command's JSON report as a snapshot (`report:<name>`) for GET /v1/quality. */
export async function saveReport(dbPath: string, name: string, report: unknown): Promise<void> {
  // Beside a server that may have the database open: the report is one row, and the server reads
  // reports afresh for each GET /v1/quality.
  const store = createSqliteStore({ path: dbPath, onMigration: printMigration('sqlite'), exclusive: false });
  await store.migrate();
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
