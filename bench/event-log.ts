// The event-log writer alone, with random client event ids (UUIDs), into a large log:
//   node --import tsx bench/event-log.ts [rows=1000000] [batches=100] [batch=1000] [inFlight=1]
// builds a log of `rows` events with random ids once in this tree's schema (kept in
// $SETLIST_BENCH_DIR, default /tmp/setlist-event-log), then appends `batches` batches of random-id
// events through the store's writer thread (`inFlight` appends waiting at a time) to a fresh copy of
// it and prints events/s, CPU per event and the transactions' inserts and commit ms. `--migrate`
// instead times this tree's migration of a schema-1 log of `rows`.
import { randomUUID } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type EventLogCommit, eventLogCommits } from '../src/store/sqlite/event-append.js';
import { sqliteMigrations } from '../src/store/sqlite/migrations.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { EventRecord, ItemId, UserId } from '../src/types.js';
import { otherThreads, type Sched, spread } from './ingest-stages.js';

const UUID_SQL = `lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' ||
  hex(randomblob(2)) || '-' || hex(randomblob(6)))`;

/**
 * A log of `rows` events with random 36-character ids in this tree's schema, inserted in log order as
 * a client would send them (so the dedupe index has the fill of random inserts); returns its path.
 */
export async function ensureLog(dir: string, rows: number): Promise<string> {
  const path = join(dir, `log-${rows}-schema${sqliteMigrations.length}.db`);
  if (existsSync(path)) return path;
  const building = `${path}.building`;
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${building}${suffix}`, { force: true });
  const store = createSqliteStore({ path: building });
  await store.migrate();
  await store.close();
  const db = new Database(building);
  db.pragma('journal_mode = DELETE');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -2000000');
  const columns = (db.pragma('table_info(events)') as { name: string }[]).map((c) => c.name);
  // A tree whose log keeps the id's hash gets it from the function its store writes with.
  const hashed = columns.includes('id_hash');
  if (hashed) {
    const { registerEventIdHash } = await import('../src/store/sqlite/event-id-hash.js');
    registerEventIdHash(db);
  }
  const insert = db.prepare(`
    INSERT INTO events (id, user_id, item_id, type, at, watch_ms, watch_ratio, received_at${hashed ? ', id_hash' : ''})
    SELECT id, 'u' || (i % 1000000), 'i' || (i * 7919 % 1000000), 'view', 1700000000000 + i, NULL, 0.5,
      1700000000000 + i${hashed ? ', setlist_event_id_hash(id)' : ''}
    FROM (
      WITH RECURSIVE n(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM n WHERE i < ?)
      SELECT i, ${UUID_SQL} AS id FROM n
    )`);
  for (let first = 1; first <= rows; first += 1_000_000) {
    insert.run(first, Math.min(rows, first + 999_999));
  }
  db.close();
  renameSync(building, path);
  return path;
}

/**
 * Times this tree's migration of a log of `rows` random-id events in schema version 1 (as main writes
 * it; built once), on a copy; returns the milliseconds, or undefined for a tree with one schema version.
 */
export async function timeMigration(dir: string, rows: number): Promise<number | undefined> {
  if (sqliteMigrations.length === 1) return undefined;
  const base = join(dir, `log-${rows}-v1.db`);
  if (!existsSync(base)) {
    const db = new Database(`${base}.building`);
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.exec(sqliteMigrations[0]!);
    db.pragma('user_version = 1');
    // In id order, so the UNIQUE index grows at its edge and the build takes seconds per million.
    db.exec(`
      INSERT INTO events (id, user_id, item_id, type, at, watch_ms, watch_ratio, received_at)
      SELECT id, 'u' || (i % 1000000), 'i' || (i * 7919 % 1000000), 'view', 1700000000000 + i, NULL, 0.5,
        1700000000000 + i
      FROM (
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows})
        SELECT i, ${UUID_SQL} AS id FROM n
      ) ORDER BY id`);
    db.close();
    renameSync(`${base}.building`, base);
  }
  const work = join(dir, `migrate-${process.pid}.db`);
  copyFileSync(base, work);
  const store = createSqliteStore({ path: work });
  const started = performance.now();
  await store.migrate();
  const ms = performance.now() - started;
  await store.close();
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${work}${suffix}`, { force: true });
  return ms;
}

