/**
 * Postgres schema migrations, applied in order; the `setlist_migrations` table records each one that
 * ran. Never edit one that shipped: append a new one.
 */
export const postgresMigrations: readonly string[] = [
  `
  CREATE TABLE items (
    id TEXT COLLATE "C" PRIMARY KEY,
    creator_id TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    doc TEXT NOT NULL
  );
  CREATE INDEX items_creator ON items (creator_id);
  CREATE TABLE users (
    id TEXT COLLATE "C" PRIMARY KEY,
    updated_at BIGINT NOT NULL,
    doc TEXT NOT NULL
  );
  CREATE TABLE events (
    seq BIGSERIAL PRIMARY KEY,
    id TEXT UNIQUE,
    user_id TEXT NOT NULL,
    item_id TEXT NOT NULL,
    type TEXT NOT NULL,
    at BIGINT NOT NULL,
    watch_ms DOUBLE PRECISION,
    watch_ratio DOUBLE PRECISION,
    received_at BIGINT NOT NULL
  );
  CREATE TABLE audit (
    seq BIGSERIAL PRIMARY KEY,
    item_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    reason TEXT NOT NULL
  );
  CREATE INDEX audit_item ON audit (item_id, seq);
  CREATE TABLE snapshots (
    name TEXT NOT NULL,
    version BIGINT NOT NULL,
    trained_at BIGINT NOT NULL,
    meta TEXT NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (name, version)
  );
  `,
  // 2: what `setlist worker` keeps: cluster-wide item counts, and which events it has applied.
  `
  CREATE TABLE worker_state (
    name TEXT PRIMARY KEY,
    watermark BIGINT NOT NULL
  );
  CREATE TABLE worker_applied (
    name TEXT NOT NULL,
    seq BIGINT NOT NULL,
    PRIMARY KEY (name, seq)
  );
  CREATE TABLE item_stats (
    item_id TEXT COLLATE "C" NOT NULL,
    type TEXT NOT NULL,
    events BIGINT NOT NULL,
    PRIMARY KEY (item_id, type)
  );
  `,
];
