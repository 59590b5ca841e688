import { type Csr, csrArray } from '../core/csr.js';
import { EASE_DEFAULT_MAX_ITEMS } from '../core/ease.js';
import { Growable } from '../core/growable.js';
import { IALS_DEFAULTS, type IalsParams } from '../core/ials.js';
import type { Model, TransferableModel } from '../core/model.js';
import { modelFromBytes, modelFromTransferable, transferList } from '../core/model-codec.js';
import { topK } from '../core/top-k.js';
import { type PipelineOptions, runPipeline } from '../eval/pipeline.js';
import { TimeSlices } from '../time-slices.js';
import {
  ANN_DEFAULTS,
  type AnnIndex,
  type AnnOptions,
  buildAnnIndex,
  exactScore,
  isZeroVector,
} from './ann-index.js';
import { AnnSearchThread, buildAnnSearchThread, type Retrieval } from './ann-search-thread.js';
import { fitIalsParallel } from './ials-parallel.js';
import type { OnlineState } from './online-state.js';
import { startWorker } from './start-worker.js';

/** What a training run reports: the blend's weights and its quality on the validation split. */
export interface TrainReport {
  users: number;
  items: number;
  pairs: number;
  weights: Record<string, number>;
  /** Absent `popularityPercentile`: no validation split (large catalogues), every metric 0. */
  validation: { ndcg10: number; recall20: number; users: number; popularityPercentile?: number };
  members: { kind: string; params: Record<string, number>; ndcg10: number }[];
  trainMs: number;
  /** Large catalogues: wall time of each iALS epoch and of the ANN index build. */
  epochMs?: number[];
  /** Large catalogues: CPU time of each iALS epoch, all threads of the process. */
  epochCpuMs?: number[];
  annBuildMs?: number;
}

/** The user×item matrix of positive signal, in compact indices, with the map back to engine items. */
export interface TrainingMatrix {
  data: Csr;
  /** Model item index -> engine item index. */
  items: Int32Array;
}

/** Elements a slice fills before looking at the clock. */
const FILL_CHUNK = 1 << 18;

/**
 * Builds the training matrix from the online state: every user's items with positive weight. Works
 * in slices of a few milliseconds between yields to the event loop, so requests keep flowing on a
 * large state (users' histories are skewed: a slice of a fixed number of users can take 100 ms).
 * The arrays are allocated once, at a bound counted first, and written in those slices: copying or
 * filling tens of millions of elements at the end would hold the loop for seconds where first
 * touching fresh memory is slow. They are SharedArrayBuffers, which V8 does not count as this
 * thread's external memory: plain ones (transferred to the worker, so that this thread held none of
 * the matrix through the hand-off) pushed it past its limit, and the full collection that followed
 * stalled the loop for 368 ms at 1M users and 20M events as training started.
 */
export async function trainingMatrix(state: OnlineState): Promise<TrainingMatrix> {
  const slices = new TimeSlices();
  // Filled in slices too: at a million items its 4 MB are about a thousand fresh pages, each a fault
  // on first touch, which the same turn as the caller's other work made a stall as training started.
  const compact = new Int32Array(state.itemCount);
  for (let start = 0; start < compact.length; start += FILL_CHUNK) {
    compact.fill(-1, start, Math.min(compact.length, start + FILL_CHUNK));
    await slices.pause();
  }
  const items = new Growable(Int32Array);
  const indptr = new Growable(Int32Array);
  let bound = 0;
  for (let u = 0; u < state.userStates.length; u++) {
    bound += state.userStates.itemCount(u);
    if ((u & 4095) === 0) await slices.pause();
  }
  // In SharedArrayBuffers: the training threads read the matrix where it is, with no copy per thread.
  let indices = csrArray(Int32Array, bound, true);
  indptr.set(0, 0);
  let nnz = 0;
  let userRows = 0;
  let cols = 0;
  // By index, not `for (const user of state.userStates)`: a view per user was two objects each, a
  // million users' worth of garbage on the server thread as training starts.
  const users = state.userStates;
  for (let u = 0; u < users.length; u++) {
    if ((u & 255) === 0) await slices.pause();
    const size = users.itemCount(u);
    if (size === 0) continue;
    const rowStart = nnz;
    // Events applied during a yield may have grown the tables past the bound.
    if (nnz + size > indices.length) {
      const grown = csrArray(Int32Array, Math.ceil(1.25 * (nnz + size)), true);
      grown.set(indices.subarray(0, nnz));
      indices = grown;
    }
    for (let e = 0; e < size; e++) {
      const item = users.item(u, e);
      if (users.weight(u, e) <= 0 || item >= compact.length) continue;
      let c = compact[item]!;
      if (c < 0) {
        c = cols++;
        compact[item] = c;
        items.set(c, item);
      }
      indices[nnz++] = c;
    }
    if (nnz === rowStart) continue;
    indices.subarray(rowStart, nnz).sort();
    indptr.set(++userRows, nnz);
  }
  const values = csrArray(Float32Array, nnz, true);
  for (let start = 0; start < nnz; start += FILL_CHUNK) {
    values.fill(1, start, Math.min(nnz, start + FILL_CHUNK));
    await slices.pause();
  }
  const data: Csr = {
    rows: userRows,
    cols,
    indptr: sharedCopy(indptr.data.subarray(0, userRows + 1)),
    indices: indices.subarray(0, nnz),
    values,
  };
  return { data, items: items.data.slice(0, cols) };
}

