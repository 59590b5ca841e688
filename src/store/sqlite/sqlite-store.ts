import { accessSync, constants } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
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
import {
  type AppendResult,
  type MigrationListener,
  type MigrationStep,
  type Page,
  type Store,
  snapshotsKeptOf,
} from '../store.js';
import { configureConnection } from './connection.js';
import {
  type EventAppender,
  eventRow,
  logEvent,
  prepareEventStatements,
  startEventAppender,
} from './event-append.js';
import { registerEventIdHash } from './event-id-hash.js';
import { type EventLogReader, READ_EVENTS, startEventLogReader } from './event-log-read.js';
import { sqliteMigrationNotes, sqliteMigrations } from './migrations.js';
import { claimDatabase } from './owner-lock.js';
import { OFF_THREAD_SNAPSHOT_BYTES, writeSnapshotOffThread, writeSnapshotRow } from './snapshot-write.js';

export interface SqliteStoreOptions {
  /** A file path, or ':memory:'. */
  path: string;
  /**
   * SQLite's `synchronous` setting. `full` (the default) fsyncs the WAL on every commit, so an
   * acknowledged write survives a power loss as well as a crash; `normal` survives a process crash only.
   */
  synchronous?: 'full' | 'normal';
  /** Told of each step that upgrades an existing database's schema, as it starts and once done. */
  onMigration?: MigrationListener;
  /** The newest versions of each snapshot name kept; older ones are deleted as a new one is saved (3). */
  snapshotsKept?: number;
  /**
   * Claim the file for this process (the default): another process opening it the same way is
   * refused with `SETLIST_ERR_STORE_LOCKED` until this store closes (see `claimDatabase`). False
   * opens it beside its owner, for writes SQLite's own locking makes safe and the owner reads
   * afresh (a saved report) or for inspection.
   */
  exclusive?: boolean;
}

/** Reads of the log at least this large go to the reader thread (a replay reads 10,000 at a time). */
const THREAD_READ_MIN = 1_000;

interface EventRow {
  seq: number;
  id: string | null;
  user_id: string;
  item_id: string;
  type: string;
  at: number;
  watch_ms: number | null;
  watch_ratio: number | null;
  received_at: number;
}

interface PendingAppend {
  events: readonly EventRecord[];
  receivedAt: number;
  resolve: (result: AppendResult) => void;
  reject: (cause: unknown) => void;
}

function settle(call: PendingAppend, append: () => AppendResult): void {
  let result: AppendResult;
  try {
    result = append();
  } catch (cause) {
    call.reject(cause);
    return;
  }
  call.resolve(result);
}

