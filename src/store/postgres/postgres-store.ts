import pg from 'pg';
import { SetlistError } from '../../errors.js';
import type {
  AuditEntry,
  EventRecord,
  EventType,
  ItemId,
  ItemRecord,
  ModelSnapshot,
  StoreCounts,
  StoredEvent,
  UserId,
  UserRecord,
} from '../../types.js';
import { encodeMetaInSlices, parseMetaInSlices } from '../snapshot-meta.js';
import {
  type AppendResult,
  type MigrationListener,
  type MigrationStep,
  type Page,
  type Store,
  snapshotsKeptOf,
} from '../store.js';
import { postgresMigrationNotes, postgresMigrations } from './migrations.js';

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database`. */
  connectionString: string;
  /** The schema that holds setlist's tables; created by `migrate()` when missing. */
  schema?: string;
  /** Most connections this process opens; the default suits one API node. */
  poolSize?: number;
  /** How long a query waits for a free connection or a new one before failing with 503. */
  connectTimeoutMs?: number;
  /** Told of each step that upgrades an existing schema, as it starts and once done. */
  onMigration?: MigrationListener;
  /** A model snapshot's bytes are written and read in chunks of this many bytes (4 MiB by default). */
  snapshotChunkBytes?: number;
  /** The newest versions of each snapshot name kept; older ones are deleted as a new one is saved (3). */
  snapshotsKept?: number;
  /**
   * `counts()` counts items and users at most this often (10 s); this store's own writes are counted at
   * once, other processes' within this time. `count(*)` of a million items takes about 50 ms.
   */
  recordCountTtlMs?: number;
}

export interface EventRow {
  seq: string;
  id: string | null;
  user_id: string;
  item_id: string;
  type: string;
  at: string;
  watch_ms: number | null;
  watch_ratio: number | null;
  received_at: string;
}

/** Taken by every event append so that sequence numbers become visible in order (see `readEvents`). */
const EVENT_LOCK_KEY = 0x5e71157;
const MIGRATION_LOCK_KEY = 0x5e71158;
const INSERT_CHUNK = 5_000;
/** Records read per query when following writes. */
const RECORD_CHANGES_PAGE = 1_000;
const SNAPSHOT_CHUNK_BYTES = 1 << 22;
/** A snapshot chunk is read in pieces this large: their hex text stays below V8's large-object size. */
const LOAD_PIECE_BYTES = 1 << 15;

/**
 * The scale-out store: Postgres through a `pg` connection pool. Every call that writes runs in one
 * transaction. Appends take a transaction-level advisory lock, so a reader that sees event `seq`
 * has also seen every committed event below it: nodes can follow the log by `seq` without gaps.
 * When Postgres cannot be reached, calls fail with `SETLIST_ERR_UNAVAILABLE` (HTTP 503).
 *
 * @example
 * const store = createPostgresStore({ connectionString: 'postgres://localhost/setlist' });
 * await store.migrate();
 */
export function createPostgresStore(options: PostgresStoreOptions): Store {
  const schema = options.schema ?? 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new SetlistError('SETLIST_ERR_CONFIG', {
      message: `The Postgres schema "${schema}" must be a lower-case SQL identifier.`,
      path: 'schema',
    });
  }
  const chunkBytes = options.snapshotChunkBytes ?? SNAPSHOT_CHUNK_BYTES;
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 1) {
    throw new SetlistError('SETLIST_ERR_CONFIG', {
      message: `snapshotChunkBytes must be a positive whole number of bytes, not ${chunkBytes}.`,
      path: 'snapshotChunkBytes',
    });
  }
  const kept = snapshotsKeptOf(options.snapshotsKept);
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    options: `-c search_path=${schema}`,
    application_name: 'setlist',
  });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  let closed = false;
  const recordCountTtlMs = options.recordCountTtlMs ?? 10_000;
  /** The last items and users counted, and when; writes of this store's bump `recordWrites` and drop it. */
  let recordCounts: { items: number; users: number; at: number } | undefined;
  let recordWrites = 0;
  const recordsWritten = (): void => {
    recordWrites++;
    recordCounts = undefined;
  };

  const query = async <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> => {
    try {
      return (await pool.query<R>(sql, params)).rows;
    } catch (cause) {
      throw mapError(cause);
    }
  };

  const transaction = <T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> =>
    inTransaction(pool, work);

  /** The schema's migration version, read without taking a lock or creating anything: 0 if none. */
  const schemaVersion = async (): Promise<number> => {
    const table = await query<{ t: string | null }>('SELECT to_regclass($1) AS t', [
      `${schema}.setlist_migrations`,
    ]);
    if (table[0]?.t === null || table[0]?.t === undefined) return 0;
    const rows = await query<{ v: number | null }>(
      `SELECT max(version) AS v FROM ${schema}.setlist_migrations`,
    );
    return rows[0]?.v ?? 0;
  };

  const tooNew = (current: number): SetlistError =>
    new SetlistError('SETLIST_ERR_STORE_TOO_NEW', {
      message: `The database has schema version ${current}; this setlist knows up to ${postgresMigrations.length}. Upgrade setlist to open it.`,
    });

  /** Says what to run when this role may not bring the schema (at `current`, if it could be read) up to date. */
  const needsMigration = (current: number | undefined, err: SetlistError): SetlistError => {
    const latest = postgresMigrations.length;
    const what =
      current === undefined
        ? `may not read the version of the Postgres schema "${schema}"`
        : current === 0
          ? `may not create setlist's tables in the Postgres schema "${schema}"`
          : `may not upgrade the Postgres schema "${schema}" from version ${current} to ${latest}`;
    const pgMessage = err.cause instanceof Error ? err.cause.message : err.message;
    return new SetlistError('SETLIST_ERR_STORE_NEEDS_MIGRATION', {
      message:
        `This Postgres role ${what} (${pgMessage}): run \`setlist migrate --store <url> --schema ${schema}\` ` +
        'as a role that may create tables there (its owner), then start again.',
      cause: err.cause ?? err,
    });
  };

  /** Creates or upgrades the schema under the migration lock, applying each missing migration once. */
  const upgrade = (): Promise<void> =>
    transaction(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      // Only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema
      // is there, which a schema's owner need not have.
      const exists = await c.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      if (exists.rowCount === 0) await c.query(`CREATE SCHEMA ${schema}`);
      await c.query(
        `CREATE TABLE IF NOT EXISTS setlist_migrations (
             version INTEGER PRIMARY KEY,
             applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
           )`,
      );
      const rows = (await c.query<{ v: number | null }>('SELECT max(version) AS v FROM setlist_migrations'))
        .rows;
      const current = rows[0]?.v ?? 0;
      if (current > postgresMigrations.length) throw tooNew(current);
      const latest = postgresMigrations.length;
      const report = current > 0 ? options.onMigration : undefined;
      for (let v = current; v < latest; v++) {
        const note = postgresMigrationNotes[v + 1];
        const step: MigrationStep = { version: v + 1, latest, ...(note === undefined ? {} : { note }) };
        report?.(step);
        const started = performance.now();
        await c.query(postgresMigrations[v]!);
        await c.query('INSERT INTO setlist_migrations (version) VALUES ($1)', [v + 1]);
        report?.({ ...step, ms: performance.now() - started });
      }
    });

  return {
    kind: 'postgres',
    async migrate() {
      let current: number | undefined;
      try {
        // Read first: a role that may only read and write the tables opens an up-to-date schema; only
        // a missing or older one needs the rights to create tables.
        current = await schemaVersion();
        if (current > postgresMigrations.length) throw tooNew(current);
        if (current < postgresMigrations.length) await upgrade();
      } catch (err) {
        throw lacksPrivilege(err) ? needsMigration(current, err) : err;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },

    async writeItems(items, audit = []) {
      await transaction(async (c) => {
        for (let start = 0; start < items.length; start += INSERT_CHUNK) {
          const chunk = items.slice(start, start + INSERT_CHUNK);
          await c.query(
            `INSERT INTO items (id, creator_id, created_at, updated_at, doc)
             SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::text[])
             ON CONFLICT (id) DO UPDATE SET creator_id = excluded.creator_id, created_at = excluded.created_at,
               updated_at = excluded.updated_at, doc = excluded.doc`,
            [
              chunk.map((i) => i.id),
              chunk.map((i) => i.creatorId ?? null),
              chunk.map((i) => i.createdAt),
              chunk.map((i) => i.updatedAt),
              chunk.map((i) => JSON.stringify(i)),
            ],
          );
        }
        for (const entry of audit) {
          await c.query(
            'INSERT INTO audit (item_id, at, actor, action, reason) VALUES ($1, $2, $3, $4, $5)',
            [entry.itemId, entry.at, entry.actor, entry.action, entry.reason],
          );
        }
      });
      recordsWritten();
    },
    async getItem(id) {
      const rows = await query<{ doc: string }>('SELECT doc FROM items WHERE id = $1', [id]);
      return rows[0] === undefined ? undefined : (JSON.parse(rows[0].doc) as ItemRecord);
    },
    async listItems(page: Page) {
      const rows = await query<{ doc: string }>('SELECT doc FROM items WHERE id > $1 ORDER BY id LIMIT $2', [
        page.after ?? '',
        page.limit,
      ]);
      return rows.map((r) => JSON.parse(r.doc) as ItemRecord);
    },
    async listAudit(itemId: ItemId) {
      const rows = await query<{ at: string; actor: string; action: AuditEntry['action']; reason: string }>(
        'SELECT at, actor, action, reason FROM audit WHERE item_id = $1 ORDER BY seq',
        [itemId],
      );
      return rows.map((r) => ({
        itemId,
        at: Number(r.at),
        actor: r.actor,
        action: r.action,
        reason: r.reason,
      }));
    },

    async readRecordChanges(cursor, visit) {
      if (cursor !== undefined && !/^\d{1,20}$/.test(cursor)) {
        throw new SetlistError('SETLIST_ERR_VALIDATION', {
          message: `a record cursor is a decimal transaction id, got "${cursor.slice(0, 40)}"`,
          path: 'cursor',
        });
      }
      // One snapshot for the whole read. Every transaction below its xmin has ended, so each of their
      // writes is read now or was read by an earlier call; those at or above it are read again next time.
      return inTransaction(
        pool,
        async (c) => {
          const now = await c.query<{ xmin: string }>(
            'SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin',
          );
          const next = now.rows[0]!.xmin;
          if (cursor === undefined) return next;
          for (const table of ['items', 'users'] as const) {
            let after: { xid: string; id: string } | undefined;
            do {
              const rows = (
                await c.query<{ xid: string; id: string; doc: string }>(
                  `SELECT xid::text AS xid, id, doc FROM ${table}
                   WHERE xid >= $1::xid8 AND (xid, id) > ($2::xid8, $3) ORDER BY xid, id LIMIT $4`,
                  [cursor, after?.xid ?? cursor, after?.id ?? '', RECORD_CHANGES_PAGE],
                )
              ).rows;
              if (rows.length === 0) break;
              const changes = rows.map((r) => ({
                record: JSON.parse(r.doc) as ItemRecord & UserRecord,
                version: r.xid,
              }));
              await visit(table === 'items' ? { items: changes, users: [] } : { items: [], users: changes });
              const last = rows[rows.length - 1]!;
              after = rows.length < RECORD_CHANGES_PAGE ? undefined : { xid: last.xid, id: last.id };
            } while (after !== undefined);
          }
          return next;
        },
        'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
      );
    },

    async writeUsers(users) {
      await transaction(async (c) => {
        for (let start = 0; start < users.length; start += INSERT_CHUNK) {
          const chunk = users.slice(start, start + INSERT_CHUNK);
          await c.query(
            `INSERT INTO users (id, updated_at, doc)
             SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[])
             ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at, doc = excluded.doc`,
            [chunk.map((u) => u.id), chunk.map((u) => u.updatedAt), chunk.map((u) => JSON.stringify(u))],
          );
        }
      });
      recordsWritten();
    },
    async getUser(id: UserId) {
      const rows = await query<{ doc: string }>('SELECT doc FROM users WHERE id = $1', [id]);
      return rows[0] === undefined ? undefined : (JSON.parse(rows[0].doc) as UserRecord);
    },
    async listUsers(page: Page) {
      const rows = await query<{ doc: string }>('SELECT doc FROM users WHERE id > $1 ORDER BY id LIMIT $2', [
        page.after ?? '',
        page.limit,
      ]);
      return rows.map((r) => JSON.parse(r.doc) as UserRecord);
    },

    async appendEvents(events, receivedAt) {
      return transaction(async (c) => appendInTransaction(c, events, receivedAt));
    },
    async readEvents(afterSeq, limit) {
      const rows = await query<EventRow>('SELECT * FROM events WHERE seq > $1 ORDER BY seq LIMIT $2', [
        afterSeq,
        limit,
      ]);
      return rows.map(rowToEvent);
    },

    async saveSnapshot(snapshot: ModelSnapshot) {
      // Before the transaction, in slices. The engine's metas are small now that a serving model's ids
      // are a section of their own; the Store takes any caller's meta, and a large one would be a
      // long stringify in one go.
      const meta = await encodeMetaInSlices(snapshot.meta);
      const { name, version, data, itemIds } = snapshot;
      // One transaction: a reader sees the whole snapshot or the previous one, never some chunks.
      await transaction(async (c) => {
        await c.query('DELETE FROM snapshot_chunks WHERE name = $1 AND version = $2', [name, version]);
        // The meta goes as UTF-8 bytes (a text parameter in binary form), not as a string built at once.
        await c.query(
          `INSERT INTO snapshots (name, version, trained_at, meta, size, item_ids_size)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (name, version) DO UPDATE SET trained_at = excluded.trained_at, meta = excluded.meta,
             size = excluded.size, item_ids_size = excluded.item_ids_size`,
          [name, version, snapshot.trainedAt, bufferOf(meta), data.byteLength, itemIds?.byteLength ?? null],
        );
        // The item ids' chunks follow the data's: no chunk holds some of each.
        let chunk = 0;
        for (const bytes of itemIds === undefined ? [data] : [data, itemIds]) {
          for (let start = 0; start < bytes.byteLength; start += chunkBytes, chunk++) {
            await c.query(
              'INSERT INTO snapshot_chunks (name, version, chunk, bytes) VALUES ($1, $2, $3, $4)',
              [name, version, chunk, bufferOf(bytes.subarray(start, start + chunkBytes))],
            );
          }
        }
        // Older versions go with this one's commit (their chunks by the foreign key's cascade).
        await c.query(
          `DELETE FROM snapshots WHERE name = $1 AND version NOT IN
             (SELECT version FROM snapshots WHERE name = $1 ORDER BY version DESC LIMIT $2)`,
          [name, kept],
        );
      });
    },
    async loadSnapshot(name) {
      // One read-only snapshot of the database: the row and its chunks as one save committed them.
      const read = await inTransaction(
        pool,
        async (c) => {
          const rows = (
            await c.query<{
              version: string;
              trained_at: string;
              meta: string;
              size: string;
              item_ids_size: string | null;
            }>(
              `SELECT version, trained_at, meta, size, item_ids_size FROM snapshots WHERE name = $1
               ORDER BY version DESC LIMIT 1`,
              [name],
            )
          ).rows;
          const row = rows[0];
          if (row === undefined) return undefined;
          const data = new Uint8Array(Number(row.size));
          const next = await readChunks(c, name, row.version, 0, data);
          if (row.item_ids_size === null) return { row, data };
          const itemIds = new Uint8Array(Number(row.item_ids_size));
          await readChunks(c, name, row.version, next, itemIds);
          return { row, data, itemIds };
        },
        'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
      );
      if (read === undefined) return undefined;
      const { row, data, itemIds } = read;
      return {
        name,
        version: Number(row.version),
        trainedAt: Number(row.trained_at),
        // In slices, once the connection is back in the pool: a million item ids (of a snapshot
        // written before they had a section of their own) parse for ~100 ms.
        meta: await parseMetaInSlices(row.meta),
        data,
        ...(itemIds === undefined ? {} : { itemIds }),
      };
    },
    /**
     * Events are counted from the kept count through a seq plus the log's tail after it, which is exact
     * because appends become visible in seq order (the append lock); the kept count then moves up to
     * the tail's end, unless another node moved it first. `count(*)` of the whole log took about 160 ms
     * of Postgres's time per million events, and the dashboard asks every 2 s.
     */
    async counts(): Promise<StoreCounts> {
      const kept = recordCounts;
      const fresh = kept !== undefined && performance.now() - kept.at < recordCountTtlMs;
      const records = fresh
        ? `${kept.items}::bigint AS items, ${kept.users}::bigint AS users`
        : '(SELECT count(*) FROM items) AS items, (SELECT count(*) FROM users) AS users';
      const startedAt = performance.now();
      const generation = recordWrites;
      const rows = await query<{
        items: string;
        users: string;
        through_seq: string;
        counted: string;
        tail: string;
        last: string | null;
      }>(
        `SELECT ${records}, c.through_seq, c.events AS counted, t.tail, t.last
         FROM events_counted c,
              LATERAL (SELECT count(*) AS tail, max(seq) AS last FROM events WHERE seq > c.through_seq) t`,
      );
      const r = rows[0]!;
      // Not a count that overlapped a write of this store's: it may predate it.
      if (!fresh && generation === recordWrites) {
        recordCounts = { items: Number(r.items), users: Number(r.users), at: startedAt };
      }
      const events = Number(r.counted) + Number(r.tail);
      if (r.last !== null) {
        await query('UPDATE events_counted SET through_seq = $1, events = $2 WHERE through_seq = $3', [
          r.last,
          events,
          r.through_seq,
        ]);
      }
      return { items: Number(r.items), users: Number(r.users), events };
    },
  };
}

