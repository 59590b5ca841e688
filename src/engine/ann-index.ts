import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HierarchicalNSW } from 'hnswlib-node';
import { startWorker } from './start-worker.js';

type Hnswlib = typeof import('hnswlib-node');
let loaded: Hnswlib | undefined;
// A native CommonJS addon, loaded at first use: small catalogues never need it.
const hnswlib = (): Hnswlib => {
  loaded ??= createRequire(import.meta.url)('hnswlib-node') as Hnswlib;
  return loaded;
};

/**
 * Appends one coordinate √(M² − ‖yᵢ‖²) to every item vector (M the largest norm), so all items
 * have norm M and a query q (with a 0 appended) ranks items by inner product exactly as it ranks
 * them by cosine: maximum inner product search becomes a plain nearest-neighbour search (Bachrach
 * et al., "Speeding Up the Xbox Recommender System Using a Euclidean Transformation for
 * Inner-Product Spaces", RecSys 2014).
 *
 * @example
 * const { vectors, dims } = augmentForInnerProduct(itemFactors, itemCount, 64); // dims === 65
 */
export function augmentForInnerProduct(
  items: Float32Array,
  count: number,
  dims: number,
): { vectors: Float32Array; dims: number } {
  const out = new Float32Array(count * (dims + 1));
  const norms = squaredNorms(items, count, dims);
  let max = 0;
  for (let i = 0; i < count; i++) {
    for (let f = 0; f < dims; f++) out[i * (dims + 1) + f] = items[i * dims + f]!;
    max = Math.max(max, norms[i]!);
  }
  for (let i = 0; i < count; i++) out[i * (dims + 1) + dims] = Math.sqrt(Math.max(0, max - norms[i]!));
  return { vectors: out, dims: dims + 1 };
}

function squaredNorms(items: Float32Array, count: number, dims: number): Float64Array {
  const norms = new Float64Array(count);
  for (let i = 0; i < count; i++) norms[i] = squaredNorm(items.subarray(i * dims, (i + 1) * dims), dims);
  return norms;
}

/** Graph parameters of the HNSW index (Malkov and Yashunin, TPAMI 2020). */
export interface AnnOptions {
  /** Links per node. */
  readonly m: number;
  /** Candidate list size while building. */
  readonly efConstruction: number;
  /** Candidate list size while searching; at least the number of results asked for. */
  readonly efSearch: number;
  readonly seed: number;
}

/**
 * Chosen by bench/ann.ts: recall@100 against exact search on its iALS-like vectors 0.99 at 100k
 * items and 0.950 at 1M with efSearch 300 (0.911 at 200, 0.867 at 150: session 13), so it is not
 * lowered. A trained model's factors are harder: 0.76 at 28k items, 0.015 at 736k (norms spread
 * over orders of magnitude; docs/guides/benchmarks.md, "Session 13").
 */
export const ANN_DEFAULTS: AnnOptions = { m: 16, efConstruction: 100, efSearch: 300, seed: 1 };

/** Approximate maximum-inner-product search over a fixed set of item vectors. */
export interface AnnIndex {
  readonly count: number;
  /** Dimensions of the item vectors (without the added coordinate). */
  readonly dims: number;
  /** About the `k` items with the largest inner product with `query`, best first by the index's scores. */
  search(query: Float32Array, k: number): Int32Array;
  /** {@link AnnIndex.search}'s items with the index's own inner products and how far those may be off. */
  searchScored(query: Float32Array, k: number): AnnResult;
  /** Writes the index to a file (for handing it from a worker thread to the server thread). */
  save(path: string): void;
  /**
   * Frees the index's native memory (about 400 MB at a million items) on a libuv pool thread, at
   * the process's normal priority, not on the calling thread; the index is empty afterwards.
   */
  release(): Promise<void>;
}

/** Items found by the index, best first, with its inner products of them (float32 sums). */
export interface AnnResult {
  readonly items: Int32Array;
  readonly scores: Float32Array;
  /** A bound on |score − exact inner product| for every item (well above the float32 rounding). */
  readonly tolerance: number;
}

/**
 * Builds an HNSW index (hnswlib-node, chosen over usearch by bench/ann.ts) over row-major item
 * vectors, or over the rows a function returns (a model's `itemVector`, read in place). CPU-heavy:
 * call it in a worker thread.
 *
 * @example
 * const ann = buildAnnIndex(itemFactors, itemCount, 64);
 * const items = ann.search(userVector, 100);
 */
export function buildAnnIndex(
  items: Float32Array | ((item: number) => Float32Array),
  count: number,
  dims: number,
  options: AnnOptions = ANN_DEFAULTS,
): AnnIndex {
  const row = typeof items === 'function' ? items : (i: number) => items.subarray(i * dims, (i + 1) * dims);
  // The augmented coordinates are written row by row into one point, not into a copy of every
  // vector (a million 64-factor items would add 260 MB to the building worker's peak).
  const norms = new Float64Array(count);
  let max = 0;
  for (let i = 0; i < count; i++) {
    norms[i] = squaredNorm(row(i), dims);
    max = Math.max(max, norms[i]!);
  }
  const index = new (hnswlib().HierarchicalNSW)('ip', dims + 1);
  index.initIndex(Math.max(1, count), options.m, options.efConstruction, options.seed);
  const point = new Array<number>(dims + 1);
  for (let i = 0; i < count; i++) {
    const v = row(i);
    for (let f = 0; f < dims; f++) point[f] = v[f]!;
    point[dims] = Math.sqrt(Math.max(0, max - norms[i]!));
    index.addPoint(point, i);
  }
  return wrap(index, count, dims, options);
}

