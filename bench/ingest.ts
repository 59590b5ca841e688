// Ingest throughput over HTTP: `POST /v1/events` in batches, online updates on, against raw SQLite
// inserts of the same rows into the same schema in the same run. The load comes from a child process
// (bench/load-client.ts, as in `npm run bench`), so the server's own CPU time is measured apart; it is
// started before the state is built (see `startLoadClient`).
// Run: node --import tsx bench/ingest.ts [items] [users] [events] [batch] [connections] [applied]
//   [--no-cooccurrence-thread]
// (`applied`: events of the synthetic platform logged and applied before the load, for a larger state;
// --no-cooccurrence-thread, or SETLIST_COOCCURRENCE_THREAD=0: co-occurrence's updates on the server
// thread; the engine's default is a thread of their own).
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createEngine } from '../src/engine/engine.js';
import { buildApp } from '../src/server/app.js';
import { logEvent, prepareEventStatements } from '../src/store/sqlite/event-append.js';
import { createSqliteStore, migrateSqliteSchema } from '../src/store/sqlite/sqlite-store.js';
import { storedEvents } from '../src/store/store.js';
import { formatIngestStages, type IngestStages, watchIngestStages } from './ingest-stages.js';
import { startLoadClient } from './load.js';
import { generatePlatform, ingestBatch, platformEvents } from './synthetic.js';
import { syntheticItem } from './synthetic-stream.js';

export interface IngestOptions {
  items: number;
  users: number;
  events: number;
  /** Events per request (and per raw SQLite transaction). */
  batch: number;
  /** Requests in flight at once; default 4, as in `npm run bench`. */
  concurrency?: number;
  /** Events of the synthetic platform logged and applied before the load (default 0): a larger state. */
  applied?: number;
  /** The engine's `cooccurrenceThread` (default on, as the engine's). */
  cooccurrenceThread?: boolean;
}

export interface IngestMeasurement {
  eventsPerSecond: number;
  /** Events per second of the server process's CPU time (all its threads) during the load. */
  eventsPerServerCpuSecond: number;
  /**
   * Events per second of the server thread's own CPU time (Linux; undefined elsewhere): the thread
   * that parses and applies every event, so the rate one free core would give it.
   */
  eventsPerServerThreadCpuSecond: number | undefined;
  rawSqliteEventsPerSecond: number;
  /** eventsPerSecond / rawSqliteEventsPerSecond. */
  ratio: number;
  /** Where the time went, per event (see bench/ingest-stages.ts). */
  stages: IngestStages;
  /**
   * µs of CPU per event during the load (Linux; undefined elsewhere): the server process (all its
   * threads) and the load client's process; their sum against two cores bounds events/s here.
   */
  cpuUs: { server: number; client: number | undefined };
  failedBatches: number;
}

/** The seed of the ingest batches, shared with `npm run bench`. */
const INGEST_SEED = 5;

/**
 * Serves a fresh SQLite-backed engine on a loopback port, loads `items`, then posts `events` in
 * batches from a child process and times them; each request returns once its batch is committed
 * and applied.
 *
 * @example
 * const { eventsPerSecond, ratio } = await measureIngest({ items: 100_000, users: 50_000, events: 200_000, batch: 1_000 });
 */