async function appendInTransaction(
  c: pg.PoolClient,
  events: readonly EventRecord[],
  receivedAt: number,
): Promise<AppendResult> {
  const duplicates: number[] = [];
  const positions: number[] = [];
  const firstSeen = new Set<string>();
  for (let k = 0; k < events.length; k++) {
    const id = events[k]!.id;
    if (id !== undefined) {
      if (firstSeen.has(id)) {
        duplicates.push(k);
        continue;
      }
      firstSeen.add(id);
    }
    positions.push(k);
  }
  const seqs = new Float64Array(events.length);
  if (positions.length === 0) return { seqs, duplicates };
  await c.query('SELECT pg_advisory_xact_lock($1)', [EVENT_LOCK_KEY]);
  for (let start = 0; start < positions.length; start += INSERT_CHUNK) {
    const chunk = positions.slice(start, start + INSERT_CHUNK);
    const batch = chunk.map((k) => events[k]!);
    const { rows } = await c.query<{ seq: string; id: string | null }>(
      `INSERT INTO events (id, user_id, item_id, type, at, watch_ms, watch_ratio, received_at)
       SELECT id, user_id, item_id, type, at, watch_ms, watch_ratio, $8
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::float8[], $7::float8[])
         WITH ORDINALITY AS t(id, user_id, item_id, type, at, watch_ms, watch_ratio, ord)
       ORDER BY ord
       ON CONFLICT (id) DO NOTHING RETURNING seq, id`,
      [
        batch.map((e) => e.id ?? null),
        batch.map((e) => e.userId),
        batch.map((e) => e.itemId),
        batch.map((e) => e.type),
        batch.map((e) => e.at),
        batch.map((e) => e.watchMs ?? null),
        batch.map((e) => e.watchRatio ?? null),
        receivedAt,
      ],
    );
    // Sequence numbers follow the ORDER BY, so sorted rows line up with the inserted inputs in order.
    const inserted = rows.map((r) => ({ seq: Number(r.seq), id: r.id })).sort((a, b) => a.seq - b.seq);
    let next = 0;
    for (const k of chunk) {
      const e = events[k]!;
      const row = inserted[next];
      if (row !== undefined && row.id === (e.id ?? null)) {
        seqs[k] = row.seq;
        next++;
      } else {
        duplicates.push(k);
      }
    }
  }
  duplicates.sort((a, b) => a - b);
  return { seqs, duplicates };
}

