import type { Worker } from 'node:worker_threads';
import type { Csr } from '../core/csr.js';
import type { FitResult, Model, TransferableModel } from '../core/model.js';
import { modelFromTransferable, transferList } from '../core/model-codec.js';
import { type FittedCandidate, fitGrid, type ModelParams } from '../core/model-fitters.js';
import { startWorker } from './start-worker.js';

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
  return fitGrid(job.kind, data, job.grid, () => performance.now());
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

/** A pool of training workers that outlives one batch of jobs; close it when done. */
export interface TrainerPool {
  /**
   * Queues jobs (put the slowest first) and returns one promise per job, so callers can evaluate
   * early results while later jobs train. With `first`, the jobs go ahead of those already queued.
   */
  train(
    data: TrainData,
    jobs: readonly TrainJob[],
    options?: { readonly first?: boolean },
  ): Promise<FittedCandidate[]>[];
  /** Stops the workers once their current jobs are done. */
  close(): Promise<void>;
}

interface QueuedJob {
  readonly id: number;
  readonly data: TrainData;
  readonly job: TrainJob;
  readonly resolve: (value: FittedCandidate[]) => void;
  readonly reject: (reason: unknown) => void;
}

/**
 * Starts a pool of worker threads (lazily, at the first job) that train jobs one at a time each.
 *
 * @example
 * const pool = createTrainerPool({ workers: 2 });
 * const [ease] = pool.train(userItems, [{ kind: 'ease', grid: [{ lambda: 200 }] }]);
 * const fitted = await ease;
 * await pool.close();
 */
export function createTrainerPool(options: TrainerOptions = {}): TrainerPool {
  const size = options.workers ?? 2;
  const queue: QueuedJob[] = [];
  const idle: Worker[] = [];
  const busy = new Map<Worker, QueuedJob>();
  const all: Worker[] = [];
  let nextId = 0;
  let closed = false;

  const dispatch = (): void => {
    while (queue.length > 0) {
      let worker = idle.pop();
      if (worker === undefined && all.length < size) worker = spawn();
      if (worker === undefined) return;
      const job = queue.shift()!;
      busy.set(worker, job);
      worker.ref();
      worker.postMessage({ id: job.id, data: plainCsr(job.data), job: job.job });
    }
  };

  const spawn = (): Worker => {
    const worker = startWorker('train-worker', import.meta.url);
    all.push(worker);
    worker.on('message', (message: TrainJobMessage) => {
      const job = busy.get(worker);
      busy.delete(worker);
      idle.push(worker);
      // An idle worker must not keep the process alive on its own.
      worker.unref();
      if (job !== undefined) {
        if (message.error !== undefined) job.reject(new Error(message.error));
        else job.resolve((message.candidates ?? []).map(candidateFromMessage));
      }
      dispatch();
    });
    worker.on('error', (err) => {
      busy.get(worker)?.reject(err);
      busy.delete(worker);
      all.splice(all.indexOf(worker), 1);
      dispatch();
    });
    return worker;
  };

  return {
    train(data, jobs, trainOptions = {}) {
      if (closed) throw new Error('the trainer pool is closed');
      const queued: QueuedJob[] = [];
      const promises = jobs.map((job) => {
        if (size <= 0) return Promise.resolve().then(() => runTrainJob(data, job));
        return new Promise<FittedCandidate[]>((resolve, reject) => {
          queued.push({ id: nextId++, data, job, resolve, reject });
        });
      });
      if (trainOptions.first === true) queue.unshift(...queued);
      else queue.push(...queued);
      dispatch();
      return promises;
    },
    async close() {
      closed = true;
      await Promise.all(all.map((w) => w.terminate()));
    },
  };
}

/**
 * Trains a batch of jobs on a fresh pool and closes it when every job is done.
 *
 * @example
 * const [[ease], [knn]] = await trainAll(userItems, [{ kind: 'ease', grid: [{ lambda: 200 }] }, { kind: 'item-knn', grid: [{}] }]);
 */
export async function trainAll(
  data: TrainData,
  jobs: readonly TrainJob[],
  options: TrainerOptions = {},
): Promise<FittedCandidate[][]> {
  const pool = createTrainerPool({ workers: Math.min(options.workers ?? 2, jobs.length) });
  try {
    return await Promise.all(pool.train(data, jobs));
  } finally {
    await pool.close();
  }
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