/**
 * The embedded store: one SQLite file in WAL mode (better-sqlite3). Calls are synchronous inside and
 * resolve at once, except event appends to a file: a worker thread commits them on its own connection
 * (appends waiting together share one transaction and one fsync, group commit), and each resolves once
 * its events are durable. In memory, appends arriving in the same turn of the event loop commit together.
 *
 * @example
 * const store = createSqliteStore({ path: './setlist.db' });
 * await store.migrate();
 */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  const kept = snapshotsKeptOf(options.snapshotsKept);
  const inMemory = options.path === ':memory:' || options.path === '';
  if (!inMemory) requireWritable(options.path);
  const release = inMemory || options.exclusive === false ? () => {} : claimDatabase(options.path);
  let db: Database.Database;
  try {
    db = new Database(options.path);
    db.pragma('journal_mode = WAL');
    configureConnection(db, options.synchronous === 'normal' ? 'NORMAL' : 'FULL');
  } catch (cause) {
    release();
    throw storeOpenError(cause, options.path);
  }

  const synchronous = options.synchronous === 'normal' ? 'NORMAL' : 'FULL';
  /** Writes the event log of a file on a worker thread, from the first append on. */
  let appender: EventAppender | undefined;
  /**
   * Reads the log of a file on a thread of its own while pages come back full (a replay), each next
   * page read ahead; stopped at the log's end, where reads are a few events. Undefined meanwhile.
   */
  let reader: EventLogReader | undefined;
  let readerFailed = false;
  /**
   * Whether the last read returned as many events as it asked for. The first read is made here: a log
   * shorter than a page (every open of a small store) starts no thread.
   */
  let fullRead = false;
  /** Snapshot writes running on a worker's connection; close waits for them. */
  const pendingWrites = new Set<Promise<void>>();
  let statements: ReturnType<typeof prepare> | undefined;
  const st = (): ReturnType<typeof prepare> => {
    statements ??= prepare(db);
    return statements;
  };
  /**
   * The rows of each table, counted once and then kept by the writes through this store, so that
   * `counts()` (every `/v1/status`, which the dashboard polls) does not scan the log: `count(*)` of 20M
   * events took 260-330 ms on the server thread. Undefined until counted, at the first `counts()`.
   * Events are committed by the writer thread: they are counted only at a call with no append in
   * flight, since an append committed there but not yet answered here would be counted twice.
   */
  const rows: { items?: number; users?: number; events?: number } = {};
  let appendsInFlight = 0;

  /** Writes items (and audit entries) in one transaction; returns how many of the items are new rows. */
  const writeItems = db.transaction((items: readonly ItemRecord[], audit: readonly AuditEntry[]): number => {
    const s = st();
    let added = 0;
    for (const item of items) {
      if (rows.items !== undefined && s.hasItem.get(item.id) === undefined) added++;
      s.upsertItem.run(item.id, item.creatorId ?? null, item.createdAt, item.updatedAt, JSON.stringify(item));
    }
    for (const entry of audit) {
      s.insertAudit.run(entry.itemId, entry.at, entry.actor, entry.action, entry.reason);
    }
    return added;
  });

  /** Writes users in one transaction; returns how many are new rows. */
  const writeUsers = db.transaction((users: readonly UserRecord[]): number => {
    const s = st();
    let added = 0;
    for (const user of users) {
      if (rows.users !== undefined && s.hasUser.get(user.id) === undefined) added++;
      s.upsertUser.run(user.id, user.updatedAt, JSON.stringify(user));
    }
    return added;
  });

  const insertEvents = (events: readonly EventRecord[], receivedAt: number): AppendResult => {
    const s = st();
    const seqs = new Float64Array(events.length);
    const duplicates: number[] = [];
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      const seq = logEvent(s.events, eventRow(e, receivedAt));
      seqs[i] = seq;
      if (seq === 0) duplicates.push(i);
    }
    return { seqs, duplicates };
  };
  const appendEvents = db.transaction(insertEvents).immediate;
  const appendGroup = db.transaction((calls: readonly PendingAppend[]) =>
    calls.map((call) => insertEvents(call.events, call.receivedAt)),
  ).immediate;

  // Group commit: appends that arrive in the same turn of the event loop share one transaction, so
  // one fsync covers them all; each call still resolves only after its events are durable.
  let pending: PendingAppend[] = [];
  const flushAppends = (): void => {
    const calls = pending;
    pending = [];
    if (calls.length === 0) return;
    if (calls.length === 1) {
      settle(calls[0]!, () => appendEvents(calls[0]!.events, calls[0]!.receivedAt));
      return;
    }
    let results: AppendResult[];
    try {
      results = appendGroup(calls);
    } catch {
      // Nothing of the group was written: each call gets its own transaction and its own outcome.
      for (const call of calls) settle(call, () => appendEvents(call.events, call.receivedAt));
      return;
    }
    for (let k = 0; k < calls.length; k++) calls[k]!.resolve(results[k]!);
  };

  const store: Store = {
    kind: 'sqlite',
    async migrate() {
      try {
        migrateSqliteSchema(db, options.onMigration);
      } catch (cause) {
        if (cause instanceof SetlistError) throw cause;
        throw storeOpenError(cause, options.path);
      }
      statements = prepare(db);
    },
    async close() {
      if (pending.length > 0) flushAppends();
      await reader?.close();
      reader = undefined;
      await appender?.close();
      await Promise.allSettled(pendingWrites);
      if (db.open) db.close();
      release();
    },
    async writeItems(items, audit = []) {
      const added = writeItems(items, audit);
      if (rows.items !== undefined) rows.items += added;
    },
    async getItem(id) {
      const row = st().getItem.get(id) as { doc: string } | undefined;
      return row === undefined ? undefined : (JSON.parse(row.doc) as ItemRecord);
    },
    async listItems(page: Page) {
      const rows = st().listItems.all(page.after ?? '', page.limit) as { doc: string }[];
      return rows.map((r) => JSON.parse(r.doc) as ItemRecord);
    },
    async listAudit(itemId: ItemId) {
      const rows = st().listAudit.all(itemId) as {
        item_id: string;
        at: number;
        actor: string;
        action: AuditEntry['action'];
        reason: string;
      }[];
      return rows.map((r) => ({
        itemId: r.item_id as ItemId,
        at: r.at,
        actor: r.actor,
        action: r.action,
        reason: r.reason,
      }));
    },
    async writeUsers(users) {
      const added = writeUsers(users);
      if (rows.users !== undefined) rows.users += added;
    },
    async getUser(id: UserId) {
      const row = st().getUser.get(id) as { doc: string } | undefined;
      return row === undefined ? undefined : (JSON.parse(row.doc) as UserRecord);
    },
    async listUsers(page: Page) {
      const rows = st().listUsers.all(page.after ?? '', page.limit) as { doc: string }[];
      return rows.map((r) => JSON.parse(r.doc) as UserRecord);
    },
    appendEvents(events, receivedAt, onLogged) {
      let appended: Promise<AppendResult>;
      if (!inMemory) {
        appender ??= startEventAppender({ path: options.path, synchronous });
        appended = appender.append(events, receivedAt, onLogged);
      } else {
        appended = new Promise<AppendResult>((resolve, reject) => {
          if (pending.length === 0) setImmediate(flushAppends);
          pending.push({ events, receivedAt, resolve, reject });
        });
      }
      appendsInFlight++;
      // Counted once committed: a failed commit wrote none of them.
      return appended.then(
        (result) => {
          appendsInFlight--;
          if (rows.events !== undefined) rows.events += events.length - result.duplicates.length;
          return result;
        },
        (err: unknown) => {
          appendsInFlight--;
          throw err;
        },
      );
    },
    async readEvents(afterSeq, limit) {
      if (reader === undefined && !inMemory && !readerFailed && limit >= THREAD_READ_MIN && fullRead) {
        reader = startEventLogReader(options.path);
      }
      let events: StoredEvent[] | undefined;
      if (reader !== undefined) {
        const thread = reader;
        events = await thread.read(afterSeq, limit).catch(() => {
          // The same rows are read here instead. A thread that failed is not started again; one that
          // another read (at the log's end) or close retired meanwhile did not fail.
          if (reader === thread) readerFailed = true;
          return undefined;
        });
        if (events === undefined || events.length < limit) {
          if (reader === thread) reader = undefined;
          await thread.close();
        }
      }
      events ??= (st().readEvents.all(afterSeq, limit) as EventRow[]).map(rowToEvent);
      fullRead = events.length === limit;
      return events;
    },
    async saveSnapshot(snapshot: ModelSnapshot) {
      if (snapshot.data.byteLength < OFF_THREAD_SNAPSHOT_BYTES || inMemory) {
        writeSnapshotRow(db, snapshot, kept);
        return;
      }
      const write = writeSnapshotOffThread({ path: options.path, synchronous }, snapshot, kept);
      pendingWrites.add(write);
      try {
        await write;
      } finally {
        pendingWrites.delete(write);
      }
    },
    async loadSnapshot(name) {
      const row = st().loadSnapshot.get(name) as
        | {
            name: string;
            version: number;
            trained_at: number;
            meta: string;
            data: Buffer;
            item_ids: Buffer | null;
          }
        | undefined;
      if (row === undefined) return undefined;
      const ids = row.item_ids;
      return {
        name: row.name,
        version: row.version,
        trainedAt: row.trained_at,
        meta: JSON.parse(row.meta) as Record<string, unknown>,
        data: new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength),
        ...(ids === null ? {} : { itemIds: new Uint8Array(ids.buffer, ids.byteOffset, ids.byteLength) }),
      };
    },
    async counts(): Promise<StoreCounts> {
      const s = st();
      rows.items ??= (s.countItems.get() as { n: number }).n;
      rows.users ??= (s.countUsers.get() as { n: number }).n;
      let events = rows.events;
      if (events === undefined) {
        events = (s.countEvents.get() as { n: number }).n;
        // Kept from here on only with no append in flight (see `rows`).
        if (appendsInFlight === 0) rows.events = events;
      }
      return { items: rows.items, users: rows.users, events };
    },
  };
  return guardCorruption(store, options.path);
}