/** The busiest other thread between two samples: the event-log writer while it appends. */
function busiestThread(before: Map<string, Sched>, after: Map<string, Sched>): Sched | undefined {
  let best: Sched | undefined;
  for (const [tid, end] of after) {
    const start = before.get(tid) ?? { cpuMs: 0, waitMs: 0 };
    const delta = { cpuMs: end.cpuMs - start.cpuMs, waitMs: end.waitMs - start.waitMs };
    if (best === undefined || delta.cpuMs > best.cpuMs) best = delta;
  }
  return best;
}

function randomEvents(count: number, at: number): EventRecord[] {
  const events: EventRecord[] = new Array(count);
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
  const args = process.argv.slice(2);
  const migrate = args.includes('--migrate');
  const [rows = 1_000_000, batches = 100, batch = 1_000, inFlight = 1] = args
    .filter((a) => !a.startsWith('--'))
    .map(Number);
  const dir = process.env.SETLIST_BENCH_DIR ?? '/tmp/setlist-event-log';
  mkdirSync(dir, { recursive: true });
  if (migrate) {
    const ms = await timeMigration(dir, rows);
    console.log(JSON.stringify({ rows, schema: sqliteMigrations.length, migrateMs: ms && Math.round(ms) }));
    console.log(
      ms === undefined
        ? 'this tree has one schema version: nothing to migrate'
        : `migrating a log of ${rows} random-id events to schema ${sqliteMigrations.length} took ${(ms / 1000).toFixed(1)} s`,
    );
    process.exit(0);
  }
  const buildStarted = performance.now();
  const prepared = await ensureLog(dir, rows);
  const prepareMs = performance.now() - buildStarted;
  const work = join(dir, `work-${process.pid}.db`);
  copyFileSync(prepared, work);
  const store = createSqliteStore({ path: work });
  await store.migrate();
  const bodies = Array.from({ length: batches }, (_, b) => randomEvents(batch, b * batch));
  // One append first, so starting the writer thread is not timed.
  await store.appendEvents(randomEvents(1, -1), Date.now());

  const commits: EventLogCommit[] = [];
  const listen = (message: unknown): void => {
    commits.push(message as EventLogCommit);
  };
  subscribe(eventLogCommits.name, listen);
  const cpuBefore = process.cpuUsage();
  const threadsBefore = otherThreads();
  const started = performance.now();
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const { duplicates } = await store.appendEvents(body, Date.now());
      if (duplicates.length > 0) throw new Error('a random id was taken for a duplicate');
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const writer = busiestThread(threadsBefore, otherThreads());
  unsubscribe(eventLogCommits.name, listen);
  const insertMs = spread(commits.map((c) => c.insertMs));
  const commitMs = spread(commits.map((c) => c.commitMs));
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
    writerCpuMicrosPerEvent: writer && Number(((writer.cpuMs * 1000) / events).toFixed(2)),
    writerWaitMicrosPerEvent: writer && Number(((writer.waitMs * 1000) / events).toFixed(2)),
    transactions: commits.length,
    insertMsP50: Number(insertMs.p50.toFixed(1)),
    insertMsP90: Number(insertMs.p90.toFixed(1)),
    commitMsP50: Number(commitMs.p50.toFixed(1)),
    commitMsP90: Number(commitMs.p90.toFixed(1)),
    prepareMs: Math.round(prepareMs),
  };
  console.log(JSON.stringify(result));
  console.log(
    `event log, schema ${result.schema}, ${rows} random-id rows: ${result.eventsPerSecond} events/s (${result.msPerBatch} ms per batch of ${batch}, ${inFlight} in flight, ${result.cpuMicrosPerEvent} µs of process CPU per event; the writer thread ${result.writerCpuMicrosPerEvent ?? '?'} µs on a core, ${result.writerWaitMicrosPerEvent ?? '?'} µs waiting for one; ${result.transactions} transactions, inserts p50 ${result.insertMsP50} p90 ${result.insertMsP90} ms, commit p50 ${result.commitMsP50} p90 ${result.commitMsP90} ms)`,
  );
}
