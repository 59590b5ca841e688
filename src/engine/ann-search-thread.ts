import type { Worker } from 'node:worker_threads';
import { ANN_DEFAULTS, type AnnOptions, buildAnnFilesInWorker, removeAnnFiles } from './ann-index.js';
import type { SearchInit } from './ann-search-worker.js';
import { startWorker } from './start-worker.js';

/** A search the thread is asked for: a history to fold in, a raw query, or to free the index. */
export type SearchRequest =
  | { kind: 'history'; id: number; items: Int32Array; weights: Float32Array; ask: number }
  | { kind: 'query'; id: number; query: Float32Array; ask: number }
  | { kind: 'release' };

/** The thread's answer to a search: the items found, best first by the index, with their exact scores. */
export interface SearchReply {
  id: number;
  /** The folded-in user vector (history searches whose vector is not zero). */
  user?: Float32Array;
  found: Int32Array;
  exact: Float64Array;
}

/**
 * What a history search found: for the model items and weights it folded in, the user vector (none
 * when it is zero: the model has no taste of theirs to rank by) and the first `ask` items the index
 * found, in the index's order, each with its exact score (the user vector times its factor row).
 */
export interface Retrieval {
  readonly thread: AnnSearchThread;
  readonly items: Int32Array;
  readonly weights: Float32Array;
  readonly ask: number;
  readonly user: Float32Array | undefined;
  readonly found: Int32Array;
  readonly exact: Float64Array;
  /**
   * Ranked as it is even if the user's history has changed since it was found (their events kept
   * arriving while their feed was built, and it was retrieved again and again).
   */
  readonly anyHistory?: boolean;
}

type Pending = (reply: SearchReply | undefined) => void;

/**
 * A model's ANN index held by a worker thread of its own, which folds a history in, searches and
 * scores what it found there: at a million items that is about a third of a feed's CPU, done on the
 * second core while the server thread gathers other feeds' candidates. The model's bytes are shared
 * with it (read in place, held once); the index lives only in the thread. Searches are answered in
 * the order asked. Once the thread has stopped (released, or failed), every search resolves to
 * undefined and {@link alive} is false.
 *
 * @example
 * const thread = await buildAnnSearchThread(fit.bytes);
 * const found = await thread?.retrieve(items, weights, 150);
 */
export class AnnSearchThread {
  readonly count: number;
  readonly dims: number;
  /** The search list the thread's graphs are searched with (as the build tuned it). */
  readonly efSearch: number;
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private stopped = false;
  private released: Promise<void> | undefined;
  private releasing = false;
  /** Whether the worker keeps the process alive: only while a search or the release is awaited. */
  private referenced = true;
  /** Told once if the thread stops without being released (see {@link onFailure}). */
  private failureListeners: (() => void)[] = [];

  private constructor(worker: Worker, count: number, dims: number, efSearch: number) {
    this.worker = worker;
    this.count = count;
    this.dims = dims;
    this.efSearch = efSearch;
    worker.on('message', (reply: SearchReply & { released?: true }) => {
      if (reply.released === true) return;
      const resolve = this.pending.get(reply.id);
      if (resolve === undefined) return;
      this.pending.delete(reply.id);
      this.holdProcess();
      resolve(reply);
    });
    const stop = (): void => this.stop();
    worker.on('error', stop);
    worker.on('exit', stop);
    this.holdProcess();
  }

  /**
   * Starts a thread that reads the index saved at `path` (then deleted) for the model in
   * `modelBytes`; resolves once the thread can search. Give the bytes in shared memory (as training
   * returns them): other bytes are copied to the thread.
   */
  static start(
    modelBytes: Uint8Array,
    path: string,
    count: number,
    dims: number,
    options: AnnOptions = ANN_DEFAULTS,
  ): Promise<AnnSearchThread> {
    const worker = startWorker('ann-search-worker', import.meta.url);
    const ready = new Promise<AnnSearchThread>((resolve, reject) => {
      const failed = (err: unknown): void => {
        void worker.terminate();
        reject(err instanceof Error ? err : new Error(String(err)));
      };
      worker.once('message', (reply: { ready?: true; efSearch?: number; error?: string }) => {
        worker.off('error', failed);
        if (reply.ready !== true) {
          failed(new Error(reply.error ?? 'the ANN search thread did not start'));
          return;
        }
        resolve(new AnnSearchThread(worker, count, dims, reply.efSearch ?? options.efSearch));
      });
      worker.once('error', failed);
    });
    const init: SearchInit = { modelBytes, path, count, dims, options };
    worker.postMessage(init);
    return ready.finally(() => removeAnnFiles(path));
  }

