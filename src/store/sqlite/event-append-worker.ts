// Worker entry for event-append.ts: opens the worker's own connection and serves appends on the port.
import { type MessagePort, parentPort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { serveAppends } from './event-append.js';
import type { SnapshotTarget } from './snapshot-write.js';

parentPort?.once('message', (message: { target: SnapshotTarget; port: MessagePort }) => {
  const db = new Database(message.target.path);
  db.pragma(`synchronous = ${message.target.synchronous}`);
  db.pragma('busy_timeout = 5000');
  serveAppends(db, message.port);
});
