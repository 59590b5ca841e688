import Database from 'better-sqlite3';
import { startWorker } from '../../start-worker.js';
import type { ModelSnapshot } from '../../types.js';

/** Snapshots at least this large are written by a worker thread on its own connection. */
export const OFF_THREAD_SNAPSHOT_BYTES = 1 << 20;

const INSERT_SNAPSHOT = `INSERT INTO snapshots (name, version, trained_at, meta, data) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT(name, version) DO UPDATE SET trained_at = excluded.trained_at, meta = excluded.meta,
  data = excluded.data`;

/** How a worker reaches the database: the file and the durability of the store that asked. */
export interface SnapshotTarget {
  readonly path: string;
  readonly synchronous: 'FULL' | 'NORMAL';
}

/**
 * Writes one snapshot row in one transaction; the same statement runs on the store's connection
 * and in the writer worker.
 *
 * @example
 * writeSnapshotRow(db, { name: 'labels', version: 1, trainedAt: Date.now(), meta: {}, data: bytes });
 */
export function writeSnapshotRow(db: Database.Database, snapshot: ModelSnapshot): void {
  db.prepare(INSERT_SNAPSHOT).run(
    snapshot.name,
    snapshot.version,
    snapshot.trainedAt,
    JSON.stringify(snapshot.meta),
    Buffer.from(snapshot.data.buffer, snapshot.data.byteOffset, snapshot.data.byteLength),
  );
}

/**
 * Writes a large snapshot from a worker thread on a second connection (WAL lets it write beside the
 * server's reads), so copying hundreds of megabytes into the file and syncing it never blocks the
 * event loop. Data in a SharedArrayBuffer is shared with the worker; other data is copied to it.
 *
 * @example
 * await writeSnapshotOffThread({ path: 'setlist.db', synchronous: 'FULL' }, snapshot);
 */
export function writeSnapshotOffThread(target: SnapshotTarget, snapshot: ModelSnapshot): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = startWorker('snapshot-writer-worker', import.meta.url);
    worker.once('message', (reply: { error?: string; code?: string }) => {
      void worker.terminate();
      if (reply.error === undefined) resolve();
      else
        reject(Object.assign(new Error(reply.error), reply.code === undefined ? {} : { code: reply.code }));
    });
    worker.once('error', reject);
    worker.postMessage({ target, snapshot });
  });
}

/** The worker's side: opens its own connection, writes the row, closes. */
export function writeSnapshotToFile(target: SnapshotTarget, snapshot: ModelSnapshot): void {
  const db = new Database(target.path);
  try {
    db.pragma(`synchronous = ${target.synchronous}`);
    db.pragma('busy_timeout = 5000');
    writeSnapshotRow(db, snapshot);
  } finally {
    db.close();
  }
}
