import type { Worker } from 'node:worker_threads';
import {
  type Cooccurrence,
  type CooccurrenceBuffers,
  type CooccurrenceWriter,
  createCooccurrenceBuffers,
  readCooccurrence,
} from '../core/online-cooccurrence.js';
import { SetlistError } from '../errors.js';
import { startWorker } from '../start-worker.js';

/** Int32s a command buffer starts with: about 1,000 events' new positives with full histories. */
const INITIAL_COMMAND_INTS = 16_384;
/**
 * Batches the thread may be behind before {@link ThreadedCooccurrence.settled} blocks this thread
 * until it catches up: bulk applies (catch-up, other nodes' events) hand batches faster than a busy
 * thread may apply them, and each holds its updates' memory.
 */
const MAX_BEHIND = 16;
/** A blocked hand-off gives up waiting after this long (a thread that died answers nothing). */
const MAX_BLOCK_MS = 10_000;

/** What the server thread sends the co-occurrence thread. */
export type CooccurrenceMessage =
  | {
      kind: 'init';
      buffers: CooccurrenceBuffers;
      /** [0]: the last batch the thread applied, stored (and notified) before it answers. */
      done: Int32Array;
      shrink: number;
      maxNeighbours: number;
      window: number;
    }
  | {
      kind: 'apply';
      /** This batch's number: its rows freed are held until a later message's `acked` passes it. */
      batch: number;
      /** The last batch whose answer the server thread had taken when it sent this. */
      acked: number;
      commands: Int32Array<ArrayBuffer>;
      length: number;
    };

/** The co-occurrence thread's answer to an `apply`: done (with its buffer, for reuse), or the error that stopped it. */
export type CooccurrenceReply = { batch: number; commands?: Int32Array<ArrayBuffer>; error?: string };

/**
 * Applies `commands[0..length)` to `writer` in order: each `item, n, history[0..n)` is one
 * `addUserItem(item, history, n)`. The co-occurrence thread runs this; tests run it inline.
 */
export function applyCooccurrenceCommands(
  writer: CooccurrenceWriter,
  commands: Int32Array,
  length: number,
): void {
  for (let k = 0; k < length; ) {
    const item = commands[k]!;
    const n = commands[k + 1]!;
    if (n < 0 || k + 2 + n > length) throw new RangeError(`co-occurrence command at ${k}: bad length ${n}`);
    writer.addUserItem(item, commands.subarray(k + 2, k + 2 + n), n);
    k += 2 + n;
  }
}

/** A co-occurrence whose updates a worker thread applies; see {@link createThreadedCooccurrence}. */
export interface ThreadedCooccurrence extends Cooccurrence {
  /**
   * Hands the updates recorded since the last call to the thread; resolves once it applied them
   * (and every earlier one), so that reads reflect them. Rejects if the thread failed.
   */
  settled(): Promise<void>;
  /**
   * Starts the thread now rather than at the first update: a server's first ingest (or a node's first
   * batch from the others) then does not wait for the thread's start. Idle, it keeps no process alive.
   */
  start(): void;
  /** Batches handed to the thread and not answered yet. */
  readonly inFlight: number;
  /** Stops the thread; updates not applied yet are dropped. */
  close(): Promise<void>;
}

/**
 * A co-occurrence whose rows a worker thread writes, in shared memory the calling thread reads:
 * `addUserItem` only records the update (its item and the window's history, into a flat Int32Array)
 * and {@link ThreadedCooccurrence.settled} hands the records to the thread, which applies them in
 * order with {@link createCooccurrence}'s code; what reads return once settled is what the
 * synchronous form returns after the same updates. The thread starts at the first update and does
 * not keep the process alive while nothing is in flight.
 *
 * Rows the thread frees or moves while applying a batch stay unused until it receives a message
 * sent after this thread took that batch's answer: reads here are synchronous, so none begun
 * before the answer is still running then.
 *
 * @example
 * const co = createThreadedCooccurrence({ shrink: 10, maxNeighbours: 64, window: 20 });
 * co.addUserItem(1, [0]);
 * await co.settled();
 * co.similarity(0, 1); // 1 / (1 + 10)
 * await co.close();
 */