/**
 * Engine item -> model item (-1: not in the model) for `engineItems` (model item -> engine item),
 * written in slices between yields: at a million items, allocating and filling it in one go while
 * installing a model held the loop for tens of milliseconds.
 */
export async function engineToModel(engineItems: Int32Array): Promise<Int32Array> {
  const out = new Int32Array(inverseLength(engineItems));
  const slices = new TimeSlices();
  for (let start = 0; start < out.length; start += FILL_CHUNK) {
    out.fill(-1, start, Math.min(out.length, start + FILL_CHUNK));
    await slices.pause();
  }
  return placeInverse(engineItems, out);
}

/** Bytes a slice copies before looking at the clock. */
const COPY_CHUNK = 1 << 23;

/**
 * `bytes` in shared memory, which a worker thread reads in place: as they are if they already are,
 * else copied in slices between yields (a model's 260 MB at a million items in one go held the loop).
 */
export async function sharedBytes(bytes: Uint8Array): Promise<Uint8Array> {
  if (bytes.buffer instanceof SharedArrayBuffer) return bytes;
  const shared = new Uint8Array(new SharedArrayBuffer(bytes.byteLength));
  const slices = new TimeSlices();
  for (let start = 0; start < bytes.byteLength; start += COPY_CHUNK) {
    shared.set(bytes.subarray(start, Math.min(bytes.byteLength, start + COPY_CHUNK)), start);
    await slices.pause();
  }
  return shared;
}

function inverseOf(engineItems: Int32Array): Int32Array {
  return placeInverse(engineItems, new Int32Array(inverseLength(engineItems)).fill(-1));
}

function inverseLength(engineItems: Int32Array): number {
  let length = 0;
  for (let m = 0; m < engineItems.length; m++) length = Math.max(length, engineItems[m]! + 1);
  return length;
}

function placeInverse(engineItems: Int32Array, out: Int32Array): Int32Array {
  for (let m = 0; m < engineItems.length; m++) out[engineItems[m]!] = m;
  return out;
}

function sharedCopy(a: Int32Array): Int32Array {
  const copy = csrArray(Int32Array, a.length, true);
  copy.set(a);
  return copy;
}

/**
 * Above this many items the serving model is iALS alone, served through an ANN index, instead of
 * the tuned blend (EASE over its {@link EASE_DEFAULT_MAX_ITEMS} most interacted-with items,
 * item-kNN, RP3β, iALS, popularity).
 */
export const LARGE_CATALOGUE_ITEMS = 20_000;

/** iALS for large catalogues: fixed parameters (no grid search at that size), few CG steps. */
export const LARGE_CATALOGUE_IALS: IalsParams = { ...IALS_DEFAULTS, factors: 64, epochs: 6, cgSteps: 2 };

export interface ServingFitOptions extends Partial<PipelineOptions> {
  /** Overrides of {@link LARGE_CATALOGUE_IALS}, for large catalogues. */
  readonly ials?: Partial<IalsParams>;
  /** Catalogues above this many items train iALS alone behind an index (default {@link LARGE_CATALOGUE_ITEMS}). */
  readonly largeCatalogueItems?: number;
  /** Large catalogues: build the ANN index with the model (default); false leaves it to the caller. */
  readonly annIndex?: boolean;
  /** Large catalogues: lower iALS's worker threads' CPU priority (see `ParallelIalsOptions`). */
  readonly lowerPriority?: boolean;
}

/** Whether {@link fitServingModel} fits `data` as a large catalogue: iALS on threads of its own. */
export function isLargeCatalogue(data: Csr, options: ServingFitOptions = {}): boolean {
  return data.cols > (options.largeCatalogueItems ?? LARGE_CATALOGUE_ITEMS);
}

/** What a serving fit returns; `ann` is present for large catalogues. */
export interface ServingFit {
  model: Model;
  report: Omit<TrainReport, 'trainMs'>;
  ann?: AnnIndex;
  /** A large catalogue's model fitted with `annIndex: false`: its index is still to be built. */
  annDeferred?: boolean;
  /** A large catalogue's model as snapshot bytes (shared memory), fitted in place: the model reads them. */
  bytes?: Uint8Array;
}

