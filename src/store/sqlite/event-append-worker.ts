// Worker entry for event-append.ts: opens the worker's own connection and serves appends on the port.
import { type MessagePort, parentPort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { configureConnection } from './connection.js';
import { serveAppends } from './event-append.js';
import type { SnapshotTarget } from './snapshot-write.js';

parentPort?.once('message', (message: { target: SnapshotTarget; port: MessagePort }) => {
  const db = new Database(message.target.path);
  configureConnection(db, message.target.synchronous);
  serveAppends(db, message.port);
});
