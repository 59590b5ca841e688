// Ingest throughput over HTTP: `POST /v1/events` in batches, online updates on, against raw SQLite
// inserts of the same rows into the same schema in the same run.
// Run: node --import tsx bench/ingest.ts [items] [users] [events] [batch]
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createEngine } from '../src/engine/engine.js';
import { buildApp } from '../src/server/app.js';
import { sqliteMigrations } from '../src/store/sqlite/migrations.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { type SyntheticEvent, syntheticEvents, syntheticItem } from './synthetic-stream.js';

export interface IngestOptions {
  items: number;
  users: number;
  events: number;
  /** Events per request (and per raw SQLite transaction). */
  batch: number;
  /** Requests in flight at once; default 2. */
  concurrency?: number;
}

export interface IngestMeasurement {
  eventsPerSecond: number;
  rawSqliteEventsPerSecond: number;
  /** eventsPerSecond / rawSqliteEventsPerSecond. */
  ratio: number;
}

/**
 * Serves a fresh SQLite-backed engine on a loopback port, loads `items`, then posts `events` in
 * batches and times them; each request returns once its batch is committed and applied.
 *
 * @example
 * const { eventsPerSecond, ratio } = await measureIngest({ items: 100_000, users: 50_000, events: 200_000, batch: 1_000 });
 */
export async function measureIngest(options: IngestOptions): Promise<IngestMeasurement> {
  const dir = join(tmpdir(), `setlist-bench-ingest-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  const bodies: string[] = [];
  const batches: SyntheticEvent[][] = [];
  let current: SyntheticEvent[] = [];
  syntheticEvents(options, options.events, (e) => {
    current.push(e);
    if (current.length === options.batch) {
      batches.push(current);
      current = [];
    }
  });
  if (current.length > 0) batches.push(current);
  for (const b of batches) bodies.push(JSON.stringify({ events: b }));

  mkdirSync(join(dir, 'api'), { recursive: true });
  mkdirSync(join(dir, 'raw'), { recursive: true });
  const engine = createEngine({ store: createSqliteStore({ path: join(dir, 'api', 'setlist.db') }) });
  try {
    await engine.open();
    for (let start = 0; start < options.items; start += 10_000) {
      const items = [];
      for (let i = start; i < Math.min(options.items, start + 10_000); i++) items.push(syntheticItem(i));
      await engine.putItems({ items });
    }
    const app = buildApp({ engine, webRoot: false });
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: options.concurrency ?? 2 }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++]!;
          const res = await fetch(`${address}/v1/events`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
          });
          if (res.status !== 200) throw new Error(`ingest failed: ${res.status} ${await res.text()}`);
          await res.arrayBuffer();
        }
      }),
    );
    const apiMs = performance.now() - started;
    await app.close();
    await engine.close();

    const rawMs = rawSqliteInsertMs(join(dir, 'raw', 'setlist.db'), batches);
    const eventsPerSecond = (options.events / apiMs) * 1000;
    const rawSqliteEventsPerSecond = (options.events / rawMs) * 1000;
    return { eventsPerSecond, rawSqliteEventsPerSecond, ratio: eventsPerSecond / rawSqliteEventsPerSecond };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An event row as the raw-SQLite baseline writes it; a missing time is the batch's receive time. */
export interface RawEventRow {
  id?: string;
  userId: string;
  itemId: string;
  type: string;
  at?: number;
  watchRatio?: number;
}

/**
 * The baseline ingest is compared with: the same rows into the same schema and pragmas, one prepared
 * statement and one transaction per batch. Returns the milliseconds the inserts took.
 */
export function rawSqliteInsertMs(path: string, batches: readonly (readonly RawEventRow[])[]): number {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(sqliteMigrations[0]!);
  const insert = db.prepare(
    `INSERT INTO events (id, user_id, item_id, type, at, watch_ms, watch_ratio, received_at)
     VALUES (?, ?, ?, ?, ?, NULL, ?, ?)`,
  );
  const write = db.transaction((batch: readonly RawEventRow[], receivedAt: number) => {
    for (const e of batch) {
      insert.run(
        e.id ?? null,
        e.userId,
        e.itemId,
        e.type,
        e.at ?? receivedAt,
        e.watchRatio ?? null,
        receivedAt,
      );
    }
  });
  const started = performance.now();
  for (const batch of batches) write(batch, Date.now());
  const ms = performance.now() - started;
  db.close();
  return ms;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [items = 100_000, users = 50_000, events = 200_000, batch = 1_000] = process.argv
    .slice(2)
    .map(Number);
  const m = await measureIngest({ items, users, events, batch });
  console.log(JSON.stringify({ items, users, events, batch, ...m }));
  console.log(
    `ingest ${m.eventsPerSecond.toFixed(0)} events/s over HTTP; raw SQLite ${m.rawSqliteEventsPerSecond.toFixed(0)} events/s; ratio ${m.ratio.toFixed(3)}`,
  );
}