/**
 * Fits the serving model; pure CPU work, for a worker. Small catalogues: tunes on a validation split
 * carved from `data` and fits the blend. Large ones: iALS on worker threads and an ANN index.
 */
export async function fitServingModel(data: Csr, options: ServingFitOptions = {}): Promise<ServingFit> {
  if (isLargeCatalogue(data, options)) {
    return fitLargeServingModel(data, options);
  }
  const empty: Csr = {
    rows: data.rows,
    cols: data.cols,
    indptr: new Int32Array(data.rows + 1),
    indices: new Int32Array(0),
    values: new Float32Array(0),
  };
  const { report, model } = await runPipeline(data, empty, options);
  return {
    model,
    report: {
      users: data.rows,
      items: data.cols,
      pairs: data.indices.length,
      weights: report.blend.weights,
      validation: report.blend.validation,
      members: report.models.map((m) => ({
        kind: m.kind,
        params: { ...m.params },
        ndcg10: m.validation.ndcg10,
      })),
    },
  };
}

async function fitLargeServingModel(data: Csr, options: ServingFitOptions): Promise<ServingFit> {
  const params: IalsParams = { ...LARGE_CATALOGUE_IALS, ...options.ials };
  const fit = await fitIalsParallel(data, params, {
    workers: options.workers ?? 2,
    userFactors: false,
    modelBytes: true,
    lowerPriority: options.lowerPriority === true,
  });
  const started = performance.now();
  const ann =
    options.annIndex === false ? undefined : buildAnnIndex(fit.model.itemFactors, data.cols, params.factors);
  const annBuildMs = performance.now() - started;
  return {
    model: fit.model,
    ...(fit.bytes === undefined ? {} : { bytes: fit.bytes }),
    ...(ann === undefined ? { annDeferred: true } : { ann }),
    report: {
      users: data.rows,
      items: data.cols,
      pairs: data.indices.length,
      weights: { ials: 1 },
      // No validation split at this size: training time is the budget.
      validation: { ndcg10: 0, recall20: 0, users: 0 },
      members: [{ kind: 'ials', params: { ...params }, ndcg10: 0 }],
      epochMs: fit.epochMs.map(Math.round),
      epochCpuMs: fit.epochCpuMs.map(Math.round),
      ...(ann === undefined ? {} : { annBuildMs: Math.round(annBuildMs) }),
    },
  };
}

/** What {@link trainInWorker} resolves to. */
export interface WorkerTrainResult {
  /** Views of `bytes` (the model is held once). */
  model: TransferableModel;
  /** The model as snapshot bytes (`modelToBytes`), in shared memory: a store writer reads them in place. */
  bytes: Uint8Array;
  report: Omit<TrainReport, 'trainMs'>;
  /** A large catalogue's index, searched on a thread of its own. */
  ann?: AnnSearchThread;
}

/**
 * Trains the serving model in a worker thread (which uses its own pool of training workers), so
 * the event loop keeps serving; `data`'s buffers are shared with it when they are SharedArrayBuffers
 * (as {@link trainingMatrix} builds them), else transferred (the caller's arrays are emptied, and the
 * worker frees them once it has its shared copy). The model comes back as its snapshot bytes in
 * shared memory, read in place (held once). A large catalogue's ANN index is built from those bytes
 * by another worker once the training worker has stopped, so the training worker's heap (its iALS
 * tables, dead but not yet collected, and its copy of the factors) is freed first instead of being
 * held through the build and the hand-off.
 * `beforeIndex` receives the model once it is final and no index is in memory (a large catalogue's
 * index is built, both workers have stopped and the index is not yet read; a small catalogue has no
 * index), and the result waits for it: a snapshot written there never holds its transient beside the
 * index.
 */
export function trainInWorker(
  data: Csr,
  options: ServingFitOptions = {},
  beforeIndex: (fit: WorkerTrainResult) => Promise<void> = async () => {},
): Promise<WorkerTrainResult> {
  return new Promise((resolve, reject) => {
    const worker = startWorker('serving-train-worker', import.meta.url);
    worker.once('message', (message: TrainWorkerMessage) => {
      const stopped = worker.terminate();
      const { bytes, report } = message;
      if (message.error !== undefined || bytes === undefined || report === undefined) {
        reject(new Error(message.error ?? 'training failed'));
        return;
      }
      // Views of the shared bytes, which the snapshot writer reads too: the model is held once.
      const model = modelFromBytes(bytes, { copy: false });
      if (message.annDeferred !== true) {
        const fit = { model, bytes, report };
        beforeIndex(fit).then(() => resolve(fit), reject);
        return;
      }
      stopped
        .then(async () => {
          const started = performance.now();
          let built = report;
          const ann = await buildAnnSearchThread(bytes, ANN_DEFAULTS, () => {
            built = { ...report, annBuildMs: Math.round(performance.now() - started) };
            return beforeIndex({ model, bytes, report: built });
          });
          resolve({ model, bytes, report: built, ...(ann === undefined ? {} : { ann }) });
        })
        .catch(reject);
    });
    worker.once('error', reject);
    // The matrix is built for this call: its buffers are shared with or move to the worker, never copied.
    const transfer = [data.indptr.buffer, data.indices.buffer, data.values.buffer].filter(
      (b): b is ArrayBuffer => b instanceof ArrayBuffer,
    );
    worker.postMessage(
      {
        data,
        options: {
          workers: options.workers ?? 2,
          seed: options.seed ?? 42,
          annIndex: false,
          ...(options.ials === undefined ? {} : { ials: options.ials }),
          ...(options.largeCatalogueItems === undefined
            ? {}
            : { largeCatalogueItems: options.largeCatalogueItems }),
        },
      },
      [...new Set(transfer)],
    );
  });
}

