import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import pg from 'pg';
import {
  createPostgresStore,
  type EventRow,
  inTransaction,
  rowToEvent,
} from '../store/postgres/postgres-store.js';
import type { StoredEvent } from '../types.js';
import { decodeBatch, type StreamNames, sleep, streamNames } from './event-stream.js';

export interface StreamWorkerOptions {
  /** `postgres://...`: the store the API nodes write. */
  connectionString: string;
  schema?: string;
  redisUrl: string;
  prefix?: string;
  /** This worker's name in the consumer group; a restarted worker with the same name resumes its own pending entries. */
  consumer?: string;
  /** Stream entries (batches) read per call. */
  batchEntries?: number;
  /** Entries another consumer has held unacknowledged this long are claimed (XAUTOCLAIM). */
  claimIdleMs?: number;
  /** How often the worker reads the store's log for events the stream lost. */
  catchUpIntervalMs?: number;
  /** How often the popularity model is rebuilt and announced; 0 never. */
  trainEveryMs?: number;
  /** Pause after each batch, to bound the load on Postgres. */
  throttleMs?: number;
  log?: (message: string, err?: unknown) => void;
}

export interface StreamWorkerStats {
  consumer: string;
  entriesAcked: number;
  eventsApplied: number;
  duplicatesSkipped: number;
  caughtUpEvents: number;
  claimedEntries: number;
  modelVersion: number;
}

export interface StreamWorker {
  /** Runs until `stop()`; resolves after the last batch is applied and acknowledged. */
  run(): Promise<void>;
  stop(): Promise<void>;
  stats(): StreamWorkerStats;
}

/** The ledger row of this worker's applied events (`worker_state`, `worker_applied`). */
const LEDGER = 'item-stats';
export const POPULARITY_MODEL = 'worker-popularity';
const TOP_ITEMS = 1_000;

/**
 * `setlist worker`: consumes the event stream in a consumer group and keeps cluster-wide item counts
 * (`item_stats`) in Postgres, from which it trains a popularity model and announces each version.
 * Delivery is at least once: an entry is acknowledged only after its events are committed, and the
 * `seq` of every applied event is recorded in the same transaction, so a redelivered entry (a worker
 * killed before XACK) changes nothing. Entries pending on a dead consumer are claimed with
 * XAUTOCLAIM; events the stream never got are read from the store's log by `seq`.
 *
 * @example
 * const worker = createStreamWorker({ connectionString, redisUrl });
 * process.once('SIGTERM', () => void worker.stop());
 * await worker.run();
 */
