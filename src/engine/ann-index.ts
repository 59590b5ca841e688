import { writeFileSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { HierarchicalNSW } from 'hnswlib-node';
import { createRandom } from '../core/random.js';
import { heapOffer, sortByScore } from '../core/top-k.js';
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

/**
 * How the index is built and searched: HNSW graphs (Malkov and Yashunin, TPAMI 2020) over items
 * split by the norm of their vectors, after a head of the longest vectors scored exactly.
 */
export interface AnnOptions {
  /** Links per node. */
  readonly m: number;
  /** Candidate list size while building. */
  readonly efConstruction: number;
  /**
   * Candidate list size while searching; at least the number of results asked for. With
   * `recallTarget` set, the most a build tries: it keeps the shortest list that meets the target.
   */
  readonly efSearch: number;
  /**
   * A build keeps the shortest search list of {@link EF_LADDER} (and `efSearch`) whose mean
   * recall@100 on sampled queries is at least this, and whose 10th percentile is at least
   * {@link TUNE_P10}; 0 keeps `efSearch` untried.
   */
  readonly recallTarget: number;
  readonly seed: number;
  /**
   * The items with the longest vectors, scored exactly in order of norm until no later item can
   * enter the results (‖q‖·‖y‖ bounds q·y): a trained model's best items for most users are there.
   */
  readonly headItems: number;
  /** A graph's longest vector is at most this many times its shortest (`minRangeItems` aside). */
  readonly rangeNormRatio: number;
  /** The fewest items of a graph; a smaller remainder joins the graph before it. */
  readonly minRangeItems: number;
  /** At most this many graphs: the last holds the rest. */
  readonly maxRanges: number;
}

/**
 * Measured in session 13 (docs/guides/benchmarks.md): one graph over every item, made a cosine
 * search by one added coordinate, found 0.015 of a trained model's exact top 100 at 736k items and
 * 0.76 at 28k, because the norms of a model's item vectors span orders of magnitude (the added
 * coordinate puts 99.9% of them within 3% of one point). The head and the graphs by norm range
 * (norm-ranging, Yan et al., NeurIPS 2018) find 0.99 and more there; bench/ann.ts's vectors, whose
 * norms are within a factor of ten, keep their 0.95-0.99. efSearch 300: at 1M items on those vectors
 * 200 gave 0.911. A trained model's vectors need less: at 1M items and 20M events (session 20) every
 * list from 60 to 300 found 0.999-1.000 of 400 users' exact top 100, so each build tunes its list
 * (`recallTarget`) and keeps 300 only where a shorter one falls short.
 */
export const ANN_DEFAULTS: AnnOptions = {
  m: 16,
  efConstruction: 100,
  efSearch: 300,
  recallTarget: 0.98,
  seed: 1,
  headItems: 2_048,
  rangeNormRatio: 16,
  minRangeItems: 32_768,
  maxRanges: 8,
};

/** Approximate maximum-inner-product search over a fixed set of item vectors. */
export interface AnnIndex {
  readonly count: number;
  /** Dimensions of the item vectors. */
  readonly dims: number;
  /** The search list the graphs are searched with (at least the number of results asked for). */
  readonly efSearch: number;
  /** About the `k` items with the largest inner product with `query`, best first by the index's scores. */
  search(query: Float32Array, k: number): Int32Array;
  /** {@link AnnIndex.search}'s items with the index's own inner products and how far those may be off. */
  searchScored(query: Float32Array, k: number): AnnResult;
  /**
   * Writes the index to `path` and the graphs beside it (`path.0`, `path.1`, …), for handing it
   * from a worker thread to the server thread; {@link removeAnnFiles} deletes them.
   */
  save(path: string): void;
  /**
   * Frees the graphs' native memory (about 400 MB at a million items) on a libuv pool thread, at
   * the process's normal priority, not on the calling thread; the index is empty afterwards.
   */
  release(): Promise<void>;
}

/** Items found by the index, best first, with its inner products of them (float32). */
export interface AnnResult {
  readonly items: Int32Array;
  readonly scores: Float32Array;
  /** A bound on |score − exact inner product| for every item (well above the float32 rounding). */
  readonly tolerance: number;
}

/** The longest vectors, longest first: their items, norms and rows side by side. */
interface Head {
  readonly items: Int32Array;
  readonly norms: Float64Array;
  readonly rows: Float32Array;
}

/** One HNSW graph over the items of a range of norms; its points' added coordinate makes them `maxNorm` long. */
interface Graph {
  readonly index: HierarchicalNSW;
  readonly count: number;
  readonly maxNorm: number;
}

/**
 * Builds the index over row-major item vectors, or over the rows a function returns (a model's
 * `itemVector`, read in place). CPU-heavy: call it in a worker thread. The longest
 * `options.headItems` vectors are copied into the head; the rest, longest first, are split into
 * graphs whose norms differ by at most `rangeNormRatio`, each a cosine search by one coordinate
 * √(M² − ‖y‖²) with M its own longest norm (hnswlib-node, chosen over usearch by bench/ann.ts).
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
  const norms = new Float64Array(count);
  for (let i = 0; i < count; i++) norms[i] = Math.sqrt(squaredNorm(row(i), dims));
  const order = Int32Array.from({ length: count }, (_, i) => i).sort(
    (a, b) => norms[b]! - norms[a]! || a - b,
  );
  const headCount = Math.min(count, Math.max(0, options.headItems));
  const head: Head = {
    items: order.slice(0, headCount),
    norms: new Float64Array(headCount),
    rows: new Float32Array(headCount * dims),
  };
  for (let r = 0; r < headCount; r++) {
    head.norms[r] = norms[order[r]!]!;
    head.rows.set(row(order[r]!), r * dims);
  }
  const graphs = normRanges(order, norms, headCount, options).map(([start, end]) => {
    const maxNorm = norms[order[start]!]!;
    const index = new (hnswlib().HierarchicalNSW)('ip', dims + 1);
    index.initIndex(end - start, options.m, options.efConstruction, options.seed);
    // The added coordinate is written row by row into one point, not into a copy of every vector
    // (a million 64-factor items would add 260 MB to the building worker's peak).
    const point = new Array<number>(dims + 1);
    for (let p = start; p < end; p++) {
      const i = order[p]!;
      const v = row(i);
      for (let f = 0; f < dims; f++) point[f] = v[f]!;
      point[dims] = Math.sqrt(Math.max(0, maxNorm * maxNorm - norms[i]! * norms[i]!));
      index.addPoint(point, i);
    }
    return { index, count: end - start, maxNorm };
  });
  const efSearch =
    graphs.length === 0 || options.recallTarget <= 0
      ? options.efSearch
      : tuneEfSearch(row, count, dims, options, (ef) => wrap(head, graphs, count, dims, ef));
  return wrap(head, graphs, count, dims, efSearch);
}

/** Search lists a build tries below `efSearch`, shortest first (a search never uses fewer than it asks for). */
export const EF_LADDER: readonly number[] = [100, 150, 200];
/** The 10th percentile of the sampled queries' recall@100 a shorter search list must also reach. */
export const TUNE_P10 = 0.95;
/** Sampled queries, results each is judged on, and items summed into each. */
const TUNE_QUERIES = 32;
const TUNE_K = 100;
const TUNE_HISTORY = 10;

/**
 * The shortest search list of {@link EF_LADDER} that meets `options.recallTarget` on sampled queries
 * against an exact scan, else `options.efSearch`. A query stands for a user: the sum of the vectors
 * of the items the index (at the longest list) finds for a random item's vector, as a user's history
 * is items that go together. At a million items and 20M events of `npm run bench`'s platform, such
 * queries gave recall@100 within 0.001 of real users' folded-in vectors at every list from 60 to 300.
 */
function tuneEfSearch(
  row: (item: number) => Float32Array,
  count: number,
  dims: number,
  options: AnnOptions,
  indexWith: (efSearch: number) => AnnIndex,
): number {
  const ladder = EF_LADDER.filter((ef) => ef < options.efSearch);
  if (ladder.length === 0) return options.efSearch;
  const longest = indexWith(options.efSearch);
  const random = createRandom(options.seed + 1);
  const queries: Float32Array[] = [];
  for (let q = 0; q < TUNE_QUERIES; q++) {
    const query = new Float32Array(dims);
    for (const item of longest.search(row(random.int(count)), TUNE_HISTORY)) {
      const v = row(item);
      for (let f = 0; f < dims; f++) query[f]! += v[f]!;
    }
    queries.push(query);
  }
  // The exact top k of every query in one pass over the items.
  const k = Math.min(TUNE_K, count);
  const heaps = queries.map(() => new ResultHeap(k));
  for (const heap of heaps) heap.reset(k);
  const query64 = queries.map((q) => Float64Array.from(q));
  for (let i = 0; i < count; i++) {
    const v = row(i);
    for (let q = 0; q < queries.length; q++) heaps[q]!.offer(rowDot(v, 0, query64[q]!, dims), i);
  }
  const exact = heaps.map((heap) => new Set(heap.sorted().items));
  for (const ef of ladder) {
    const index = indexWith(ef);
    const recalls = Float64Array.from(queries, (query, q) => {
      let hits = 0;
      for (const item of index.search(query, k)) if (exact[q]!.has(item)) hits++;
      return hits / k;
    }).sort();
    const mean = recalls.reduce((sum, r) => sum + r, 0) / recalls.length;
    if (mean >= options.recallTarget && recalls[Math.floor(recalls.length / 10)]! >= TUNE_P10) return ef;
  }
  return options.efSearch;
}

/** Positions `[start, end)` in `order` (longest first) of each graph after the head's `from` items. */
export function normRanges(
  order: Int32Array,
  norms: Float64Array,
  from: number,
  options: Pick<AnnOptions, 'rangeNormRatio' | 'minRangeItems' | 'maxRanges'>,
): [number, number][] {
  const ranges: [number, number][] = [];
  const count = order.length;
  const least = Math.max(1, options.minRangeItems);
  for (let start = from; start < count; ) {
    let end = count;
    if (ranges.length < options.maxRanges - 1) {
      const floor = norms[order[start]!]! / options.rangeNormRatio;
      end = Math.min(count, start + least);
      while (end < count && norms[order[end]!]! >= floor) end++;
      if (count - end < least) end = count;
    }
    ranges.push([start, end]);
    start = end;
  }
  return ranges;
}

function squaredNorm(v: Float32Array, dims: number): number {
  let s = 0;
  for (let f = 0; f < dims; f++) s += v[f]! * v[f]!;
  return s;
}

const MAGIC = 0x4e_41_4c_53; // "SLAN"

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
  const bytes = await readFile(path);
  const header = new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + 24));
  const [magic, savedCount, savedDims, headCount, graphCount, savedEf] = header as unknown as number[];
  if (magic !== MAGIC || savedCount !== count || savedDims !== dims) {
    throw new Error(`${path} is not an index of ${count} items of ${dims} dimensions`);
  }
  let at = 24;
  const take = <T>(make: (b: ArrayBuffer) => T, bytesLong: number): T => {
    const part = make(bytes.buffer.slice(bytes.byteOffset + at, bytes.byteOffset + at + bytesLong));
    at += bytesLong;
    return part;
  };
  const maxNorms = take((b) => new Float64Array(b), graphCount! * 8);
  const counts = take((b) => new Int32Array(b), graphCount! * 4);
  at += (8 - (at % 8)) % 8;
  const head: Head = {
    norms: take((b) => new Float64Array(b), headCount! * 8),
    items: take((b) => new Int32Array(b), headCount! * 4),
    rows: take((b) => new Float32Array(b), headCount! * dims * 4),
  };
  const graphs: Graph[] = [];
  for (let g = 0; g < graphCount!; g++) {
    const index = new (hnswlib().HierarchicalNSW)('ip', dims + 1);
    await index.readIndex(`${path}.${g}`);
    graphs.push({ index, count: counts[g]!, maxNorm: maxNorms[g]! });
  }
  // The search list the index was built with (0 in files saved before it was kept); `options` can only shorten it.
  const efSearch = savedEf! > 0 ? Math.min(savedEf!, options.efSearch) : options.efSearch;
  return wrap(head, graphs, count, dims, efSearch);
}