/** What the serving training worker posts back: the model as snapshot bytes in shared memory. */
export interface TrainWorkerMessage {
  bytes?: Uint8Array;
  report?: Omit<TrainReport, 'trainMs'>;
  /** The model's ANN index is still to be built (a large catalogue). */
  annDeferred?: boolean;
  error?: string;
}

/** A trained model in service, with its item mapping and a preallocated score buffer. */
export class ServingModel {
  readonly model: Model;
  readonly version: number;
  readonly trainedAt: number;
  readonly report: TrainReport;
  /** Engine item index -> model item index, or -1 (items added after training lie past its end). */
  private readonly toModel: Int32Array;
  private readonly toEngine: Int32Array;
  private scores: Float32Array;
  private readonly state: OnlineState;
  private readonly ann: AnnIndex | AnnSearchThread | undefined;
  /** The model's bytes in shared memory when its index is searched on a thread: a new thread reads them. */
  private readonly bytes: Uint8Array | undefined;
  private readonly user: Float32Array;
  /** The index path's creator and tag row sums for new items' scores, filled as feeds meet the groups. */
  private readonly groupSums: GroupSums = { byCreator: new Map(), byTag: new Map(), groups: 0, replaced: -1 };

  /**
   * `items` maps model items to engine items: given as such (an Int32Array) when the model was
   * trained from this state or its ids were looked up already; given as ids, they are looked up,
   * adding unknown ones to the catalogue's index. `toModel`, its inverse from {@link engineToModel},
   * may be given too, built ahead in slices.
   */
  constructor(
    state: OnlineState,
    model: Model,
    items: Int32Array | readonly string[],
    meta: ServingMeta,
    toModel?: Int32Array,
  ) {
    this.model = model;
    this.state = state;
    this.version = meta.version;
    this.trainedAt = meta.trainedAt;
    this.report = meta.report;
    this.toEngine =
      items instanceof Int32Array ? items : Int32Array.from(items, (id) => state.items.intern(id));
    this.toModel = toModel ?? inverseOf(this.toEngine);
    this.ann = model.userVector === undefined || model.itemVector === undefined ? undefined : meta.ann;
    this.bytes = meta.bytes;
    this.user = new Float32Array(this.ann?.dims ?? 0);
    // The ANN path scores only the items it retrieves.
    this.scores = new Float32Array(this.ann === undefined ? model.itemCount : 0);
  }

  /**
   * How candidates are found: from the ANN index, or by scoring every modelled item (as a model
   * whose search thread has stopped does).
   */
  get retrieval(): 'index' | 'scan' {
    if (this.ann instanceof AnnSearchThread) return this.ann.alive ? 'index' : 'scan';
    return this.ann === undefined ? 'scan' : 'index';
  }

  /** Whether the index is searched on a thread of its own (see {@link recommend}). */
  get searchThread(): boolean {
    return this.ann instanceof AnnSearchThread && this.ann.alive;
  }

  /**
   * Frees this model's index on the libuv pool (about 400 MB at a million items), unless `successor`
   * serves the same one: left to the garbage collector, it would be freed on the server thread.
   * A search of this model afterwards finds nothing, so call it once the model is no longer served.
   */
  releaseIndex(successor?: ServingModel): Promise<void> {
    if (this.ann === undefined || this.ann === successor?.ann) return Promise.resolve();
    return this.ann.release();
  }

  /**
   * The same model served through `ann` (built after the model arrived, e.g. from a snapshot); read
   * from `modelBytes` when given (the same model in shared memory, which its search thread reads too).
   */
  withIndex(ann: AnnIndex | AnnSearchThread, modelBytes?: Uint8Array): ServingModel {
    const meta = {
      version: this.version,
      trainedAt: this.trainedAt,
      report: this.report,
      ann,
      bytes: modelBytes ?? this.bytes,
    };
    const model =
      modelBytes === undefined
        ? this.model
        : modelFromTransferable(modelFromBytes(modelBytes, { copy: false }));
    return new ServingModel(this.state, model, this.toEngine, meta, this.toModel);
  }