export async function measureIngest(options: IngestOptions): Promise<IngestMeasurement> {
  const dir = join(tmpdir(), `setlist-bench-ingest-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  const batchCount = Math.ceil(options.events / options.batch);
  mkdirSync(join(dir, 'api'), { recursive: true });
  mkdirSync(join(dir, 'raw'), { recursive: true });
  // Forked before the state exists: a fork after it would make the load's writes fault (bench/load.ts).
  const client = startLoadClient();
  const store = createSqliteStore({ path: join(dir, 'api', 'setlist.db') });
  const engine = createEngine({ store, cooccurrenceThread: options.cooccurrenceThread ?? true });
  try {
    await engine.open();
    for (let start = 0; start < options.items; start += 10_000) {
      const items = [];
      for (let i = start; i < Math.min(options.items, start + 10_000); i++) items.push(syntheticItem(i));
      await engine.putItems({ items });
    }
    const applied = options.applied ?? 0;
    if (applied > 0) {
      // A day old, so the load's events (stamped on arrival) come after them.
      const platform = generatePlatform({ items: options.items, users: options.users, events: applied });
      const t0 = Date.now() - applied - 86_400_000;
      for (let start = 0; start < applied; start += 10_000) {
        const events = platformEvents(platform, start, start + 10_000, t0);
        engine.applyRemoteEvents(storedEvents(events, await store.appendEvents(events, t0), t0));
      }
      // Co-occurrence's thread done with them too, before the load is timed.
      await engine.settled();
    }
    const app = buildApp({ engine, webRoot: false });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const watch = watchIngestStages(engine, store);
    const cpuBefore = process.cpuUsage();
    const threadBefore = serverThreadCpuS();
    const clientBefore = processCpuS(client.pid);
    const result = await client.run({
      kind: 'ingest',
      url,
      connections: options.concurrency ?? 4,
      batches: batchCount,
      batchSize: options.batch,
      users: options.users,
      items: options.items,
      seed: INGEST_SEED,
    });
    const cpu = process.cpuUsage(cpuBefore);
    const threadAfter = serverThreadCpuS();
    const clientAfter = processCpuS(client.pid);
    const stages = watch.stop();
    await app.close();
    await engine.close();
    // Failed batches are reported (`failedBatches`), not thrown: more batches in flight may time out.

    const batches = Array.from({ length: batchCount }, (_, b) =>
      ingestBatch(INGEST_SEED, b, options.batch, options.users, options.items),
    );
    const rawMs = rawSqliteInsertMs(join(dir, 'raw', 'setlist.db'), batches);
    const events = result.ok * options.batch;
    const eventsPerSecond = events / result.durationS;
    const rawSqliteEventsPerSecond = ((batchCount * options.batch) / rawMs) * 1000;
    return {
      eventsPerSecond,
      eventsPerServerCpuSecond: events / ((cpu.user + cpu.system) / 1e6),
      eventsPerServerThreadCpuSecond:
        threadBefore === undefined || threadAfter === undefined
          ? undefined
          : events / (threadAfter - threadBefore),
      rawSqliteEventsPerSecond,
      ratio: eventsPerSecond / rawSqliteEventsPerSecond,
      stages,
      cpuUs: {
        server: (cpu.user + cpu.system) / events,
        client:
          clientBefore === undefined || clientAfter === undefined
            ? undefined
            : ((clientAfter - clientBefore) / events) * 1e6,
      },
      failedBatches: result.failed,
    };
  } finally {
    client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** CPU seconds of this process's main thread (user and system), from /proc on Linux. */
function serverThreadCpuS(): number | undefined {
  return cpuS(`/proc/self/task/${process.pid}/stat`);
}

/** CPU seconds of a process, all its threads (user and system), from /proc on Linux. */
function processCpuS(pid: number | undefined): number | undefined {
  return pid === undefined ? undefined : cpuS(`/proc/${pid}/stat`);
}

function cpuS(path: string): number | undefined {
  try {
    const fields = readFileSync(path, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime, in clock ticks of 1/100 s.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
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
 * The baseline ingest is compared with: the same rows into the same schema and pragmas, each logged
 * as the event-log writer logs it (the id's dedupe check, then the insert), one transaction per
 * batch. Returns the milliseconds the inserts took.
 */
export function rawSqliteInsertMs(path: string, batches: readonly (readonly RawEventRow[])[]): number {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  migrateSqliteSchema(db);
  const statements = prepareEventStatements(db);
  const write = db.transaction((batch: readonly RawEventRow[], receivedAt: number) => {
    for (const e of batch) {
      const at = e.at ?? receivedAt;
      logEvent(statements, [
        e.id ?? null,
        e.userId,
        e.itemId,
        e.type,
        at,
        null,
        e.watchRatio ?? null,
        receivedAt,
        null,
      ]);
    }
  }).immediate;
  const started = performance.now();
  for (const batch of batches) write(batch, Date.now());
  const ms = performance.now() - started;
  db.close();
  return ms;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const cooccurrenceThread =
    !args.includes('--no-cooccurrence-thread') && process.env.SETLIST_COOCCURRENCE_THREAD !== '0';
  const [items = 100_000, users = 50_000, events = 200_000, batch = 1_000, concurrency = 4, applied = 0] =
    args.filter((a) => !a.startsWith('--')).map(Number);
  const m = await measureIngest({ items, users, events, batch, concurrency, applied, cooccurrenceThread });
  console.log(
    JSON.stringify({ items, users, events, batch, concurrency, applied, cooccurrenceThread, ...m }),
  );
  console.log(
    `ingest ${m.eventsPerSecond.toFixed(0)} events/s over HTTP (${m.eventsPerServerCpuSecond.toFixed(0)} per server CPU-second, ${m.eventsPerServerThreadCpuSecond?.toFixed(0) ?? '?'} per server-thread CPU-second); raw SQLite ${m.rawSqliteEventsPerSecond.toFixed(0)} events/s; ratio ${m.ratio.toFixed(3)}`,
  );
  console.log(formatIngestStages(m.stages));
  const total = m.cpuUs.server + (m.cpuUs.client ?? 0);
  console.log(
    `CPU per event: server process ${m.cpuUs.server.toFixed(1)} µs, load client ${m.cpuUs.client?.toFixed(1) ?? '?'} µs, ` +
      `together ${total.toFixed(1)} µs (two cores: at most ${((2 * 1e6) / total).toFixed(0)} events/s); failed batches ${m.failedBatches}`,
  );
}