/** Deletes an index's files written by {@link AnnIndex.save} at `path`. */
export async function removeAnnFiles(path: string): Promise<void> {
  const dir = dirname(path);
  const name = basename(path);
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    names
      .filter((n) => n === name || (n.startsWith(`${name}.`) && /^\d+$/.test(n.slice(name.length + 1))))
      .map((n) => rm(join(dir, n), { force: true })),
  );
}

function wrap(head: Head, graphs: Graph[], count: number, dims: number, efSearch: number): AnnIndex {
  const query = new Array<number>(dims + 1).fill(0);
  const headQuery = new Float64Array(dims);
  const headCount = head.items.length;
  const longest = headCount > 0 ? head.norms[0]! : (graphs[0]?.maxNorm ?? 0);
  let released = false;
  let heap = new ResultHeap(0);
  const empty: AnnResult = { items: new Int32Array(0), scores: new Float32Array(0), tolerance: 0 };
  const searchScored = (q: Float32Array, k: number): AnnResult => {
    const n = released ? 0 : Math.min(k, count);
    if (n <= 0) return empty;
    if (heap.capacity < n) heap = new ResultHeap(n);
    heap.reset(n);
    let queryNorm = 0;
    for (let f = 0; f < dims; f++) {
      query[f] = q[f]!;
      headQuery[f] = q[f]!;
      queryNorm += q[f]! * q[f]!;
    }
    queryNorm = Math.sqrt(queryNorm);
    // The head, longest first: once n items are held, no item shorter than least ÷ ‖q‖ can enter.
    const { rows, norms, items } = head;
    for (let r = 0; r < headCount; r++) {
      if (heap.full() && norms[r]! * queryNorm <= heap.least()) break;
      heap.offer(rowDot(rows, r * dims, headQuery, dims), items[r]!);
    }
    for (const graph of graphs) {
      if (heap.full() && graph.maxNorm * queryNorm <= heap.least()) break;
      const ask = Math.min(n, graph.count);
      graph.index.setEf(Math.max(efSearch, ask));
      const found = graph.index.searchKnn(query, ask);
      // hnswlib's inner-product distance is 1 − q·y (the query's added coordinate is 0).
      for (let r = 0; r < found.neighbors.length; r++)
        heap.offer(1 - found.distances[r]!, found.neighbors[r]!);
    }
    // A float32 sum of 65 products is within 65·2⁻²⁴·‖q‖‖y‖ of the exact one, 1 − x within 2⁻²⁴(1 + |x|),
    // and a float64 score stored as float32 within 2⁻²⁴|x|: 1e-4 is far above all three.
    return { ...heap.sorted(), tolerance: 1e-4 * (queryNorm * longest + 1) };
  };
  return {
    count,
    dims,
    efSearch,
    search: (q, k) => searchScored(q, k).items,
    searchScored,
    save(path) {
      const header = Int32Array.of(MAGIC, count, dims, headCount, graphs.length, efSearch);
      const maxNorms = Float64Array.from(graphs, (g) => g.maxNorm);
      const counts = Int32Array.from(graphs, (g) => g.count);
      const pad = new Uint8Array((8 - ((24 + graphs.length * 12) % 8)) % 8);
      const parts = [header, maxNorms, counts, pad, head.norms, head.items, head.rows];
      writeFileSync(
        path,
        Buffer.concat(parts.map((p) => new Uint8Array(p.buffer, p.byteOffset, p.byteLength))),
      );
      for (let g = 0; g < graphs.length; g++) graphs[g]!.index.writeIndexSync(`${path}.${g}`);
    },
    async release() {
      if (released) return;
      released = true;
      // hnswlib-node's readIndex deletes the index it replaces inside its AsyncWorker: reading an
      // empty index into each graph frees the large one on the libuv pool, never on a lowered
      // thread, whose unmap would hold the process's memory-map lock through its preemptions.
      const path = annHandoffPath();
      try {
        const emptyGraph = new (hnswlib().HierarchicalNSW)('ip', dims + 1);
        emptyGraph.initIndex(1);
        emptyGraph.writeIndexSync(path);
        for (const graph of graphs) await graph.index.readIndex(path);
      } finally {
        await rm(path, { force: true });
      }
    },
  };
}