  /** Whether the thread still answers searches. */
  get alive(): boolean {
    return !this.stopped;
  }

  /**
   * Calls `listener` once if the thread stops without {@link release} (it crashed, or its worker
   * was terminated): at once if it has already.
   */
  onFailure(listener: () => void): void {
    if (this.stopped) {
      if (!this.releasing) listener();
      return;
    }
    this.failureListeners.push(listener);
  }

  /**
   * Folds in the history (model items and positive weights), searches for the first `ask` items and
   * scores them exactly; undefined once the thread has stopped.
   */
  async retrieve(items: Int32Array, weights: Float32Array, ask: number): Promise<Retrieval | undefined> {
    const reply = await this.ask({ kind: 'history', id: this.nextId++, items, weights, ask });
    if (reply === undefined) return undefined;
    return { thread: this, items, weights, ask, user: reply.user, found: reply.found, exact: reply.exact };
  }

  /** About the `k` items with the largest inner product with `query`, as `AnnIndex#search` (benchmarks). */
  async search(query: Float32Array, k: number): Promise<Int32Array | undefined> {
    return (await this.ask({ kind: 'query', id: this.nextId++, query, ask: k }))?.found;
  }

  /**
   * Frees the index (on the thread's libuv pool) and stops the thread; searches still waiting
   * resolve to undefined. Safe to call more than once.
   */
  release(): Promise<void> {
    if (this.released !== undefined) return this.released;
    if (this.stopped) {
      this.released = Promise.resolve();
      return this.released;
    }
    this.releasing = true;
    this.holdProcess();
    this.released = new Promise<void>((resolve) => {
      const done = (reply: { released?: true }): void => {
        if (reply.released !== true) return;
        this.worker.off('message', done);
        resolve();
      };
      this.worker.on('message', done);
      this.worker.once('exit', () => resolve());
      this.worker.postMessage({ kind: 'release' } satisfies SearchRequest);
    }).then(async () => {
      this.stop();
      await this.worker.terminate();
    });
    return this.released;
  }

  private ask(request: SearchRequest & { id: number }): Promise<SearchReply | undefined> {
    if (this.stopped) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.pending.set(request.id, resolve);
      this.holdProcess();
      this.worker.postMessage(request);
    });
  }

  /**
   * Keeps the process alive while a search or the release is awaited (a script awaiting a feed must
   * not exit), and not otherwise (an idle server's model must not keep it from stopping).
   */
  private holdProcess(): void {
    const hold = this.pending.size > 0 || (this.releasing && !this.stopped);
    if (hold === this.referenced) return;
    this.referenced = hold;
    if (hold) this.worker.ref();
    else this.worker.unref();
  }

  /** The thread no longer answers: every search still waiting resolves to undefined. */
  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const resolve of waiting) resolve(undefined);
    const listeners = this.releasing ? [] : this.failureListeners;
    this.failureListeners = [];
    for (const listener of listeners) listener();
  }
}

/**
 * Builds the index of a serialised model's item vectors in a worker thread (see
 * `buildAnnIndexInWorker`), then hands it to an {@link AnnSearchThread} instead of the calling
 * thread. `beforeLoad` runs once the index is written and the building worker has stopped, before
 * the search thread reads it. Resolves to undefined when the model has no item vectors.
 */
export function buildAnnSearchThread(
  modelBytes: Uint8Array,
  options: AnnOptions = ANN_DEFAULTS,
  beforeLoad: () => Promise<unknown> = async () => {},
): Promise<AnnSearchThread | undefined> {
  return buildAnnFilesInWorker(modelBytes, options, beforeLoad, (path, count, dims) =>
    AnnSearchThread.start(modelBytes, path, count, dims, options),
  );
}