/**
 * Reads a snapshot's chunks from `first` on into `into`, until it is full, and returns the chunk after
 * the last one read. A chunk a query, streamed in pieces of hex text each written into the buffer as
 * it arrives: pieces this small die young, where a chunk's text would wait for a major GC.
 */
async function readChunks(
  c: pg.PoolClient,
  name: string,
  version: string,
  first: number,
  into: Uint8Array,
): Promise<number> {
  const size = into.byteLength;
  const target = Buffer.from(into.buffer, into.byteOffset, size);
  let chunk = first;
  for (let offset = 0; offset < size; chunk++) {
    let length = -1;
    let written = 0;
    await eachRow<{ piece: number; length: number; hex: string }>(
      c,
      `SELECT p AS piece, length(bytes) AS length, encode(substring(bytes FROM p * $4 + 1 FOR $4), 'hex') AS hex
       FROM snapshot_chunks, generate_series(0, (length(bytes) - 1) / $4) AS p
       WHERE name = $1 AND version = $2 AND chunk = $3`,
      [name, version, chunk, LOAD_PIECE_BYTES],
      (part) => {
        length = part.length;
        if (offset + length > size) return;
        written += target.write(part.hex, offset + part.piece * LOAD_PIECE_BYTES, 'hex');
      },
    );
    if (length <= 0 || offset + length > size || written !== length) {
      throw new SetlistError('SETLIST_ERR_INTERNAL', {
        message: `The snapshot ${name} version ${version} is damaged: its chunk ${chunk} is missing or does not fit its size ${size}.`,
      });
    }
    offset += length;
  }
  return chunk;
}

