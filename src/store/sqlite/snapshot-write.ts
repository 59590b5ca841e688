import Database from 'better-sqlite3';
import { startWorker } from '../../start-worker.js';
import type { ModelSnapshot } from '../../types.js';
import { encodeMetaInSlices } from '../snapshot-meta.js';
import { configureConnection } from './connection.js';

/** Snapshots at least this large are written by a worker thread on its own connection. */
export const OFF_THREAD_SNAPSHOT_BYTES = 1 << 20;

const INSERT_SNAPSHOT = `INSERT INTO snapshots (name, version, trained_at, meta, data, item_ids)
  VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT(name, version) DO UPDATE SET trained_at = excluded.trained_at, meta = excluded.meta,
  data = excluded.data, item_ids = excluded.item_ids`;

/** Deletes a name's versions older than its newest `?` (the snapshot just written among them). */
const PRUNE_SNAPSHOTS = `DELETE FROM snapshots WHERE name = ? AND version NOT IN
  (SELECT version FROM snapshots WHERE name = ? ORDER BY version DESC LIMIT ?)`;

/** How a worker reaches the database: the file and the durability of the store that asked. */
export interface SnapshotTarget {
  readonly path: string;
  readonly synchronous: 'FULL' | 'NORMAL';
}

/**
 * Writes one snapshot row and deletes the name's versions older than the newest `kept`, in one
 * transaction; the same statements run on the store's connection and in the writer worker.
 *
 * @example
 * writeSnapshotRow(db, { name: 'labels', version: 1, trainedAt: Date.now(), meta: {}, data: bytes }, 3);
 */
export function writeSnapshotRow(db: Database.Database, snapshot: ModelSnapshot, kept: number): void {
  writeSnapshotJson(db, snapshot, JSON.stringify(snapshot.meta), kept);
}

/** {@link writeSnapshotRow} with the meta already as JSON text. */
function writeSnapshotJson(
  db: Database.Database,
  snapshot: SnapshotRow,
  metaJson: string,
  kept: number,
): void {
  const insert = db.prepare(INSERT_SNAPSHOT);
  const prune = db.prepare(PRUNE_SNAPSHOTS);
  db.transaction(() => {
    insert.run(
      snapshot.name,
      snapshot.version,
      snapshot.trainedAt,
      metaJson,
      bufferOf(snapshot.data),
      snapshot.itemIds === undefined ? null : bufferOf(snapshot.itemIds),
    );
    prune.run(snapshot.name, snapshot.name, kept);
  }).immediate();
}

/** The bytes as a Buffer over the same memory (SQLite binds a Buffer as a BLOB). */
function bufferOf(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Writes a large snapshot from a worker thread on a second connection (WAL lets it write beside the
 * server's reads), so copying hundreds of megabytes into the file and syncing it never blocks the
 * event loop. Data and item ids in a SharedArrayBuffer are shared with the worker; others are copied
 * to it. The meta goes over as JSON bytes in shared memory, encoded in slices ({@link encodeMetaInSlices}),
 * not structured-cloned in one go.
 *
 * @example
 * await writeSnapshotOffThread({ path: 'setlist.db', synchronous: 'FULL' }, snapshot, 3);
 */
export async function writeSnapshotOffThread(
  target: SnapshotTarget,
  snapshot: ModelSnapshot,
  kept: number,
): Promise<void> {
  const metaJson = await encodeMetaInSlices(snapshot.meta);
  const row: SnapshotRow = {
    name: snapshot.name,
    version: snapshot.version,
    trainedAt: snapshot.trainedAt,
    data: snapshot.data,
    ...(snapshot.itemIds === undefined ? {} : { itemIds: snapshot.itemIds }),
  };
  return new Promise((resolve, reject) => {
    const worker = startWorker('snapshot-writer-worker', import.meta.url);
    worker.once('message', (reply: { error?: string; code?: string }) => {
      void worker.terminate();
      if (reply.error === undefined) resolve();
      else
        reject(Object.assign(new Error(reply.error), reply.code === undefined ? {} : { code: reply.code }));
    });
    worker.once('error', reject);
    worker.postMessage({ target, snapshot: row, metaJson, kept } satisfies SnapshotWriteMessage);
  });
}

/** A snapshot but its meta. */
type SnapshotRow = Omit<ModelSnapshot, 'meta'>;

/** What the writer worker is sent: the snapshot without its meta, and the meta as JSON bytes. */
export interface SnapshotWriteMessage {
  readonly target: SnapshotTarget;
  readonly snapshot: SnapshotRow;
  readonly metaJson: Uint8Array;
  /** The newest versions of the snapshot's name kept; older ones are deleted with the write. */
  readonly kept: number;
}

/** The worker's side: opens its own connection, writes the row, closes. */
export function writeSnapshotToFile(message: SnapshotWriteMessage): void {
  const { target, metaJson } = message;
  const db = new Database(target.path);
  try {
    configureConnection(db, target.synchronous);
    const json = Buffer.from(metaJson.buffer, metaJson.byteOffset, metaJson.byteLength).toString('utf8');
    writeSnapshotJson(db, message.snapshot, json, message.kept);
  } finally {
    db.close();
  }
}