function squaredNorm(v: Float32Array, dims: number): number {
  let s = 0;
  for (let f = 0; f < dims; f++) s += v[f]! * v[f]!;
  return s;
}

/**
 * Reads an index written by {@link AnnIndex.save}, off the event loop.
 *
 * @example
 * const ann = await loadAnnIndex(path, itemCount, 64);
 */
export async function loadAnnIndex(
  path: string,
  count: number,
  dims: number,
  options: AnnOptions = ANN_DEFAULTS,
): Promise<AnnIndex> {
  const index = new (hnswlib().HierarchicalNSW)('ip', dims + 1);
  await index.readIndex(path);
  return wrap(index, count, dims, options);
}

/**
 * The index a worker saved at `path` ({@link annHandoffPath}), read once that worker has `stopped`
 * (its own copy of the index, and what it trained with, is freed first, not held beside this one);
 * the file is deleted either way.
 *
 * @example
 * const ann = await loadHandedOffIndex(worker.terminate(), reply.path, count, dims);
 */
export function loadHandedOffIndex(
  stopped: Promise<unknown>,
  path: string,
  count: number,
  dims: number,
  options: AnnOptions = ANN_DEFAULTS,
): Promise<AnnIndex> {
  return stopped
    .then(() => loadAnnIndex(path, count, dims, options))
    .finally(() => void rm(path, { force: true }));
}

function wrap(index: HierarchicalNSW, count: number, dims: number, options: AnnOptions): AnnIndex {
  const query = new Array<number>(dims + 1).fill(0);
  let released = false;
  // Every stored point has the norm of the longest item vector (the added coordinate); it bounds
  // the rounding of the index's float32 sums below.
  const itemNorm = count > 0 ? Math.hypot(...index.getPoint(0)) : 0;
  const empty: AnnResult = { items: new Int32Array(0), scores: new Float32Array(0), tolerance: 0 };
  const searchScored = (q: Float32Array, k: number): AnnResult => {
    const n = released ? 0 : Math.min(k, count);
    if (n <= 0) return empty;
    index.setEf(Math.max(options.efSearch, n));
    let queryNorm = 0;
    for (let f = 0; f < dims; f++) {
      query[f] = q[f]!;
      queryNorm += q[f]! * q[f]!;
    }
    const found = index.searchKnn(query, n);
    const scores = new Float32Array(found.distances.length);
    // hnswlib's inner-product distance is 1 − q·y, rounded to float32.
    for (let r = 0; r < scores.length; r++) scores[r] = 1 - found.distances[r]!;
    // A float32 sum of 65 products is within 65·2⁻²⁴·‖q‖‖y‖ of the exact one, 1 − x within 2⁻²⁴(1 + |x|):
    // 1e-4 is 25 times that, so the index's order is trusted only where the gap is far wider.
    const tolerance = 1e-4 * (Math.sqrt(queryNorm) * itemNorm + 1);
    return { items: Int32Array.from(found.neighbors), scores, tolerance };
  };
  return {
    count,
    dims,
    search: (q, k) => searchScored(q, k).items,
    searchScored,
    save(path) {
      index.writeIndexSync(path);
    },
    async release() {
      if (released) return;
      released = true;
      // hnswlib-node's readIndex deletes the index it replaces inside its AsyncWorker: reading an
      // empty index into this one frees the large one on the libuv pool, never on a lowered thread,
      // whose unmap would hold the process's memory-map lock through its preemptions.
      const path = annHandoffPath();
      try {
        const empty = new (hnswlib().HierarchicalNSW)('ip', dims + 1);
        empty.initIndex(1);
        empty.writeIndexSync(path);
        await index.readIndex(path);
      } finally {
        await rm(path, { force: true });
      }
    },
  };
}

/**
 * Builds the index of a serialised model's item vectors (`modelToBytes`) in a worker thread, for a
 * model that arrives without one (a snapshot loaded at startup or announced by another node), and
 * reads it back off the event loop. Resolves to undefined when the model has no item vectors.
 * `beforeLoad` runs once the index is written and the worker has stopped, before the index is read:
 * work with a large transient of its own (a snapshot write) done there never meets the index in
 * memory.
 *
 * @example
 * const ann = await buildAnnIndexInWorker(snapshot.data);
 */
export function buildAnnIndexInWorker(
  modelBytes: Uint8Array,
  options: AnnOptions = ANN_DEFAULTS,
  beforeLoad: () => Promise<unknown> = async () => {},
): Promise<AnnIndex | undefined> {
  return new Promise((resolve, reject) => {
    const worker = startWorker('ann-build-worker', import.meta.url);
    worker.once('message', (reply: AnnBuildMessage) => {
      const stopped = worker.terminate();
      if (reply.error !== undefined) {
        reject(new Error(reply.error));
        return;
      }
      if (reply.path === undefined) {
        stopped.then(beforeLoad).then(() => resolve(undefined), reject);
        return;
      }
      const ready = stopped.then(beforeLoad);
      loadHandedOffIndex(ready, reply.path, reply.count ?? 0, reply.dims ?? 0, options).then(resolve, reject);
    });
    worker.once('error', reject);
    worker.postMessage({ modelBytes, options });
  });
}

/** What the index-building worker posts back: where it wrote the index, or why it could not. */
export interface AnnBuildMessage {
  path?: string;
  count?: number;
  dims?: number;
  error?: string;
}

/** A fresh temporary path for handing an index from a worker thread to the server thread. */
export function annHandoffPath(): string {
  return join(
    tmpdir(),
    `setlist-ann-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.bin`,
  );
}
