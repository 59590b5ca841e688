import { EVENT_ID_HASH_SQL } from './event-id-hash.js';

/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many have run. Never edit one
 * that shipped. They may call the SQL function {@link EVENT_ID_HASH_SQL}, which the store registers.
 */
export const sqliteMigrations: readonly string[] = [
  `
  CREATE TABLE items (
    id TEXT PRIMARY KEY,
    creator_id TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    doc TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX items_creator ON items (creator_id);
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    updated_at INTEGER NOT NULL,
    doc TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE,
    user_id TEXT NOT NULL,
    item_id TEXT NOT NULL,
    type TEXT NOT NULL,
    at INTEGER NOT NULL,
    watch_ms REAL,
    watch_ratio REAL,
    received_at INTEGER NOT NULL
  );
  CREATE TABLE audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    reason TEXT NOT NULL
  );
  CREATE INDEX audit_item ON audit (item_id, seq);
  CREATE TABLE snapshots (
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    trained_at INTEGER NOT NULL,
    meta TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (name, version)
  );
  `,
  // 2: the dedupe key is a 48-bit hash of the event id under a non-unique index (a match is confirmed on
  // the full id), not a UNIQUE index of the ids: random ids then dirty far fewer index pages per commit.
  // SQLite cannot drop a UNIQUE constraint, so the log is copied once, in seq order, with its
  // AUTOINCREMENT high-water mark.
  `
  CREATE TABLE events_v2 (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT,
    user_id TEXT NOT NULL,
    item_id TEXT NOT NULL,
    type TEXT NOT NULL,
    at INTEGER NOT NULL,
    watch_ms REAL,
    watch_ratio REAL,
    received_at INTEGER NOT NULL,
    id_hash INTEGER
  );
  INSERT INTO events_v2 (seq, id, user_id, item_id, type, at, watch_ms, watch_ratio, received_at, id_hash)
    SELECT seq, id, user_id, item_id, type, at, watch_ms, watch_ratio, received_at, ${EVENT_ID_HASH_SQL}(id)
    FROM events ORDER BY seq;
  DELETE FROM sqlite_sequence WHERE name = 'events_v2';
  UPDATE sqlite_sequence SET name = 'events_v2' WHERE name = 'events';
  DROP TABLE events;
  ALTER TABLE events_v2 RENAME TO events;
  CREATE INDEX events_id_hash ON events (id_hash) WHERE id_hash IS NOT NULL;
  `,
  // 3: a model's item ids as a binary section of its snapshot, not JSON in the meta (NULL: none, or
  // an older snapshot holding them in its meta).
  `
  ALTER TABLE snapshots ADD COLUMN item_ids BLOB;
  `,
];

/** What a migration does, by the version it brings a database to, for those slow on a large store. */
export const sqliteMigrationNotes: Readonly<Record<number, string>> = {
  2: 'copies the event log once: about 10-15 s per million events',
};
