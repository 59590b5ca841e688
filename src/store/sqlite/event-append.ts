import { channel } from 'node:diagnostics_channel';
import { MessageChannel, type MessagePort, receiveMessageOnPort, type Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { startWorker } from '../../start-worker.js';
import type { EventRecord } from '../../types.js';
import type { AppendResult } from '../store.js';
import { eventIdHash } from './event-id-hash.js';
import type { SnapshotTarget } from './snapshot-write.js';

const EVENT_COLUMNS = 'events (id, user_id, item_id, type, at, watch_ms, watch_ratio, received_at, id_hash)';
const EVENT_ROW = '(?, ?, ?, ?, ?, ?, ?, ?, ?)';
const INSERT_EVENT = `INSERT INTO ${EVENT_COLUMNS} VALUES ${EVENT_ROW}`;
const FIND_EVENT_ID = 'SELECT 1 FROM events WHERE id_hash = ? AND id = ? LIMIT 1';

/** The two statements that log an event: see {@link logEvent}. */
export interface EventStatements {
  readonly insert: Database.Statement;
  readonly find: Database.Statement;
}

/** Prepares {@link EventStatements} on a connection whose schema is migrated. */
export function prepareEventStatements(db: Database.Database): EventStatements {
  return { insert: db.prepare(INSERT_EVENT), find: db.prepare(FIND_EVENT_ID).pluck() };
}

/** The first eight columns of {@link INSERT_EVENT} for `e` (the hash, the ninth, is {@link logEvent}'s). */
export function eventRow(e: EventRecord, receivedAt: number): (string | number | null)[] {
  return [
    e.id ?? null,
    e.userId,
    e.itemId,
    e.type,
    e.at,
    e.watchMs ?? null,
    e.watchRatio ?? null,
    receivedAt,
    null,
  ];
}

/**
 * Logs one event unless its id is logged already, and returns its sequence number, 0 for a
 * duplicate. `row` holds the first eight columns of {@link INSERT_EVENT}; the ninth, the id's hash,
 * is set here. Call it in a transaction begun IMMEDIATE, so that no other connection writes between
 * the check and the insert.
 */
export function logEvent(statements: EventStatements, row: (string | number | null)[]): number {
  const id = row[0];
  if (typeof id === 'string') {
    const hash = eventIdHash(id);
    if (statements.find.get(hash, id) !== undefined) return 0;
    row[8] = hash;
  } else row[8] = null;
  return Number(statements.insert.run(row).lastInsertRowid);
}

/**
 * A batch of events as one string and two typed arrays, so handing it to another thread copies three
 * flat buffers instead of cloning an object per event.
 */
export interface PackedEvents {
  readonly receivedAt: number;
  /** Every event's id, userId, itemId and type, concatenated in that order. */
  readonly text: string;
  /** Four per event: the length in `text` of id, userId, itemId and type; −1 for a missing value. */
  readonly lengths: Int32Array<ArrayBuffer>;
  /** Three per event: at, watchMs, watchRatio; NaN for a missing value. */
  readonly numbers: Float64Array<ArrayBuffer>;
}

/**
 * Packs events for {@link insertPacked}; a value that is not a string is packed as missing (SQL NULL).
 *
 * @example
 * const packed = packEvents([{ userId: 'u1', itemId: 'v1', type: 'like', at: 1 }], Date.now());
 */
export function packEvents(events: readonly EventRecord[], receivedAt: number): PackedEvents {
  const lengths = new Int32Array(events.length * 4);
  const numbers = new Float64Array(events.length * 3);
  // One piece per event, joined once: appending every piece to one string makes a rope node per piece.
  const parts: string[] = new Array(events.length);
  for (let k = 0; k < events.length; k++) {
    const e = events[k]!;
    lengths[k * 4] = lengthOf(e.id);
    lengths[k * 4 + 1] = lengthOf(e.userId);
    lengths[k * 4 + 2] = lengthOf(e.itemId);
    lengths[k * 4 + 3] = lengthOf(e.type);
    parts[k] = str(e.id) + str(e.userId) + str(e.itemId) + str(e.type);
    numbers[k * 3] = e.at ?? Number.NaN;
    numbers[k * 3 + 1] = e.watchMs ?? Number.NaN;
    numbers[k * 3 + 2] = e.watchRatio ?? Number.NaN;
  }
  return { receivedAt, text: parts.join(''), lengths, numbers };
}

function lengthOf(value: unknown): number {
  return typeof value === 'string' ? value.length : -1;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Rows per multi-row `INSERT` and id hashes per dedupe lookup of {@link insertPacked}. */
export const PACKED_CHUNK = 256;
const COLUMNS = 9;

/**
 * The statements {@link insertPacked} logs a batch with: a lookup of {@link PACKED_CHUNK} id hashes at
 * once, and multi-row `INSERT`s of {@link PACKED_CHUNK} rows and of each power of two below it (a
 * remainder takes one statement per bit of its count), prepared when first used.
 */
export interface PackedStatements {
  readonly find: Database.Statement;
  readonly inserts: (Database.Statement | undefined)[];
  readonly db: Database.Database;
}

/** Prepares {@link PackedStatements} on a connection whose schema is migrated. */
export function preparePackedStatements(db: Database.Database): PackedStatements {
  const hashes = new Array<string>(PACKED_CHUNK).fill('?').join(', ');
  return { find: db.prepare(`SELECT id FROM events WHERE id_hash IN (${hashes})`).pluck(), inserts: [], db };
}

function insertStatement(statements: PackedStatements, rows: number): Database.Statement {
  let statement = statements.inserts[rows];
  if (statement === undefined) {
    const values = new Array<string>(rows).fill(EVENT_ROW).join(', ');
    // OR FAIL: a failing row leaves the statement's earlier rows to the caller's ROLLBACK, so SQLite
    // keeps no statement journal (a copy of each page the statement changes: 1.7× the inserts' CPU).
    statement = statements.db.prepare(`INSERT OR FAIL INTO ${EVENT_COLUMNS} VALUES ${values}`);
    statements.inserts[rows] = statement;
  }
  return statement;
}

/**
 * Logs a packed batch inside the caller's IMMEDIATE transaction and returns each event's log sequence
 * number, 0 for an event whose id was already logged: the same seqs and rows as {@link logEvent} on
 * each event in turn, with one lookup per {@link PACKED_CHUNK} ids and one `INSERT` per chunk of new
 * rows. The first of two events with the same id in a batch is stored, the later one a duplicate. If
 * it throws, the caller rolls the transaction back: rows before the failing one may be written.
 */
export function insertPacked(statements: PackedStatements, batch: PackedEvents): Float64Array<ArrayBuffer> {
  const { text, lengths, numbers } = batch;
  const count = lengths.length / 4;
  const seqs = new Float64Array(count);
  const rows: (string | number | null)[] = new Array(count * COLUMNS);
  const hashes: number[] = [];
  let offset = 0;
  for (let k = 0; k < count; k++) {
    const row = k * COLUMNS;
    for (let f = 0; f < 4; f++) {
      const length = lengths[k * 4 + f]!;
      if (length < 0) rows[row + f] = null;
      else {
        rows[row + f] = text.slice(offset, offset + length);
        offset += length;
      }
    }
    for (let f = 0; f < 3; f++) {
      const v = numbers[k * 3 + f]!;
      rows[row + 4 + f] = Number.isNaN(v) ? null : v;
    }
    rows[row + 7] = batch.receivedAt;
    const id = rows[row];
    if (typeof id === 'string') {
      const hash = eventIdHash(id);
      rows[row + 8] = hash;
      hashes.push(hash);
    } else rows[row + 8] = null;
  }
  const logged = loggedIds(statements, hashes);

  // The new rows moved to the front, in order; `kept[j]` is the batch index of the j-th.
  const kept = new Int32Array(count);
  const seen = new Set<string>();
  let keptCount = 0;
  for (let k = 0; k < count; k++) {
    const id = rows[k * COLUMNS];
    if (typeof id === 'string') {
      if (logged?.has(id) === true || seen.has(id)) continue;
      seen.add(id);
    }
    if (keptCount !== k) {
      for (let f = 0; f < COLUMNS; f++) rows[keptCount * COLUMNS + f] = rows[k * COLUMNS + f]!;
    }
    kept[keptCount++] = k;
  }

  for (let done = 0; done < keptCount; ) {
    const left = keptCount - done;
    const n = left >= PACKED_CHUNK ? PACKED_CHUNK : 1 << (31 - Math.clz32(left));
    const info = insertStatement(statements, n).run(rows.slice(done * COLUMNS, (done + n) * COLUMNS));
    // One statement's rows take consecutive seqs in VALUES order: each new rowid of an AUTOINCREMENT
    // table is one more than the larger of the table's largest rowid and its sqlite_sequence mark, both
    // the previous row's here, as a statement writes alone (test: after deletes too).
    const first = Number(info.lastInsertRowid) - n + 1;
    for (let j = 0; j < n; j++) seqs[kept[done + j]!] = first + j;
    done += n;
  }
  return seqs;
}

/** The ids already in the log among those whose hashes are given, or undefined if none is. */
function loggedIds(statements: PackedStatements, hashes: readonly number[]): Set<string> | undefined {
  let logged: Set<string> | undefined;
  const args: number[] = new Array(PACKED_CHUNK);
  for (let start = 0; start < hashes.length; start += PACKED_CHUNK) {
    const end = Math.min(hashes.length, start + PACKED_CHUNK);
    // A short last chunk repeats its last hash: a value twice in an IN list matches the same rows.
    for (let j = 0; j < PACKED_CHUNK; j++) args[j] = hashes[Math.min(start + j, end - 1)]!;
    for (const id of statements.find.all(args) as string[]) {
      logged ??= new Set();
      logged.add(id);
    }
  }
  return logged;
}

/**
 * One transaction of the event-log writer, as published on {@link eventLogCommits}: when it began
 * (ms since the epoch, fractional), how many appends and events it logged, and the ms its inserts and
 * its commit (the fsync, and any checkpoint SQLite ran on it) took.
 */
export interface EventLogCommit {
  readonly startedAt: number;
  readonly appends: number;
  readonly events: number;
  readonly insertMs: number;
  readonly commitMs: number;
}

/**
 * The diagnostics channel on which the thread that made the appends hears of each of the writer's
 * transactions (for benchmarks; nothing is published without a subscriber).
 */
export const eventLogCommits = channel('setlist:sqlite:event-log-commit');

/**
 * One append's answers from the worker. An append that asked to hear early gets `logged` (its seqs)
 * once its transaction's inserts are done and only the commit is left, then `durable` once committed;
 * any other gets its seqs once committed. Either may instead get why its transaction failed.
 */
export type AppendReply =
  | { readonly id: number; readonly seqs: Float64Array<ArrayBuffer>; readonly commit?: EventLogCommit }
  | { readonly id: number; readonly logged: Float64Array<ArrayBuffer> }
  | { readonly id: number; readonly durable: true; readonly commit?: EventLogCommit }
  | { readonly id: number; readonly error: string; readonly code?: string };

interface AppendRequest extends PackedEvents {
  readonly id: number;
  /** Whether the appender wants the seqs before the commit (see {@link EventAppender.append}). */
  readonly early: boolean;
}

/**
 * The worker's side: a connection of its own that commits every append waiting in the port's queue
 * in one transaction (group commit: one fsync for all), then answers each. If the group's inserts
 * fail, each append gets a transaction of its own, so one bad batch fails alone and writes nothing.
 * Appends that asked to hear early get their seqs before the `COMMIT`, so the caller can apply them
 * while the commit's fsync runs; a commit that fails after that fails every append of the group.
 */
export function serveAppends(db: Database.Database, port: MessagePort): void {
  const statements = preparePackedStatements(db);
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');
  const now = (): number => performance.timeOrigin + performance.now();
  const fail = (request: AppendRequest, err: unknown): void => {
    const code = (err as { code?: unknown } | null)?.code;
    port.postMessage({
      id: request.id,
      error: err instanceof Error ? err.message : String(err),
      ...(typeof code === 'string' ? { code } : {}),
    } satisfies AppendReply);
  };
  // As better-sqlite3's `transaction().immediate`, with the inserts and the commit timed apart.
  const write = (requests: readonly AppendRequest[]): void => {
    const startedAt = now();
    let seqs: Float64Array<ArrayBuffer>[];
    begin.run();
    try {
      seqs = requests.map((r) => insertPacked(statements, r));
    } catch (err) {
      if (db.inTransaction) rollback.run();
      // Nothing of the group was written: each append gets its own transaction and its own outcome.
      if (requests.length > 1) for (const request of requests) write([request]);
      else fail(requests[0]!, err);
      return;
    }
    const inserted = now();
    let told = false;
    for (let k = 0; k < requests.length; k++) {
      if (!requests[k]!.early) continue;
      port.postMessage({ id: requests[k]!.id, logged: seqs[k]! } satisfies AppendReply, [seqs[k]!.buffer]);
      told = true;
    }
    try {
      commit.run();
    } catch (err) {
      if (db.inTransaction) rollback.run();
      // Seqs already told may have been applied: no append of the group may be written apart now.
      if (requests.length > 1 && !told) for (const request of requests) write([request]);
      else for (const request of requests) fail(request, err);
      return;
    }
    const done: EventLogCommit = {
      startedAt,
      appends: requests.length,
      events: requests.reduce((sum, r) => sum + r.lengths.length / 4, 0),
      insertMs: inserted - startedAt,
      commitMs: now() - inserted,
    };
    for (let k = 0; k < requests.length; k++) {
      const { id, early } = requests[k]!;
      // The transaction's figures travel with its last answer.
      const figures = k === requests.length - 1 ? { commit: done } : {};
      if (early) port.postMessage({ id, durable: true, ...figures } satisfies AppendReply);
      else port.postMessage({ id, seqs: seqs[k]!, ...figures } satisfies AppendReply, [seqs[k]!.buffer]);
    }
  };
  port.on('message', (first: AppendRequest | 'close') => {
    const requests: AppendRequest[] = [];
    let closing = first === 'close';
    if (first !== 'close') requests.push(first);
    for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
      if (m.message === 'close') closing = true;
      else requests.push(m.message as AppendRequest);
    }
    if (requests.length > 0) write(requests);
    if (closing) {
      db.close();
      port.postMessage('closed');
      port.close();
    }
  });
}

/** Appends events from a worker thread; see {@link startEventAppender}. */
export interface EventAppender {
  /**
   * Logs the events; resolves once they are committed. With `onLogged`, calls it first with the same
   * result, as soon as the seqs are known and only the commit is left: if the append then rejects, those
   * seqs were not written (and may be given to later events). Should `onLogged` throw, the append
   * rejects with its error once committed (the events are logged all the same).
   */
  append(
    events: readonly EventRecord[],
    receivedAt: number,
    onLogged?: (result: AppendResult) => void,
  ): Promise<AppendResult>;
  /** Waits for every append already made, then stops the worker. */
  close(): Promise<void>;
}

/**
 * Starts the worker that writes the event log on a connection of its own, so committing (and the
 * fsync that makes an append durable) runs beside the event loop, which meanwhile parses and applies
 * other batches. An append resolves only once its events are committed, and rejects, having written
 * nothing, if its transaction fails.
 *
 * @example
 * const appender = startEventAppender({ path: 'setlist.db', synchronous: 'FULL' });
 * const { seqs } = await appender.append(events, Date.now());
 */
export function startEventAppender(target: SnapshotTarget): EventAppender {
  const { port1, port2 } = new MessageChannel();
  const worker: Worker = startWorker('event-append-worker', import.meta.url);
  worker.postMessage({ target, port: port2 }, [port2]);
  const waiting = new Map<number, PendingAppend>();
  let nextId = 0;
  let failure: Error | undefined;
  let closed: Promise<void> | undefined;

  const failAll = (err: Error): void => {
    failure ??= err;
    for (const call of waiting.values()) call.reject(err);
    waiting.clear();
  };
  const hear = (reply: AppendReply | 'closed'): void => {
    if (reply === 'closed') return;
    const call = waiting.get(reply.id);
    if (call === undefined) return;
    if ('logged' in reply) {
      call.logged = resultOf(reply.logged);
      try {
        call.onLogged?.(call.logged);
      } catch (err) {
        call.listenerError ??= err;
      }
      return;
    }
    waiting.delete(reply.id);
    if ('commit' in reply && reply.commit !== undefined && eventLogCommits.hasSubscribers) {
      eventLogCommits.publish(reply.commit);
    }
    settleAppend(call, reply);
  };
  worker.once('error', failAll);
  worker.once('exit', (code) => {
    // The worker's last answers may still be queued on the port when its exit is heard: the writer
    // closing after committing every append it held exits with its answers not yet read.
    for (let m = receiveMessageOnPort(port1); m !== undefined; m = receiveMessageOnPort(port1)) {
      hear(m.message as AppendReply | 'closed');
    }
    failAll(new Error(`the event-log writer stopped (exit code ${code})`));
  });
  port1.on('message', hear);
  // Idle between appends, the worker must not keep the process alive.
  worker.unref();
  port1.unref();

  return {
    append(events, receivedAt, onLogged) {
      return new Promise<AppendResult>((resolve, reject) => {
        if (failure !== undefined || closed !== undefined) {
          reject(failure ?? new Error('the event-log writer is closed'));
          return;
        }
        const packed = packEvents(events, receivedAt);
        const id = nextId++;
        waiting.set(id, { resolve, reject, onLogged, logged: undefined, listenerError: undefined });
        // While an append waits for its commit, the port keeps the process alive.
        if (waiting.size === 1) port1.ref();
        const request: AppendRequest = {
          id,
          receivedAt,
          text: packed.text,
          lengths: packed.lengths,
          numbers: packed.numbers,
          early: onLogged !== undefined,
        };
        port1.postMessage(request, [packed.lengths.buffer, packed.numbers.buffer]);
      }).finally(() => {
        if (waiting.size === 0 && closed === undefined) port1.unref();
      });
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        if (failure !== undefined) {
          void worker.terminate().then(() => resolve());
          return;
        }
        // Until the worker has exited, it keeps the process alive.
        worker.ref();
        worker.once('exit', () => resolve());
        port1.on('message', (reply: AppendReply | 'closed') => {
          if (reply === 'closed') void worker.terminate();
        });
        port1.postMessage('close');
      });
      return closed;
    },
  };
}