/** Runs `sql`, handing each row to `onRow` as it arrives and keeping none; a throw in `onRow` fails it. */
function eachRow<R>(
  c: pg.PoolClient,
  sql: string,
  values: unknown[],
  onRow: (row: R) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const query = new pg.Query(sql, values);
    let failed: { cause: unknown } | undefined;
    query.on('row', (row: R) => {
      if (failed !== undefined) return;
      try {
        onRow(row);
      } catch (cause) {
        failed = { cause };
      }
    });
    query.on('error', reject);
    query.on('end', () => (failed === undefined ? resolve() : reject(failed.cause)));
    void c.query(query);
  });
}

/** The bytes as a Buffer over the same memory: pg sends a Buffer as a binary parameter. */
function bufferOf(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function rowToEvent(r: EventRow): StoredEvent {
  const event: StoredEvent = {
    seq: Number(r.seq),
    userId: r.user_id as UserId,
    itemId: r.item_id as ItemId,
    type: r.type as EventType,
    at: Number(r.at),
    receivedAt: Number(r.received_at),
  };
  if (r.id !== null) event.id = r.id;
  if (r.watch_ms !== null) event.watchMs = r.watch_ms;
  if (r.watch_ratio !== null) event.watchRatio = r.watch_ratio;
  return event;
}

const UNAVAILABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EPIPE',
]);

