import Database from 'better-sqlite3';
import { startWorker } from '../../start-worker.js';
import { TimeSlices } from '../../time-slices.js';
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
  writeSnapshotJson(db, snapshot, JSON.stringify(snapshot.meta));
}

/** {@link writeSnapshotRow} with the meta already as JSON text. */
function writeSnapshotJson(db: Database.Database, snapshot: SnapshotRow, metaJson: string): void {
  db.prepare(INSERT_SNAPSHOT).run(
    snapshot.name,
    snapshot.version,
    snapshot.trainedAt,
    metaJson,
    Buffer.from(snapshot.data.buffer, snapshot.data.byteOffset, snapshot.data.byteLength),
  );
}

/** Elements of a large array stringified between two looks at the clock. */
const ENCODE_CHUNK = 4_096;

/**
 * `JSON.stringify(meta)` as UTF-8 bytes in a SharedArrayBuffer, built in slices of a few
 * milliseconds between yields to the event loop: a meta holding a million item ids takes a few
 * hundred milliseconds to stringify, or to structured-clone to a worker, in one go. Top-level arrays
 * are stringified a chunk at a time; other values whole. Each chunk's text is encoded straight into
 * the one shared buffer, sized first from the texts' lengths: a Buffer per chunk was external memory
 * enough to start a full collection of the server's heap at a million ids, and copying the pieces
 * together a second pass over them.
 *
 * @example
 * const bytes = await encodeMetaInSlices({ itemIds: ['a', 'b'], report: {} });
 */
export async function encodeMetaInSlices(meta: Record<string, unknown>): Promise<Uint8Array> {
  const slices = new TimeSlices();
  // What is written, in order: text, or a top-level array stringified a chunk at a time.
  const parts: (string | unknown[])[] = ['{'];
  // UTF-16 units: the UTF-8 length of ASCII text, and the buffer's first size (it grows for the rest).
  let estimate = 2;
  for (const [key, value] of Object.entries(meta)) {
    const whole = Array.isArray(value) ? '' : JSON.stringify(value);
    // JSON.stringify leaves out a key whose value has no JSON form (undefined, a function).
    if (whole === undefined) continue;
    const head = `${parts.length === 1 ? '' : ','}${JSON.stringify(key)}:${Array.isArray(value) ? '[' : whole}`;
    parts.push(head);
    estimate += head.length;
    if (!Array.isArray(value)) continue;
    parts.push(value, ']');
    for (let i = 0; i < value.length; i++) {
      const element = value[i];
      // Quotes and a comma around a string; anything else is counted short and grows the buffer.
      estimate += typeof element === 'string' ? element.length + 3 : 8;
      if ((i & (ENCODE_CHUNK - 1)) === 0) await slices.pause();
    }
    estimate += 1;
  }
  parts.push('}');
  const out = new SharedBytes(estimate);
  for (const part of parts) {
    if (typeof part === 'string') {
      out.write(part);
      continue;
    }
    for (let start = 0; start < part.length; start += ENCODE_CHUNK) {
      const chunk = JSON.stringify(part.slice(start, start + ENCODE_CHUNK));
      if (start > 0) out.write(',');
      out.write(chunk, 1, chunk.length - 1);
      await slices.pause();
    }
  }
  return out.bytes();
}

/** UTF-8 text appended into a SharedArrayBuffer, grown (copied) only when the estimate was short. */
class SharedBytes {
  private buffer: Uint8Array;
  private length = 0;
  private static readonly encoder = new TextEncoder();

  constructor(capacity: number) {
    this.buffer = new Uint8Array(new SharedArrayBuffer(Math.max(16, capacity)));
  }

  /** Appends `text.slice(from, to)` (whole JSON tokens: never a lone surrogate). */
  write(text: string, from = 0, to = text.length): void {
    let rest = from === 0 && to === text.length ? text : text.slice(from, to);
    for (;;) {
      const { read, written } = SharedBytes.encoder.encodeInto(rest, this.buffer.subarray(this.length));
      this.length += written;
      if (read === rest.length) return;
      rest = rest.slice(read);
      // At most 3 bytes a UTF-16 unit; half again what is written so far, so growth stays rare.
      const grown = new Uint8Array(
        new SharedArrayBuffer(Math.max(this.length + 3 * rest.length, Math.ceil(1.5 * this.buffer.length))),
      );
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
  }

  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}

/**
 * Writes a large snapshot from a worker thread on a second connection (WAL lets it write beside the
 * server's reads), so copying hundreds of megabytes into the file and syncing it never blocks the
 * event loop. Data in a SharedArrayBuffer is shared with the worker; other data is copied to it. The
 * meta goes over as JSON bytes in shared memory, encoded in slices ({@link encodeMetaInSlices}),
 * not structured-cloned in one go.
 *
 * @example
 * await writeSnapshotOffThread({ path: 'setlist.db', synchronous: 'FULL' }, snapshot);
 */
export async function writeSnapshotOffThread(target: SnapshotTarget, snapshot: ModelSnapshot): Promise<void> {
  const metaJson = await encodeMetaInSlices(snapshot.meta);
  const row: SnapshotRow = {
    name: snapshot.name,
    version: snapshot.version,
    trainedAt: snapshot.trainedAt,
    data: snapshot.data,
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
    worker.postMessage({ target, snapshot: row, metaJson } satisfies SnapshotWriteMessage);
  });
}

/** A snapshot but its meta. */
type SnapshotRow = Omit<ModelSnapshot, 'meta'>;

/** What the writer worker is sent: the snapshot without its meta, and the meta as JSON bytes. */
export interface SnapshotWriteMessage {
  readonly target: SnapshotTarget;
  readonly snapshot: SnapshotRow;
  readonly metaJson: Uint8Array;
}

/** The worker's side: opens its own connection, writes the row, closes. */
export function writeSnapshotToFile(message: SnapshotWriteMessage): void {
  const { target, metaJson } = message;
  const db = new Database(target.path);
  try {
    db.pragma(`synchronous = ${target.synchronous}`);
    db.pragma('busy_timeout = 5000');
    const json = Buffer.from(metaJson.buffer, metaJson.byteOffset, metaJson.byteLength).toString('utf8');
    writeSnapshotJson(db, message.snapshot, json);
  } finally {
    db.close();
  }
}