/** An append waiting for the writer's answer. */
interface PendingAppend {
  resolve: (result: AppendResult) => void;
  reject: (cause: unknown) => void;
  onLogged: ((result: AppendResult) => void) | undefined;
  /** The result told early, before the commit; the append resolves with it once durable. */
  logged: AppendResult | undefined;
  /** What `onLogged` threw: the append rejects with it once settled. */
  listenerError: unknown;
}

/** Resolves an append with the writer's seqs and the duplicates among them, or rejects it with its error. */
function settleAppend(call: PendingAppend, reply: AppendReply): void {
  if ('error' in reply) {
    call.reject(Object.assign(new Error(reply.error), reply.code === undefined ? {} : { code: reply.code }));
    return;
  }
  if (call.listenerError !== undefined) {
    call.reject(call.listenerError);
    return;
  }
  if ('durable' in reply) {
    if (call.logged === undefined)
      call.reject(new Error('the event-log writer committed an append it never told'));
    else call.resolve(call.logged);
    return;
  }
  if ('seqs' in reply) call.resolve(resultOf(reply.seqs));
}

/** An append's result from its seqs: the duplicates are the positions logged as 0. */
function resultOf(seqs: Float64Array<ArrayBuffer>): AppendResult {
  const duplicates: number[] = [];
  for (let k = 0; k < seqs.length; k++) if (seqs[k] === 0) duplicates.push(k);
  return { seqs, duplicates };
}