/**
 * `rows[o..o+dims)` · `q`, summed in index order as a plain loop sums it (the same float64 score);
 * unrolled by 8 with the query in float64, 0.6 of the plain loop's time (more sums would round otherwise).
 */
/**
 * The exact score serving ranks a retrieved item by: its factor row times the user vector, summed in
 * float64 in factor order (the same sum on the server thread and on a search thread).
 */
export function exactScore(row: Float32Array, user: Float32Array): number {
  let s = 0;
  for (let f = 0; f < row.length; f++) s += row[f]! * user[f]!;
  return s;
}

/** Whether every element of `v` is 0 (stops at the first that is not). */
export function isZeroVector(v: Float32Array): boolean {
  for (let f = 0; f < v.length; f++) if (v[f] !== 0) return false;
  return true;
}

function rowDot(rows: Float32Array, o: number, q: Float64Array, dims: number): number {
  let s = 0;
  let f = 0;
  for (const end = dims - (dims % 8); f < end; f += 8) {
    const p = o + f;
    s += rows[p]! * q[f]!;
    s += rows[p + 1]! * q[f + 1]!;
    s += rows[p + 2]! * q[f + 2]!;
    s += rows[p + 3]! * q[f + 3]!;
    s += rows[p + 4]! * q[f + 4]!;
    s += rows[p + 5]! * q[f + 5]!;
    s += rows[p + 6]! * q[f + 6]!;
    s += rows[p + 7]! * q[f + 7]!;
  }
  for (; f < dims; f++) s += rows[o + f]! * q[f]!;
  return s;
}

