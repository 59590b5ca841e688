import { Worker } from 'node:worker_threads';
import type { Csr } from '../core/csr.js';
import type { FitResult, Model, TransferableModel } from '../core/model.js';
import { modelFromTransferable, transferList } from '../core/model-codec.js';
import { type FittedCandidate, fitGrid, type ModelParams } from '../core/model-fitters.js';

/**
 * Training off the request path: jobs (a model kind and a grid of parameter sets) run in
 * `worker_threads`, one job per worker at a time, and the fitted models come back as transferred
 * buffers, not copies (piscina's pattern). {@link runTrainJob} is the same work inline, for tests
 * and single-threaded callers.
 */
export interface TrainJob {
  readonly kind: string;
  readonly grid: readonly ModelParams[];
}

/** The user×item training matrix as plain typed arrays (structured-clone friendly). */
export type TrainData = Csr;

/** What a worker posts back for one job. */
export interface TrainJobMessage {
  readonly id: number;
  readonly candidates?: readonly {
    readonly params: ModelParams;
    readonly fitMs: number;
    readonly model?: TransferableModel;
    readonly issue?: string;
  }[];
  readonly error?: string;
}

/**
 * Runs one job in the calling thread.
 *
 * @example
 * const [candidate] = runTrainJob(userItems, { kind: 'ease', grid: [{ lambda: 200 }] });
 */
export function runTrainJob(data: TrainData, job: TrainJob): FittedCandidate[] {
  return fitGrid(job.kind, data, job.grid);
}

/** Runs one job and packs its models for `postMessage` (used by the worker entry). */
export function runTrainJobForTransfer(
  id: number,
  data: TrainData,
  job: TrainJob,
): { message: TrainJobMessage; transfer: ArrayBuffer[] } {
  const fitted = runTrainJob(data, job);
  const transfer: ArrayBuffer[] = [];
  const candidates = fitted.map((c) => {
    if (!c.result.ok) return { params: c.params, fitMs: c.fitMs, issue: c.result.issue };
    const model = c.result.model.toTransferable();
    transfer.push(...transferList(model));
    return { params: c.params, fitMs: c.fitMs, model };
  });
  return { message: { id, candidates }, transfer: [...new Set(transfer)] };
}

export interface TrainerOptions {
  /** Worker threads to use (default 2); 0 runs every job inline. */
  readonly workers?: number;
}

/**
 * Runs jobs on a small pool of worker threads, in the given order (put the slowest first), and
 * returns one promise per job so callers can evaluate early results while later jobs train.
 * Workers exit once the queue is empty.
 *
 * @example
 * const [ease, knn] = trainJobs(userItems, [{ kind: 'ease', grid: [{ lambda: 200 }] }, { kind: 'item-knn', grid: [{}] }]);
 * const models = await ease;
 */
export function trainJobs(
  data: TrainData,
  jobs: readonly TrainJob[],
  options: TrainerOptions = {},
): Promise<FittedCandidate[]>[] {
  const workerCount = Math.min(options.workers ?? 2, jobs.length);
  if (workerCount <= 0) return jobs.map((job) => Promise.resolve().then(() => runTrainJob(data, job)));
  const settle = jobs.map(() => {
    let resolve!: (value: FittedCandidate[]) => void;
    let reject!: (reason: unknown) => void;
    const promise = new Promise<FittedCandidate[]>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  });
  let next = 0;
  const startWorker = (): void => {
    const worker = startTrainWorker();
    let current = -1;
    const feed = (): void => {
      if (next >= jobs.length) {
        void worker.terminate();
        return;
      }
      current = next++;
      worker.postMessage({ id: current, data: plainCsr(data), job: jobs[current] });
    };
    worker.on('message', (message: TrainJobMessage) => {
      const slot = settle[message.id]!;
      if (message.error !== undefined) slot.reject(new Error(message.error));
      else slot.resolve((message.candidates ?? []).map(candidateFromMessage));
      feed();
    });
    worker.on('error', (err) => {
      if (current >= 0) settle[current]!.reject(err);
      // The jobs this worker would have taken go inline, so no promise is left pending.
      while (next < jobs.length) {
        const id = next++;
        try {
          settle[id]!.resolve(runTrainJob(data, jobs[id]!));
        } catch (inlineErr) {
          settle[id]!.reject(inlineErr);
        }
      }
    });
    feed();
  };
  for (let w = 0; w < workerCount; w++) startWorker();
  return settle.map((s) => s.promise);
}

/** Trains all jobs and waits for every one of them. */
export async function trainAll(
  data: TrainData,
  jobs: readonly TrainJob[],
  options: TrainerOptions = {},
): Promise<FittedCandidate[][]> {
  return Promise.all(trainJobs(data, jobs, options));
}

function candidateFromMessage(c: NonNullable<TrainJobMessage['candidates']>[number]): FittedCandidate {
  const result: FitResult =
    c.model === undefined
      ? { ok: false, issue: c.issue ?? 'no model' }
      : { ok: true, model: modelFromTransferable(c.model) };
  return { params: c.params, fitMs: c.fitMs, result };
}

function plainCsr(x: Csr): Csr {
  return { rows: x.rows, cols: x.cols, indptr: x.indptr, indices: x.indices, values: x.values };
}

/**
 * Starts the worker entry beside this file: `train-worker.js` once compiled; under tsx (source
 * `.ts`), a bootstrap that registers tsx inside the worker first, since Node 20 does not apply the
 * parent's `--import tsx` loader hooks to a worker's entry module.
 */
function startTrainWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./train-worker.js', import.meta.url));
  const entry = new URL('./train-worker.ts', import.meta.url).href;
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true });
}

/** What is known about an item when looking for a fallback vector. */
export interface ItemTraits {
  readonly creatorId?: string | undefined;
  readonly tags?: readonly string[] | undefined;
}

/**
 * A vector for an item the model never saw (no interactions yet): the mean of the item vectors of
 * catalogue items by the same creator (weight 2) or sharing tags (weight 1 per shared tag). Returns
 * undefined when the model has no item vectors or nothing is related.
 *
 * @example
 * const v = fallbackItemVector(ials, { creatorId: 'c1', tags: ['cats'] }, catalogueTraits);
 */
export function fallbackItemVector(
  model: Model,
  item: ItemTraits,
  catalogue: readonly ItemTraits[],
): Float32Array | undefined {
  if (!model.capabilities.needsItemVectors || model.itemVector === undefined) return undefined;
  const tags = new Set(item.tags ?? []);
  let out: Float32Array | undefined;
  let total = 0;
  const limit = Math.min(catalogue.length, model.itemCount);
  for (let i = 0; i < limit; i++) {
    const other = catalogue[i]!;
    let w = item.creatorId !== undefined && other.creatorId === item.creatorId ? 2 : 0;
    for (const tag of other.tags ?? []) if (tags.has(tag)) w += 1;
    if (w === 0) continue;
    const v = model.itemVector(i);
    out ??= new Float32Array(v.length);
    for (let f = 0; f < v.length; f++) out[f]! += w * v[f]!;
    total += w;
  }
  if (out === undefined) return undefined;
  for (let f = 0; f < out.length; f++) out[f]! /= total;
  return out;
}