/** Whether Postgres refused `err`'s statement for want of a privilege (SQLSTATE 42501). */
function lacksPrivilege(err: unknown): err is SetlistError {
  return err instanceof SetlistError && (err.cause as { code?: unknown } | undefined)?.code === '42501';
}

/** Connection failures become 503 SETLIST_ERR_UNAVAILABLE; anything else is an internal error. */
export function mapError(cause: unknown): SetlistError {
  if (cause instanceof SetlistError) return cause;
  const code = (cause as { code?: unknown }).code;
  const message = cause instanceof Error ? cause.message : String(cause);
  const unavailable =
    (typeof code === 'string' &&
      (UNAVAILABLE_NODE_CODES.has(code) ||
        code.startsWith('08') ||
        ['57P01', '57P02', '57P03', '53300'].includes(code))) ||
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Cannot use a pool after calling end/i.test(
      message,
    );
  if (unavailable) {
    return new SetlistError('SETLIST_ERR_UNAVAILABLE', {
      message: `Postgres is unavailable (${typeof code === 'string' ? code : message.slice(0, 120)}): retry later; nothing from this request was stored.`,
      cause,
    });
  }
  return new SetlistError('SETLIST_ERR_INTERNAL', {
    message: `Postgres failed: ${message.slice(0, 300)}`,
    cause,
  });
}

/**
 * Runs `work` in one transaction on a pooled connection: COMMIT on success, ROLLBACK and a
 * SetlistError on failure; a connection whose ROLLBACK failed is discarded, not returned to the pool.
 * `begin` may ask for another isolation level.
 *
 * @internal Not in the published declarations, which must not need `@types/pg`.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  begin = 'BEGIN',
): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (cause) {
    throw mapError(cause);
  }
  // A connection lost mid-transaction is reported by the query that fails; the event would crash us.
  const ignore = (): void => {};
  client.on('error', ignore);
  let broken = false;
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (cause) {
    try {
      await client.query('ROLLBACK');
    } catch {
      broken = true;
    }
    throw mapError(cause);
  } finally {
    client.off('error', ignore);
    client.release(broken);
  }
}