/** A damaged page can surface on any read, not only at open: report it as the catalogue's error. */
function guardCorruption(store: Store, path: string): Store {
  const guarded = { ...store };
  for (const key of Object.keys(store) as (keyof Store)[]) {
    const value = store[key];
    if (typeof value !== 'function') continue;
    (guarded as Record<string, unknown>)[key] = async (...args: unknown[]) => {
      try {
        return await (value as (...a: unknown[]) => Promise<unknown>).apply(store, args);
      } catch (cause) {
        throw isCorruption(cause) ? storeOpenError(cause, path) : cause;
      }
    };
  }
  return guarded;
}

function isCorruption(cause: unknown): boolean {
  const code = (cause as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT_INDEX';
}

function prepare(db: Database.Database) {
  return {
    upsertItem: db.prepare(
      `INSERT INTO items (id, creator_id, created_at, updated_at, doc) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET creator_id = excluded.creator_id, created_at = excluded.created_at,
       updated_at = excluded.updated_at, doc = excluded.doc`,
    ),
    getItem: db.prepare('SELECT doc FROM items WHERE id = ?'),
    hasItem: db.prepare('SELECT 1 FROM items WHERE id = ?'),
    listItems: db.prepare('SELECT doc FROM items WHERE id > ? ORDER BY id LIMIT ?'),
    insertAudit: db.prepare('INSERT INTO audit (item_id, at, actor, action, reason) VALUES (?, ?, ?, ?, ?)'),
    listAudit: db.prepare(
      'SELECT item_id, at, actor, action, reason FROM audit WHERE item_id = ? ORDER BY seq',
    ),
    upsertUser: db.prepare(
      `INSERT INTO users (id, updated_at, doc) VALUES (?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET updated_at = excluded.updated_at, doc = excluded.doc`,
    ),
    getUser: db.prepare('SELECT doc FROM users WHERE id = ?'),
    hasUser: db.prepare('SELECT 1 FROM users WHERE id = ?'),
    listUsers: db.prepare('SELECT doc FROM users WHERE id > ? ORDER BY id LIMIT ?'),
    events: prepareEventStatements(db),
    readEvents: db.prepare(READ_EVENTS),
    loadSnapshot: db.prepare(
      'SELECT name, version, trained_at, meta, data, item_ids FROM snapshots WHERE name = ? ORDER BY version DESC LIMIT 1',
    ),
    countItems: db.prepare('SELECT count(*) AS n FROM items'),
    countUsers: db.prepare('SELECT count(*) AS n FROM users'),
    countEvents: db.prepare('SELECT count(*) AS n FROM events'),
  };
}

/**
 * Brings `db` to the newest schema, one transaction per migration; `onStep` hears of each step that
 * upgrades an existing database.
 *
 * @internal Not in the published declarations, which must not need `@types/better-sqlite3`.
 */
export function migrateSqliteSchema(db: Database.Database, onStep?: MigrationListener): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = sqliteMigrations.length;
  if (current > latest) {
    throw new SetlistError('SETLIST_ERR_STORE_TOO_NEW', {
      message: `The database has schema version ${current}; this setlist knows up to ${latest}. Upgrade setlist to open it.`,
    });
  }
  registerEventIdHash(db);
  const report = current > 0 ? onStep : undefined;
  for (let v = current; v < latest; v++) {
    const note = sqliteMigrationNotes[v + 1];
    const step: MigrationStep = { version: v + 1, latest, ...(note === undefined ? {} : { note }) };
    report?.(step);
    const started = performance.now();
    db.transaction(() => {
      db.exec(sqliteMigrations[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
    report?.({ ...step, ms: performance.now() - started });
  }
}

function rowToEvent(r: EventRow): StoredEvent {
  const event: StoredEvent = {
    seq: r.seq,
    userId: r.user_id as UserId,
    itemId: r.item_id as ItemId,
    type: r.type as EventType,
    at: r.at,
    receivedAt: r.received_at,
  };
  if (r.id !== null) event.id = r.id;
  if (r.watch_ms !== null) event.watchMs = r.watch_ms;
  if (r.watch_ratio !== null) event.watchRatio = r.watch_ratio;
  return event;
}

/**
 * Refuses a database this process may not write. SQLite opens a file it cannot write read-only
 * without a word, and every write then fails; the WAL, its index and the journal are files beside
 * it, created in its directory.
 */
function requireWritable(path: string): void {
  const targets: [string, string][] = [
    [path, 'the database file'],
    [`${path}-wal`, 'its WAL file'],
    [`${path}-shm`, 'its WAL index file'],
    [dirname(resolve(path)), 'its directory'],
  ];
  for (const [target, what] of targets) {
    try {
      accessSync(target, constants.W_OK);
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      // A file not there yet is created; a missing directory gets its own error at open.
      if (code === 'ENOENT') continue;
      throw new SetlistError('SETLIST_ERR_CONFIG', {
        message: `Cannot write the database at ${path}: ${what}${target === path ? '' : ` (${target})`} is not writable by this process (${code ?? (cause as Error).message}). Give it write access to the file and its directory, or point --db elsewhere.`,
        path: 'db',
        cause,
      });
    }
  }
}

function storeOpenError(cause: unknown, path: string): SetlistError {
  const code = (cause as { code?: string }).code;
  if (/directory does not exist/.test((cause as Error).message)) {
    return new SetlistError('SETLIST_ERR_CONFIG', {
      message: `Cannot open the database at ${path}: its directory does not exist. Create it, or point --db elsewhere.`,
      path: 'db',
      cause,
    });
  }
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new SetlistError('SETLIST_ERR_STORE_CORRUPT', {
      message: `${path} is not a readable setlist database (${code}): restore it from a backup or point --db elsewhere.`,
      cause,
    });
  }
  return new SetlistError('SETLIST_ERR_STORE_CORRUPT', {
    message: `Cannot open the database at ${path}: ${(cause as Error).message}`,
    cause,
  });
}