export function createThreadedCooccurrence(options: {
  shrink: number;
  maxNeighbours: number;
  window: number;
  /** Starts the thread; tests may pass their own. */
  start?: () => Worker;
}): ThreadedCooccurrence {
  const buffers = createCooccurrenceBuffers(true);
  const reader = readCooccurrence(buffers, options);
  const window = options.window;
  let commands = new Int32Array(INITIAL_COMMAND_INTS);
  let used = 0;
  /** Command buffers the thread sent back, reused: no buffer's memory per batch. */
  const spare: Int32Array<ArrayBuffer>[] = [];
  const done = new Int32Array(new SharedArrayBuffer(4));
  let worker: Worker | undefined;
  let failure: SetlistError | undefined;
  let closed = false;
  let sent = 0;
  let acked = 0;
  /** Each batch in flight's settlement, in order. */
  const waiting: { batch: number; resolve: () => void; reject: (error: Error) => void }[] = [];
  let last: Promise<void> = Promise.resolve();

  const fail = (message: string, cause?: unknown): void => {
    failure ??= new SetlistError('SETLIST_ERR_INTERNAL', {
      message: `The co-occurrence thread failed (${message}); accepted events are in the log and are applied again on restart.`,
      ...(cause === undefined ? {} : { cause }),
    });
    for (const w of waiting.splice(0)) w.reject(failure);
    last = Promise.reject(failure);
    last.catch(() => {});
  };

  const start = (): Worker => {
    const w = options.start?.() ?? startWorker('cooccurrence-worker', import.meta.url);
    w.on('message', (reply: CooccurrenceReply) => {
      if (reply.error !== undefined) {
        fail(reply.error);
        return;
      }
      acked = reply.batch;
      if (reply.commands !== undefined && spare.length < MAX_BEHIND) spare.push(reply.commands);
      reader.refresh();
      while (waiting.length > 0 && waiting[0]!.batch <= reply.batch) waiting.shift()!.resolve();
      if (waiting.length === 0) w.unref();
    });
    w.on('error', (error) => fail(error.message, error));
    w.on('exit', (code) => {
      if (!closed) fail(`it exited with code ${code}`);
    });
    const init: CooccurrenceMessage = {
      kind: 'init',
      buffers,
      done,
      shrink: options.shrink,
      maxNeighbours: options.maxNeighbours,
      window,
    };
    w.postMessage(init);
    return w;
  };

  return {
    shrink: reader.shrink,
    maxNeighbours: reader.maxNeighbours,
    similarity: reader.similarity,
    similaritiesTo: reader.similaritiesTo,
    forEachNeighbour: reader.forEachNeighbour,
    touchNeighbours: reader.touchNeighbours,
    count: reader.count,
    get byteLength() {
      return reader.byteLength + commands.byteLength;
    },
    get inFlight() {
      return waiting.length;
    },
    addUserItem(item, history, length = history.length) {
      const from = Math.max(0, length - window);
      const n = length - from;
      if (used + 2 + n > commands.length) {
        const grown = new Int32Array(Math.max(2 * commands.length, used + 2 + n));
        grown.set(commands.subarray(0, used));
        commands = grown;
      }
      commands[used] = item;
      commands[used + 1] = n;
      for (let h = 0; h < n; h++) commands[used + 2 + h] = history[from + h]!;
      used += 2 + n;
    },
    start() {
      if (worker !== undefined || failure !== undefined || closed) return;
      worker = start();
      worker.unref();
    },
    settled() {
      if (failure !== undefined || closed) {
        return Promise.reject(
          failure ??
            new SetlistError('SETLIST_ERR_INTERNAL', { message: 'The co-occurrence thread is closed.' }),
        );
      }
      if (used === 0) return last;
      worker ??= start();
      if (waiting.length === 0) worker.ref();
      const batch = ++sent;
      const message: CooccurrenceMessage = { kind: 'apply', batch, acked, commands, length: used };
      worker.postMessage(message, [commands.buffer]);
      commands = spare.pop() ?? new Int32Array(INITIAL_COMMAND_INTS);
      used = 0;
      if (batch - Atomics.load(done, 0) > MAX_BEHIND) {
        const until = Date.now() + MAX_BLOCK_MS;
        for (
          let d = Atomics.load(done, 0);
          batch - d > MAX_BEHIND && Date.now() < until;
          d = Atomics.load(done, 0)
        ) {
          Atomics.wait(done, 0, d, 100);
        }
      }
      last = new Promise<void>((resolve, reject) => waiting.push({ batch, resolve, reject }));
      return last;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const w of waiting.splice(0)) {
        w.reject(
          new SetlistError('SETLIST_ERR_INTERNAL', { message: 'The co-occurrence thread was closed.' }),
        );
      }
      await worker?.terminate();
    },
  };
}