  /**
   * Calls `listener` once if this model's search thread stops without being released (see
   * {@link rebuildThread}); never for a model searched otherwise.
   */
  onThreadFailure(listener: () => void): void {
    if (this.ann instanceof AnnSearchThread && this.bytes !== undefined) this.ann.onFailure(listener);
  }

  /**
   * The same model with a new search thread, for one whose thread failed: the index is built again
   * from the model's shared bytes in a worker (asked meanwhile, this model scores every item; the
   * engine leaves it out of feeds instead). Undefined
   * when this model has no such thread or the model has no item vectors; rejects if the build fails.
   */
  async rebuildThread(options: AnnOptions = ANN_DEFAULTS): Promise<ServingModel | undefined> {
    if (!(this.ann instanceof AnnSearchThread) || this.bytes === undefined) return undefined;
    const ann = await buildAnnSearchThread(this.bytes, options);
    return ann === undefined ? undefined : this.withIndex(ann);
  }

  /** The model's index of engine item `i`, or -1 when the model has never seen it. */
  modelIndex(i: number): number {
    return i >= 0 && i < this.toModel.length ? this.toModel[i]! : -1;
  }

  static fromTransferable(
    state: OnlineState,
    t: TransferableModel,
    items: Int32Array | readonly string[],
    meta: ServingMeta,
    toModel?: Int32Array,
  ): ServingModel {
    return new ServingModel(state, modelFromTransferable(t), items, meta, toModel);
  }

  /**
   * The model's top `k` engine items for a history of (engine item, weight) pairs, best first,
   * skipping excluded items. Items newer than the model (`newItems`, no interactions at training
   * time) are scored from the items of the same creator and with the same tags until the next
   * training. Scores are written into a buffer reused across calls.
   *
   * A model whose index is searched on a thread of its own ranks what that thread found for this
   * history: `retrieved`, from {@link retrieve}. Without it, or when it was found for another
   * history (an event of the user's applied since) or is too short for what `excluded` drops, this
   * throws a {@link RetrievalNeeded} that says what to retrieve before calling again.
   */
  recommend(
    history: readonly { item: number; weight: number }[],
    k: number,
    excluded: (i: number) => boolean,
    newItems: ArrayLike<number> = [],
    retrieved?: Retrieval,
  ): Int32Array {
    const modelled = this.modelledHistory(history);
    if (modelled === undefined) return new Int32Array(0);
    const { items, weights } = modelled;
    const ann = this.ann;
    const ranked =
      ann === undefined || (ann instanceof AnnSearchThread && !ann.alive)
        ? this.rankAll(items, weights, k, excluded)
        : ann instanceof AnnSearchThread
          ? this.rankRetrieved(ann, items, weights, k, excluded, retrieved)
          : this.rankFromIndex(ann, items, weights, k, excluded);
    if (ranked === undefined) return new Int32Array(0);
    const floor = ranked.length < k ? Number.NEGATIVE_INFINITY : ranked[ranked.length - 1]!.score;
    // New items of one creator or tag share its neighbours' scores: each list is scored once per call.
    const byCreator = new Map<number, Float64Array>();
    const byTag = new Map<string, Float64Array>();
    const sums = this.ann === undefined ? undefined : this.currentGroupSums();
    for (let n = 0; n < newItems.length; n++) {
      const j = newItems[n]!;
      if (this.modelIndex(j) >= 0 || excluded(j)) continue;
      const score =
        sums === undefined ? this.coldScore(j, byCreator, byTag) : this.coldScoreFromSums(j, sums);
      if (score !== undefined && score > floor) ranked.push({ item: j, score });
    }
    ranked.sort((a, b) => b.score - a.score);
    // Where the exact, index and thread paths meet: an item the model does not score above 0 is not
    // related by it, only next in its order, and would carry a co-viewing reason it has not earned.
    let related = 0;
    while (related < ranked.length && related < k && ranked[related]!.score > 0) related++;
    return Int32Array.from(ranked.slice(0, related), (r) => r.item);
  }

  /** The index that retrieves candidates (large catalogues), or undefined when every item is scored. */
  get index(): AnnIndex | AnnSearchThread | undefined {
    return this.ann;
  }

  /**
   * What {@link recommend} needs retrieved for `history` and `k` before it is called, when the
   * model's index is searched on a thread of its own; undefined when nothing is (no such thread, or
   * no history item is modelled).
   */
  retrievalFor(
    history: readonly { item: number; weight: number }[],
    k: number,
  ): RetrievalRequest | undefined {
    const ann = this.ann;
    if (!(ann instanceof AnnSearchThread) || !ann.alive) return undefined;
    const modelled = this.modelledHistory(history);
    if (modelled === undefined) return undefined;
    return { model: this, ...modelled, ask: firstAsk(k, modelled.items.length) };
  }