export function createStreamWorker(options: StreamWorkerOptions): StreamWorker {
  const names: StreamNames = streamNames(options.prefix);
  const consumer = options.consumer ?? `worker-${hostname()}-${process.pid}`;
  const batchEntries = options.batchEntries ?? 100;
  const claimIdleMs = options.claimIdleMs ?? 30_000;
  const catchUpIntervalMs = options.catchUpIntervalMs ?? 1_000;
  const trainEveryMs = options.trainEveryMs ?? 60_000;
  const log = options.log ?? (() => {});
  const schema = options.schema ?? 'public';
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: 2,
    connectionTimeoutMillis: 5_000,
    options: `-c search_path=${schema}`,
    application_name: 'setlist-worker',
  });
  pool.on('error', () => {});
  const store = createPostgresStore({
    connectionString: options.connectionString,
    schema,
    poolSize: 1,
  });
  const redis = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: null });
  const publisher = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  publisher.on('error', () => {});

  let running = false;
  let done: Promise<void> | undefined;
  let changedSinceTrain = false;
  const stats: StreamWorkerStats = {
    consumer,
    entriesAcked: 0,
    eventsApplied: 0,
    duplicatesSkipped: 0,
    caughtUpEvents: 0,
    claimedEntries: 0,
    modelVersion: 0,
  };

  const transaction = <T>(work: (c: pg.PoolClient) => Promise<T>): Promise<T> =>
    inTransaction(pool, async (c) => {
      await c.query('INSERT INTO worker_state (name, watermark) VALUES ($1, 0) ON CONFLICT DO NOTHING', [
        LEDGER,
      ]);
      return work(c);
    });

  const lockWatermark = async (c: pg.PoolClient): Promise<number> => {
    const { rows } = await c.query<{ watermark: string }>(
      'SELECT watermark FROM worker_state WHERE name = $1 FOR UPDATE',
      [LEDGER],
    );
    return Number(rows[0]!.watermark);
  };

  /** Applies events not applied before; call with the watermark row locked. */
  const applyEvents = async (
    c: pg.PoolClient,
    events: readonly StoredEvent[],
    watermark: number,
  ): Promise<number> => {
    const candidates = [...new Set(events.filter((e) => e.seq > watermark).map((e) => e.seq))];
    if (candidates.length === 0) return 0;
    const { rows } = await c.query<{ seq: string }>(
      `INSERT INTO worker_applied (name, seq) SELECT $1, s FROM unnest($2::bigint[]) AS s
       ON CONFLICT DO NOTHING RETURNING seq`,
      [LEDGER, candidates],
    );
    const fresh = new Set(rows.map((r) => Number(r.seq)));
    const counts = new Map<string, { item: string; type: string; n: number }>();
    for (const e of events) {
      if (!fresh.delete(e.seq)) continue;
      const key = `${e.type}\u0000${e.itemId}`;
      const entry = counts.get(key) ?? { item: e.itemId, type: e.type, n: 0 };
      entry.n++;
      counts.set(key, entry);
    }
    const list = [...counts.values()];
    if (list.length > 0) {
      await c.query(
        `INSERT INTO item_stats (item_id, type, events)
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
         ON CONFLICT (item_id, type) DO UPDATE SET events = item_stats.events + excluded.events`,
        [list.map((x) => x.item), list.map((x) => x.type), list.map((x) => x.n)],
      );
    }
    return rows.length;
  };

  const processEntries = async (entries: [string, string[] | null][]): Promise<void> => {
    if (entries.length === 0) return;
    const events = entries.flatMap(([, fields]) => decodeBatch(fields).events);
    const applied = await transaction(async (c) => applyEvents(c, events, await lockWatermark(c)));
    stats.eventsApplied += applied;
    stats.duplicatesSkipped += events.length - applied;
    if (applied > 0) changedSinceTrain = true;
    // Acknowledged only after the commit: a crash before this line means redelivery, not loss.
    await redis.xack(names.events, names.group, ...entries.map(([id]) => id));
    stats.entriesAcked += entries.length;
    if (options.throttleMs !== undefined && options.throttleMs > 0) await sleep(options.throttleMs);
  };

  /** Reads the store's log after the watermark: the events the stream lost. */
  const catchUp = async (): Promise<void> => {
    for (;;) {
      const n = await transaction(async (c) => {
        const watermark = await lockWatermark(c);
        const { rows } = await c.query<EventRow>(
          'SELECT * FROM events WHERE seq > $1 ORDER BY seq LIMIT 5000',
          [watermark],
        );
        if (rows.length === 0) return 0;
        const events = rows.map(rowToEvent);
        const applied = await applyEvents(c, events, watermark);
        const last = events[events.length - 1]!.seq;
        await c.query('UPDATE worker_state SET watermark = $2 WHERE name = $1', [LEDGER, last]);
        await c.query('DELETE FROM worker_applied WHERE name = $1 AND seq <= $2', [LEDGER, last]);
        stats.caughtUpEvents += applied;
        stats.eventsApplied += applied;
        if (applied > 0) changedSinceTrain = true;
        return rows.length;
      });
      if (n < 5000) return;
    }
  };

  const train = async (): Promise<void> => {
    if (!changedSinceTrain) return;
    changedSinceTrain = false;
    const { rows } = await pool.query<{ item_id: string; n: string }>(
      `SELECT item_id, sum(events) AS n FROM item_stats WHERE type NOT IN ('impression', 'skip', 'not_interested', 'report')
       GROUP BY item_id ORDER BY n DESC, item_id LIMIT $1`,
      [TOP_ITEMS],
    );
    const previous = await store.loadSnapshot(POPULARITY_MODEL);
    const version = (previous?.version ?? 0) + 1;
    const top = rows.map((r) => [r.item_id, Number(r.n)] as const);
    await store.saveSnapshot({
      name: POPULARITY_MODEL,
      version,
      trainedAt: Date.now(),
      meta: { items: top.length },
      data: new TextEncoder().encode(JSON.stringify(top)),
    });
    stats.modelVersion = version;
    await publisher
      .publish(names.models, JSON.stringify({ name: POPULARITY_MODEL, version }))
      .catch((err: unknown) => log('announcing the model failed; nodes load it when Redis is back', err));
  };

  const ensureGroup = async (): Promise<void> => {
    try {
      await redis.xgroup('CREATE', names.events, names.group, '0', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
  };

  const loop = async (): Promise<void> => {
    // The stream is the fast path; the first catch-up waits one interval, then repairs what it lost.
    let lastCatchUp = Date.now();
    let lastClaim = 0;
    let lastTrain = Date.now();
    let groupReady = false;
    let ownPendingDone = false;
    while (running) {
      try {
        const now = Date.now();
        if (now - lastCatchUp >= catchUpIntervalMs) {
          await catchUp();
          lastCatchUp = now;
        }
        if (trainEveryMs > 0 && now - lastTrain >= trainEveryMs) {
          await train();
          lastTrain = now;
        }
        if (!groupReady) {
          await ensureGroup();
          groupReady = true;
        }
        if (!ownPendingDone) {
          // Entries this consumer read but did not acknowledge before it died.
          const res = (await redis.xreadgroup(
            'GROUP',
            names.group,
            consumer,
            'COUNT',
            batchEntries,
            'STREAMS',
            names.events,
            '0',
          )) as [string, [string, string[] | null][]][] | null;
          const entries = res?.[0]?.[1] ?? [];
          await processEntries(entries);
          if (entries.length < batchEntries) ownPendingDone = true;
          continue;
        }
        if (now - lastClaim >= Math.min(claimIdleMs, 5_000)) {
          lastClaim = now;
          for (let cursor = '0-0'; running; ) {
            const [next, claimed] = (await redis.xautoclaim(
              names.events,
              names.group,
              consumer,
              claimIdleMs,
              cursor,
              'COUNT',
              batchEntries,
            )) as [string, [string, string[] | null][]];
            stats.claimedEntries += claimed.length;
            await processEntries(claimed.filter(([, fields]) => fields !== null));
            if (next === '0-0') break;
            cursor = next;
          }
        }
        const res = (await redis.xreadgroup(
          'GROUP',
          names.group,
          consumer,
          'COUNT',
          batchEntries,
          'BLOCK',
          Math.min(500, catchUpIntervalMs),
          'STREAMS',
          names.events,
          '>',
        )) as [string, [string, string[] | null][]][] | null;
        await processEntries(res?.[0]?.[1] ?? []);
      } catch (err) {
        if (!running) break;
        // NOGROUP: Redis lost the stream (a restart without persistence); recreate it and go on.
        if (String((err as Error).message).includes('NOGROUP')) groupReady = false;
        else log('worker step failed; retrying', err);
        await sleep(250);
      }
    }
  };

  return {
    async run() {
      running = true;
      await redis.connect().catch((err: unknown) => log('Redis connect', err));
      await publisher.connect().catch((err: unknown) => log('Redis connect', err));
      done = loop();
      await done;
      // Leave a final model for the nodes when anything changed since the last one.
      if (trainEveryMs > 0) await train().catch((err: unknown) => log('final training failed', err));
      redis.disconnect();
      await publisher.quit().catch(() => publisher.disconnect());
      await pool.end();
      await store.close();
    },
    async stop() {
      running = false;
      // Interrupt a blocking read; the batch in progress finishes (and is acknowledged) first.
      await done;
    },
    stats() {
      return { ...stats };
    },
  };
}
