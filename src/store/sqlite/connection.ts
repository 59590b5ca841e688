// The settings every connection to a store's file runs with: the store's own, the event-log writer's
// and the snapshot writer's.
import type Database from 'better-sqlite3';

/**
 * WAL frames (pages) after which a commit checkpoints the WAL into the database file; SQLite's
 * default is 1,000. A batch of 1,000 events with random ids dirties about 400 pages of a large log
 * (the id-hash index's leaves), so at the default about every other event-log transaction ran a
 * checkpoint inside its `COMMIT`: two more fsyncs and a copy of 1,000 pages on the path of the
 * requests waiting for it (the commit's p90 about 2.5 times its median at 20M events). 10,000 frames
 * is a WAL of about 40 MB between checkpoints.
 */
export const WAL_CHECKPOINT_PAGES = 10_000;

/** Sets a connection's `synchronous` level, its busy timeout and {@link WAL_CHECKPOINT_PAGES}. */
export function configureConnection(db: Database.Database, synchronous: 'FULL' | 'NORMAL'): void {
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('busy_timeout = 5000');
  db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
}