/** The best `n` (score, item) pairs offered: a binary min-heap on the score (`heapOffer`). */
class ResultHeap {
  private readonly scores: Float64Array;
  private readonly items: Int32Array;
  private readonly order: Int32Array;
  private readonly scratch: Int32Array;
  private size = 0;
  private n = 0;

  constructor(readonly capacity: number) {
    this.scores = new Float64Array(capacity);
    this.items = new Int32Array(capacity);
    this.order = new Int32Array(capacity);
    this.scratch = new Int32Array(capacity);
  }

  reset(n: number): void {
    this.size = 0;
    this.n = n;
  }

  full(): boolean {
    return this.size === this.n;
  }

  /** The lowest score held. */
  least(): number {
    return this.scores[0]!;
  }

  offer(score: number, item: number): void {
    if (this.size === this.n && score <= this.scores[0]!) return;
    this.size = heapOffer(this.items, this.scores, this.size, this.n, item, score);
  }

  /** The pairs held, best first (ties by item). */
  sorted(): { items: Int32Array; scores: Float32Array } {
    const { order, size } = this;
    for (let r = 0; r < size; r++) order[r] = r;
    sortByScore(order, size, this.scores, this.items, this.scratch);
    return {
      items: Int32Array.from(order.subarray(0, size), (r) => this.items[r]!),
      scores: Float32Array.from(order.subarray(0, size), (r) => this.scores[r]!),
    };
  }
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
  return buildAnnFilesInWorker(modelBytes, options, beforeLoad, (path, count, dims) =>
    loadAnnIndex(path, count, dims, options).finally(() => removeAnnFiles(path)),
  );
}

/**
 * {@link buildAnnIndexInWorker} with the reading of the saved index left to `load` (given the files'
 * path, the item count and the dimensions; it deletes the files once read), which runs once the
 * building worker has stopped and `beforeLoad` has run.
 */
export function buildAnnFilesInWorker<T>(
  modelBytes: Uint8Array,
  options: AnnOptions,
  beforeLoad: () => Promise<unknown>,
  load: (path: string, count: number, dims: number) => Promise<T>,
): Promise<T | undefined> {
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
      const { path } = reply;
      stopped
        .then(beforeLoad)
        .then(
          () => load(path, reply.count ?? 0, reply.dims ?? 0),
          async (err: unknown) => {
            await removeAnnFiles(path);
            throw err;
          },
        )
        .then(resolve, reject);
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