  /**
   * Retrieves on the search thread what `request` asks for (see {@link RetrievalNeeded}); undefined
   * when this model has no search thread or it has stopped.
   */
  retrieve(request: RetrievalRequest): Promise<Retrieval | undefined> {
    const ann = this.ann;
    if (!(ann instanceof AnnSearchThread)) return Promise.resolve(undefined);
    return ann.retrieve(request.items, request.weights, request.ask);
  }

  /**
   * The user vector {@link recommend} searches the index with for `history` (engine item, weight
   * pairs), as a new array; undefined when the model has no user vectors or no history item is modelled.
   */
  userVectorOf(history: readonly { item: number; weight: number }[]): Float32Array | undefined {
    const modelled = this.modelledHistory(history);
    const { userVector, itemVector } = this.model;
    if (modelled === undefined || userVector === undefined || itemVector === undefined) return undefined;
    const out = new Float32Array(itemVector.call(this.model, 0).length);
    return userVector.call(this.model, modelled.items, modelled.weights, out);
  }

  /** The history's modelled items (model indices) with positive weights, or undefined if none. */
  private modelledHistory(
    history: readonly { item: number; weight: number }[],
  ): { items: Int32Array; weights: Float32Array } | undefined {
    const items: number[] = [];
    const weights: number[] = [];
    for (const h of history) {
      const m = this.modelIndex(h.item);
      if (m < 0 || h.weight <= 0) continue;
      items.push(m);
      weights.push(h.weight);
    }
    if (items.length === 0) return undefined;
    return { items: Int32Array.from(items), weights: Float32Array.from(weights) };
  }

  /**
   * Scores every modelled item for the history (small catalogues), then takes the top k; undefined
   * when every score is 0 (as {@link rankFromIndex} for a zero user vector: the order of equal scores
   * is no taste of theirs).
   */
  private rankAll(
    items: Int32Array,
    weights: Float32Array,
    k: number,
    excluded: (i: number) => boolean,
  ): { item: number; score: number }[] | undefined {
    // A model served through an index scores everything only if its search thread stopped.
    if (this.scores.length !== this.model.itemCount) this.scores = new Float32Array(this.model.itemCount);
    this.model.scoreHistory(items, weights, this.scores);
    if (isZeroVector(this.scores)) return undefined;
    const top = topK(this.scores, k, (m) => excluded(this.toEngine[m]!));
    return Array.from(top, (m) => ({ item: this.toEngine[m]!, score: this.scores[m]! }));
  }

  /**
   * Retrieves candidates for the folded-in user vector from the ANN index, then scores them exactly;
   * undefined when that vector is zero (every score is 0, so the index's order is no taste of theirs).
   */
  private rankFromIndex(
    ann: AnnIndex,
    items: Int32Array,
    weights: Float32Array,
    k: number,
    excluded: (i: number) => boolean,
  ): { item: number; score: number }[] | undefined {
    this.model.userVector!(items, weights, this.user);
    if (isZeroVector(this.user)) return undefined;
    // Ask for more than k: retrieved items the user has seen or may not see are dropped (when too
    // many are, ask again for four times as many).
    let ask = firstAsk(k, items.length);
    for (;;) {
      const { items: found, scores: approx, tolerance } = ann.searchScored(this.user, ask);
      const ranked: { item: number; score: number }[] = [];
      // Once k items are scored, an item whose index score is 2 tolerances below theirs cannot
      // make the exact top k: it is not scored (the same top k as scoring every item found).
      let kept = 0;
      let lowest = Number.POSITIVE_INFINITY;
      let cut = Number.NEGATIVE_INFINITY;
      for (let r = 0; r < found.length; r++) {
        const m = found[r]!;
        const item = this.toEngine[m]!;
        if (excluded(item)) continue;
        kept++;
        if (approx[r]! < cut) continue;
        ranked.push({ item, score: this.modelScore(m) });
        if (kept <= k) lowest = Math.min(lowest, approx[r]!);
        if (kept === k) cut = lowest - 2 * tolerance;
      }
      if (kept >= k || found.length < ask || ask >= ann.count) {
        ranked.sort((a, b) => b.score - a.score);
        return ranked.slice(0, k);
      }
      ask *= 4;
    }
  }

