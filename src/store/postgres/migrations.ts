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
  // 3: a snapshot's bytes in chunks of a few MB (read and written a chunk at a time), its row keeping
  // their total size. Rows of the old layout are split into chunks of 4 MiB; chunks are stored
  // uncompressed (model factors do not compress); the emptied column goes, so its space is reclaimed.
  `
  CREATE TABLE snapshot_chunks (
    name TEXT NOT NULL,
    version BIGINT NOT NULL,
    chunk INTEGER NOT NULL,
    bytes BYTEA NOT NULL,
    PRIMARY KEY (name, version, chunk),
    FOREIGN KEY (name, version) REFERENCES snapshots (name, version) ON DELETE CASCADE
  );
  ALTER TABLE snapshot_chunks ALTER COLUMN bytes SET STORAGE EXTERNAL;
  INSERT INTO snapshot_chunks (name, version, chunk, bytes)
    SELECT s.name, s.version, c.n, substring(s.data FROM c.n * 4194304 + 1 FOR 4194304)
    FROM snapshots s, generate_series(0, (length(s.data) + 4194303) / 4194304 - 1) AS c(n);
  ALTER TABLE snapshots ADD COLUMN size BIGINT NOT NULL DEFAULT 0, ALTER COLUMN data DROP NOT NULL;
  UPDATE snapshots SET size = length(data), data = NULL;
  ALTER TABLE snapshots DROP COLUMN data, ALTER COLUMN size DROP DEFAULT;
  `,
  // 4: a model's item ids as a binary section of its snapshot, not JSON in the meta: its bytes are the
  // chunks after the data's (NULL: none, or an older snapshot holding them in its meta).
  `
  ALTER TABLE snapshots ADD COLUMN item_ids_size BIGINT;
  `,
  // 5: the events counted through a seq, so that a count reads only the log's tail (see \`counts\`). It
  // starts at none: the first count after this reads the whole log once.
  `
  CREATE TABLE events_counted (
    singleton BOOLEAN PRIMARY KEY DEFAULT true CHECK (singleton),
    through_seq BIGINT NOT NULL,
    events BIGINT NOT NULL
  );
  INSERT INTO events_counted (through_seq, events) VALUES (0, 0);
  `,
  // 6: each item and user row carries the transaction that last wrote it, stamped by a trigger (so any
  // writer stamps it), so that nodes can follow every write in commit order (see `readRecordChanges`).
  // Rows written before stay unstamped: a node reads every record as it opens.
  `
  CREATE FUNCTION setlist_stamp_xid() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    NEW.xid := pg_current_xact_id();
    RETURN NEW;
  END
  $$;
  ALTER TABLE items ADD COLUMN xid xid8;
  CREATE INDEX items_xid ON items (xid, id);
  CREATE TRIGGER items_stamp_xid BEFORE INSERT OR UPDATE ON items
    FOR EACH ROW EXECUTE FUNCTION setlist_stamp_xid();
  ALTER TABLE users ADD COLUMN xid xid8;
  CREATE INDEX users_xid ON users (xid, id);
  CREATE TRIGGER users_stamp_xid BEFORE INSERT OR UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION setlist_stamp_xid();
  `,
];

/** What a migration does, by the version it brings a database to, for those slow on a large store. */
export const postgresMigrationNotes: Readonly<Record<number, string>> = {
  3: 'moves model snapshots into chunks: about 2 s per 256 MB snapshot kept',
};
