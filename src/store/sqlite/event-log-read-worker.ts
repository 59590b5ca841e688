// Worker entry for event-log-read.ts: opens the worker's own connection and serves reads on the port.
import { type MessagePort, parentPort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { serveReads } from './event-log-read.js';

parentPort?.once('message', (message: { path: string; port: MessagePort }) => {
  // Read-only: this connection never writes, and never checkpoints the WAL the writer fills.
  const db = new Database(message.path, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  serveReads(db, message.port);
});