  /**
   * {@link rankFromIndex} from what the search thread found for this history (exact scores of every
   * item found: the same top k as the cut there, which only skips items that cannot make it); throws
   * a {@link RetrievalNeeded} when `retrieved` is missing, was found for another history or model,
   * or is too short once `excluded` has dropped items.
   */
  private rankRetrieved(
    thread: AnnSearchThread,
    items: Int32Array,
    weights: Float32Array,
    k: number,
    excluded: (i: number) => boolean,
    retrieved: Retrieval | undefined,
  ): { item: number; score: number }[] | undefined {
    const first = firstAsk(k, items.length);
    if (
      retrieved === undefined ||
      retrieved.thread !== thread ||
      retrieved.ask < first ||
      (retrieved.anyHistory !== true && !sameHistory(retrieved, items, weights))
    ) {
      throw new RetrievalNeeded({ model: this, items, weights, ask: Math.max(first, retrieved?.ask ?? 0) });
    }
    if (retrieved.user === undefined) return undefined;
    this.user.set(retrieved.user);
    const { found, exact } = retrieved;
    const ranked: { item: number; score: number }[] = [];
    for (let r = 0; r < found.length; r++) {
      const item = this.toEngine[found[r]!]!;
      if (!excluded(item)) ranked.push({ item, score: exact[r]! });
    }
    if (ranked.length < k && found.length >= retrieved.ask && retrieved.ask < thread.count) {
      throw new RetrievalNeeded({ model: this, items, weights, ask: retrieved.ask * 4 });
    }
    ranked.sort((a, b) => b.score - a.score);
    return ranked.slice(0, k);
  }

  /** The last scored user's score for model item `m`. */
  private modelScore(m: number): number {
    if (this.ann === undefined) return this.scores[m]!;
    return exactScore(this.model.itemVector!(m), this.user);
  }

  /**
   * A new item's score: the mean score of modelled items by its creator (weight 2) or sharing a tag
   * (1). `byCreator` and `byTag` keep the scores of each creator's and tag's neighbours for the
   * current user vector, in the order they are summed.
   */
  private coldScore(
    j: number,
    byCreator: Map<number, Float64Array>,
    byTag: Map<string, Float64Array>,
  ): number | undefined {
    let sum = 0;
    let total = 0;
    const creator = this.state.creatorOf.get(j);
    if (creator >= 0) {
      let scores = byCreator.get(creator);
      if (scores === undefined) {
        scores = this.neighbourScores(this.state.itemsByCreator.get(creator));
        byCreator.set(creator, scores);
      }
      for (let k = 0; k < scores.length; k++) {
        sum += 2 * scores[k]!;
        total += 2;
      }
    }
    for (const tag of this.state.records[j]?.tags ?? []) {
      let scores = byTag.get(tag);
      if (scores === undefined) {
        scores = this.neighbourScores(this.state.itemsByTag.get(tag));
        byTag.set(tag, scores);
      }
      for (let k = 0; k < scores.length; k++) {
        sum += scores[k]!;
        total += 1;
      }
    }
    return total === 0 ? undefined : sum / total;
  }

  /**
   * {@link coldScore} on the index path, where a neighbour's score is its factor row times the user
   * vector: the weighted mean of scores is the user vector times the weighted mean of rows, so each
   * creator's and tag's row sum is kept per model and a new item costs one product per group, not one
   * per neighbour (a new item's creator is mostly its own). Equal to the mean of scores up to rounding.
   */
  private coldScoreFromSums(j: number, sums: GroupSums): number | undefined {
    let sum = 0;
    let total = 0;
    const creator = this.state.creatorOf.get(j);
    if (creator >= 0) {
      let group = sums.byCreator.get(creator);
      if (group === undefined) {
        group = this.groupSum(this.state.itemsByCreator.get(creator), sums);
        sums.byCreator.set(creator, group);
      }
      if (group.count > 0) {
        sum += 2 * this.userDot(group);
        total += 2 * group.count;
      }
    }
    for (const tag of this.state.records[j]?.tags ?? []) {
      let group = sums.byTag.get(tag);
      if (group === undefined) {
        group = this.groupSum(this.state.itemsByTag.get(tag), sums);
        sums.byTag.set(tag, group);
      }
      if (group.count > 0) {
        sum += this.userDot(group);
        total += group.count;
      }
    }
    return total === 0 ? undefined : sum / total;
  }

  /**
   * The group sums, emptied when a record was replaced since they were read (that reorders the
   * creator's and tags' Sets, so their first neighbours may differ) or when they hold too many groups.
   */
  private currentGroupSums(): GroupSums {
    const sums = this.groupSums;
    if (sums.replaced !== this.state.recordsReplaced || sums.groups >= GROUP_SUMS_KEPT) {
      sums.byCreator.clear();
      sums.byTag.clear();
      sums.groups = 0;
      sums.replaced = this.state.recordsReplaced;
    }
    return sums;
  }

  /** The sum of the factor rows of the modelled items among the first {@link COLD_NEIGHBOURS} of `items`. */
  private groupSum(items: ReadonlySet<number> | undefined, sums: GroupSums): GroupSum {
    const row = new Float64Array(this.user.length);
    let count = 0;
    let seen = 0;
    for (const i of items ?? []) {
      const m = this.modelIndex(i);
      if (m >= 0) {
        const v = this.model.itemVector!(m);
        for (let f = 0; f < row.length; f++) row[f] = row[f]! + v[f]!;
        count++;
      }
      if (++seen >= COLD_NEIGHBOURS) break;
    }
    sums.groups++;
    return { row, count };
  }

