// Worker entry for snapshot-write.ts: a thin wrapper around writeSnapshotToFile.
import { parentPort } from 'node:worker_threads';
import { type SnapshotWriteMessage, writeSnapshotToFile } from './snapshot-write.js';

parentPort?.once('message', (message: SnapshotWriteMessage) => {
  try {
    writeSnapshotToFile(message);
    parentPort?.postMessage({});
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    parentPort?.postMessage({
      error: err instanceof Error ? err.message : String(err),
      ...(typeof code === 'string' ? { code } : {}),
    });
  }
});
