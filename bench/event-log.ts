// The event-log writer alone, with random client event ids (UUIDs), into a large log:
//   node --import tsx bench/event-log.ts [rows=1000000] [batches=100] [batch=1000] [inFlight=1]
// builds a log of `rows` events with random ids once (schema version 1, as main writes it; kept in
// $SETLIST_BENCH_DIR, default /tmp/setlist-event-log), migrates a copy to this tree's schema once
// (timed), then appends `batches` batches of random-id events through the store's writer thread
// (`inFlight` appends waiting at a time) to a fresh copy, and prints events/s.
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sqliteMigrations } from '../src/store/sqlite/migrations.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { EventInput, ItemId, UserId } from '../src/types.js';

const UUID_SQL = `lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' ||
  hex(randomblob(2)) || '-' || hex(randomblob(6)))`;

/** A log of `rows` events with random 36-character ids, in schema version 1; returns its path. */
export function ensureBaseLog(dir: string, rows: number): string {
  const path = join(dir, `log-${rows}-v1.db`);
  if (existsSync(path)) return path;
  const building = `${path}.building`;
  rmSync(building, { force: true });
  const db = new Database(building);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.exec(sqliteMigrations[0]!);
  db.pragma('user_version = 1');
  // Inserted in id order, so the UNIQUE index grows at its edge and the build takes seconds per million.
  db.exec(`
    INSERT INTO events (id, user_id, item_id, type, at, watch_ms, watch_ratio, received_at)
    SELECT id, 'u' || (i % 1000000), 'i' || (i * 7919 % 1000000), 'view', 1700000000000 + i, NULL, 0.5,
      1700000000000 + i
    FROM (
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows})
      SELECT i, ${UUID_SQL} AS id FROM n
    ) ORDER BY id`);
  db.close();
  renameSync(building, path);
  return path;
}

/** The base log migrated to this tree's schema (a copy, once); returns its path and the migration's ms. */
export async function ensureMigratedLog(
  dir: string,
  rows: number,
): Promise<{ path: string; migrateMs: number | undefined }> {
  const base = ensureBaseLog(dir, rows);
  const version = sqliteMigrations.length;
  if (version === 1) return { path: base, migrateMs: undefined };
  const path = join(dir, `log-${rows}-v${version}.db`);
  if (existsSync(path)) return { path, migrateMs: undefined };
  const migrating = `${path}.migrating`;
  copyFileSync(base, migrating);
  const store = createSqliteStore({ path: migrating });
  const started = performance.now();
  await store.migrate();
  const migrateMs = performance.now() - started;
  await store.close();
  const db = new Database(migrating);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  renameSync(migrating, path);
  return { path, migrateMs };
}

function randomEvents(count: number, at: number): EventInput[] {
  const events: EventInput[] = new Array(count);
  for (let k = 0; k < count; k++) {
    events[k] = {
      id: randomUUID(),
      userId: `u${(at + k) % 1_000_000}` as UserId,
      itemId: `i${((at + k) * 7919) % 1_000_000}` as ItemId,
      type: 'view',
      at: at + k,
      watchRatio: 0.5,
    };
  }
  return events;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [rows = 1_000_000, batches = 100, batch = 1_000, inFlight = 1] = process.argv.slice(2).map(Number);
  const dir = process.env.SETLIST_BENCH_DIR ?? '/tmp/setlist-event-log';
  mkdirSync(dir, { recursive: true });
  const buildStarted = performance.now();
  const { path: prepared, migrateMs } = await ensureMigratedLog(dir, rows);
  const prepareMs = performance.now() - buildStarted;
  const work = join(dir, `work-${process.pid}.db`);
  copyFileSync(prepared, work);
  const store = createSqliteStore({ path: work });
  await store.migrate();
  const bodies = Array.from({ length: batches }, (_, b) => randomEvents(batch, b * batch));
  // One append first, so starting the writer thread is not timed.
  await store.appendEvents(randomEvents(1, -1), Date.now());

  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const { stored } = await store.appendEvents(body, Date.now());
      if (stored.length !== body.length) throw new Error('a random id was taken for a duplicate');
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const again = await store.appendEvents(bodies[0]!, Date.now());
  if (again.duplicates.length !== batch) throw new Error('a logged id was not found as a duplicate');
  await store.close();
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${work}${suffix}`, { force: true });

  const events = batches * batch;
  const result = {
    rows,
    batches,
    batch,
    inFlight,
    schema: sqliteMigrations.length,
    eventsPerSecond: Math.round(events / (ms / 1000)),
    msPerBatch: Number((ms / batches).toFixed(2)),
    cpuMicrosPerEvent: Number(((cpu.user + cpu.system) / events).toFixed(2)),
    prepareMs: Math.round(prepareMs),
    ...(migrateMs === undefined ? {} : { migrateMs: Math.round(migrateMs) }),
  };
  console.log(JSON.stringify(result));
  console.log(
    `event log, schema ${result.schema}, ${rows} random-id rows: ${result.eventsPerSecond} events/s (${result.msPerBatch} ms per batch of ${batch}, ${inFlight} in flight, ${result.cpuMicrosPerEvent} µs of process CPU per event)`,
  );
}
