/** Schema migrations, applied in order; `PRAGMA user_version` records how many have run. Never edit one that shipped. */
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
];