  /** The current user vector times a group's row sum. */
  private userDot(group: GroupSum): number {
    const row = group.row;
    const user = this.user;
    let s = 0;
    for (let f = 0; f < row.length; f++) s += row[f]! * user[f]!;
    return s;
  }

  /** The scores of the modelled items among the first {@link COLD_NEIGHBOURS} of `items`. */
  private neighbourScores(items: ReadonlySet<number> | undefined): Float64Array {
    const scores: number[] = [];
    let seen = 0;
    for (const i of items ?? []) {
      const m = this.modelIndex(i);
      if (m >= 0) scores.push(this.modelScore(m));
      if (++seen >= COLD_NEIGHBOURS) break;
    }
    return Float64Array.from(scores);
  }
}

/** What a serving model is created with; `ann` serves large catalogues from an index. */
export interface ServingMeta {
  version: number;
  trainedAt: number;
  report: TrainReport;
  ann?: AnnIndex | AnnSearchThread | undefined;
  /** The model as snapshot bytes in shared memory, which its search thread reads (see {@link ServingModel.rebuildThread}). */
  bytes?: Uint8Array | undefined;
}

/** A search a model's thread is to make: the history's model items and weights, and how many to find. */
export interface RetrievalRequest {
  readonly model: ServingModel;
  readonly items: Int32Array;
  readonly weights: Float32Array;
  readonly ask: number;
}

/**
 * Thrown by {@link ServingModel.recommend} when its search thread must retrieve first: the caller
 * awaits `request.model.retrieve(request)` and calls again with what it found. Not an error (no
 * stack is captured): it is how a synchronous feed learns what to fetch.
 */
export class RetrievalNeeded {
  constructor(readonly request: RetrievalRequest) {}
}

/**
 * Calls of a build (see {@link withRetrieval}) after which what the model's search thread found is
 * ranked even if the user's history changed again while it searched.
 */
const RETRIEVAL_ATTEMPTS = 3;

/**
 * Runs `build` (a feed, similar items), whose model may rank what its search thread found: `first`,
 * when known, is retrieved before the first call; what `build` then throws it needs
 * ({@link RetrievalNeeded}: too few found, the user's history changed meanwhile, a new model) is
 * retrieved and `build` called again. The event loop serves other requests while the thread
 * searches. After {@link RETRIEVAL_ATTEMPTS} calls a retrieval is ranked even if the history changed
 * again. Without a search thread, `build` runs once, at once.
 *
 * @example
 * const first = feedRetrieval(state, config, userId, nowMs, serving, caches);
 * const items = await withRetrieval(first, (retrieved) => buildFeed(..., caches, retrieved));
 */
export async function withRetrieval<T>(
  first: RetrievalRequest | undefined,
  build: (retrieved: Retrieval | undefined) => T,
): Promise<T> {
  let retrieved = first === undefined ? undefined : await first.model.retrieve(first);
  for (let attempt = 1; ; attempt++) {
    try {
      return build(retrieved);
    } catch (err) {
      if (!(err instanceof RetrievalNeeded)) throw err;
      const found = await err.request.model.retrieve(err.request);
      retrieved =
        found !== undefined && attempt >= RETRIEVAL_ATTEMPTS ? { ...found, anyHistory: true } : found;
    }
  }
}

/**
 * How many items to ask the index for, for k candidates and a history of that many modelled items:
 * retrieved items the user has seen or may not see are dropped. Half as many again as k, plus the
 * history, keeps recall of the top 250 at 0.96 for 0.6x the search time of 2k (bench/ann.ts --k 250).
 */
function firstAsk(k: number, historyItems: number): number {
  return k + Math.ceil(k / 2) + historyItems;
}

/** Whether `retrieved` was found for these model items and weights. */
function sameHistory(retrieved: Retrieval, items: Int32Array, weights: Float32Array): boolean {
  if (retrieved.items.length !== items.length) return false;
  for (let r = 0; r < items.length; r++) {
    if (retrieved.items[r] !== items[r] || retrieved.weights[r] !== weights[r]) return false;
  }
  return true;
}

/** How many related items per creator or tag are averaged for a new item's score. */
const COLD_NEIGHBOURS = 50;

/**
 * Creators' and tags' row sums a model keeps at most (64 factors: 512 bytes each, about 8 MB): the
 * groups of the fresh items feeds offer, a few hundred, fit many times over.
 */
const GROUP_SUMS_KEPT = 16_384;

/** A creator's or tag's first modelled neighbours: their factor rows summed, and how many. */
interface GroupSum {
  row: Float64Array;
  count: number;
}

/** A model's group sums, valid while the state's `recordsReplaced` is `replaced`. */
interface GroupSums {
  byCreator: Map<number, GroupSum>;
  byTag: Map<string, GroupSum>;
  groups: number;
  replaced: number;
}

export { transferList };
