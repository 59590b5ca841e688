import type { Worker } from 'node:worker_threads';
import { type Csr, csrShared, csrTranspose } from '../core/csr.js';
import {
  createIalsModel,
  finishIalsGram,
  type IalsFit,
  type IalsParams,
  ialsEigenBasis,
  ialsGramPart,
  ialsModelMeta,
  ialsRowSplits,
  initialIalsFactors,
  rotateIalsRows,
  solveIalsRows,
} from '../core/ials.js';
import { arrayOf } from '../core/model.js';
import { allocateModelBytes } from '../core/model-codec.js';
import { startWorker } from './start-worker.js';

/**
 * iALS on several threads: the matrix, both factor tables and the Gram parts live in
 * SharedArrayBuffers, and each half-step (Gram, change of basis, solves: see `core/ials.ts`) splits
 * its rows across worker threads, the solves by cost (rows are independent given the other side),
 * so an epoch uses every core with no copies. The threads keep the CPU priority of the thread that
 * starts them unless `lowerPriority` asks for less: lowered in the engine's training worker, normal
 * in `bench/ials.ts`.
 */
export interface ParallelIalsOptions {
  /** Worker threads (default 2); 0 runs the same kernels in the calling thread, for tests. */
  readonly workers?: number;
  /** Called after each epoch with its wall time. */
  readonly onEpoch?: (epoch: number, ms: number) => void;
  /**
   * False returns no user factors (an empty array): the serving model needs only the item side, and
   * a copy of a million users' factors would sit in memory through the ANN build. Default true.
   */
  readonly userFactors?: boolean;
  /**
   * True fits the item factors in place in the model's snapshot bytes (`modelToBytes`, in shared
   * memory), returned as `bytes` with the model reading them: at the end of a fit nothing is copied
   * (at a million items × 64 factors, two copies of 256 MB each were the training's peak).
   */
  readonly modelBytes?: boolean;
  /**
   * True lowers the worker threads' CPU priority (`lowerThreadPriority`), leaving the calling
   * thread's as it is. Default false: they keep the priority of the thread that starts them.
   */
  readonly lowerPriority?: boolean;
}

export interface ParallelIalsFit extends IalsFit {
  /** With `modelBytes`: the model as snapshot bytes in shared memory; the model's arrays are views of them. */
  readonly bytes?: Uint8Array;
  readonly epochMs: number[];
  /** CPU time of the whole process during each epoch (all threads): the cost on a busy machine. */
  readonly epochCpuMs: number[];
}

/** The shared memory of one fit, as sent to each worker once. */
export interface IalsShared {
  readonly params: IalsParams;
  readonly byUser: Csr;
  readonly byItem: Csr;
  readonly users: Float32Array;
  readonly items: Float32Array;
  readonly gram: Float64Array;
  /** One k×k upper-triangle Gram part per thread. */
  readonly parts: Float64Array[];
  /** The half-step's change of basis (rows: eigenvectors of `gram`) and the diagonal it leaves. */
  readonly basis: Float64Array;
  readonly diagonal: Float64Array;
}

/** One unit of work for a thread: a Gram part, a range of rows to rotate or to solve, on one side. */
export interface IalsTask {
  readonly op: 'gram' | 'rotate' | 'solve';
  readonly side: 'users' | 'items';
  readonly start: number;
  readonly end: number;
  readonly part: number;
}

/**
 * Fits iALS with the kernels of `core/ials.ts` split across worker threads; the result equals
 * {@link fitIals}'s up to float summation order.
 *
 * @example
 * const { model, epochMs } = await fitIalsParallel(userItems, { ...IALS_DEFAULTS, epochs: 4 }, { workers: 2 });
 */
export async function fitIalsParallel(
  x: Csr,
  params: IalsParams,
  options: ParallelIalsOptions = {},
): Promise<ParallelIalsFit> {
  const threads = Math.max(1, options.workers ?? 2);
  const k = params.factors;
  const lengths = [x.cols * k * 4, k * k * 8];
  const out =
    options.modelBytes === true
      ? allocateModelBytes(ialsModelMeta(x.cols, params), lengths, { shared: true })
      : undefined;
  const shared = createShared(x, params, threads, out && arrayOf(Float32Array, out.buffers[0]!));
  const run =
    options.workers === 0
      ? inlineRunner(shared)
      : await workerRunner(shared, threads, options.lowerPriority === true);
  const epochMs: number[] = [];
  const epochCpuMs: number[] = [];
  try {
    const evenly = (op: 'gram' | 'rotate', side: 'users' | 'items'): IalsTask[] => {
      const rows = side === 'users' ? x.rows : x.cols;
      return Array.from({ length: threads }, (_, t) => ({
        op,
        side,
        start: Math.floor((rows * t) / threads),
        end: Math.floor((rows * (t + 1)) / threads),
        part: t,
      }));
    };
    const gram = async (side: 'users' | 'items'): Promise<void> => {
      for (const part of shared.parts) part.fill(0);
      await run(evenly('gram', side));
      finishIalsGram(shared.parts, k, params.unobservedWeight, shared.gram);
    };
    /** Gram of the fixed side, then both tables into its eigenbasis (see core/ials.ts). */
    const prepare = async (fixed: 'users' | 'items'): Promise<void> => {
      await gram(fixed);
      const { values, vectors } = ialsEigenBasis(shared.gram, k);
      shared.basis.set(vectors);
      shared.diagonal.set(values);
      await run(evenly('rotate', 'users'));
      await run(evenly('rotate', 'items'));
    };
    const solve = async (side: 'users' | 'items'): Promise<void> => {
      const m = side === 'users' ? shared.byUser : shared.byItem;
      const bounds = ialsRowSplits(m.indptr, threads, k);
      const tasks: IalsTask[] = [];
      for (let t = 0; t < threads; t++) {
        tasks.push({ op: 'solve', side, start: bounds[t]!, end: bounds[t + 1]!, part: t });
      }
      await run(tasks);
    };
    for (let epoch = 0; epoch < params.epochs; epoch++) {
      const started = performance.now();
      const cpu = process.cpuUsage();
      await prepare('users');
      await solve('items');
      await prepare('items');
      await solve('users');
      const ms = performance.now() - started;
      const used = process.cpuUsage(cpu);
      epochMs.push(ms);
      epochCpuMs.push((used.user + used.system) / 1000);
      options.onEpoch?.(epoch, ms);
    }
    await gram('items');
  } finally {
    await run.close();
  }
  const userFactors = options.userFactors === false ? new Float32Array(0) : Float32Array.from(shared.users);
  if (out !== undefined) {
    const gram = arrayOf(Float64Array, out.buffers[1]!);
    gram.set(shared.gram);
    return {
      model: createIalsModel(shared.items, x.cols, gram, params),
      bytes: out.bytes,
      userFactors,
      epochMs,
      epochCpuMs,
    };
  }
  // Plain copies: the model's buffers are transferred or saved later, which shared memory cannot be.
  const items = Float32Array.from(shared.items);
  const model = createIalsModel(items, x.cols, Float64Array.from(shared.gram), params);
  return { model, userFactors, epochMs, epochCpuMs };
}

/** Runs one task against the shared memory (the body of each worker, and of the inline runner). */
export function runIalsTask(shared: IalsShared, task: IalsTask): void {
  const k = shared.params.factors;
  const f = task.side === 'users' ? shared.users : shared.items;
  if (task.op === 'gram') {
    ialsGramPart(f, task.start, task.end, k, shared.parts[task.part]!);
    return;
  }
  if (task.op === 'rotate') {
    rotateIalsRows(f, task.start, task.end, k, shared.basis);
    return;
  }
  const [m, other, target] =
    task.side === 'users'
      ? [shared.byUser, shared.items, shared.users]
      : [shared.byItem, shared.users, shared.items];
  solveIalsRows(m, other, target, shared.diagonal, shared.params, task.start, task.end);
}

type Runner = ((tasks: readonly IalsTask[]) => Promise<void>) & { close(): Promise<void> };

function inlineRunner(shared: IalsShared): Runner {
  const run = async (tasks: readonly IalsTask[]): Promise<void> => {
    for (const task of tasks) runIalsTask(shared, task);
  };
  return Object.assign(run, { close: async () => {} });
}

async function workerRunner(shared: IalsShared, threads: number, lowerPriority: boolean): Promise<Runner> {
  const workers: Worker[] = [];
  for (let t = 0; t < threads; t++) workers.push(startWorker('ials-worker', import.meta.url));
  const ask = (worker: Worker, message: unknown): Promise<void> =>
    new Promise((resolve, reject) => {
      const onMessage = (reply: { error?: string }): void => {
        worker.off('error', onError);
        if (reply.error !== undefined) reject(new Error(reply.error));
        else resolve();
      };
      const onError = (err: Error): void => {
        worker.off('message', onMessage);
        reject(err);
      };
      worker.once('message', onMessage);
      worker.once('error', onError);
      worker.postMessage(message);
    });
  await Promise.all(workers.map((w) => ask(w, { shared, lowerPriority })));
  const run = async (tasks: readonly IalsTask[]): Promise<void> => {
    await Promise.all(tasks.map((task, t) => ask(workers[t % threads]!, { task })));
  };
  return Object.assign(run, {
    close: async () => {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  });
}

/** `items`, when given, is the (zeroed, shared) table the item factors are fitted in. */
function createShared(x: Csr, params: IalsParams, threads: number, items?: Float32Array): IalsShared {
  const k = params.factors;
  const byUser = csrShared(x);
  // A training matrix of ones (the engine's) shares its values with its transpose: 4 bytes a pair less.
  const byItem = csrTranspose(byUser, { shared: true, reuseUniformValues: true });
  const users = new Float32Array(new SharedArrayBuffer(x.rows * k * 4));
  items ??= new Float32Array(new SharedArrayBuffer(x.cols * k * 4));
  initialIalsFactors(x.rows, x.cols, params, users, items);
  const gram = new Float64Array(new SharedArrayBuffer(k * k * 8));
  const parts = Array.from({ length: threads }, () => new Float64Array(new SharedArrayBuffer(k * k * 8)));
  const basis = new Float64Array(new SharedArrayBuffer(k * k * 8));
  const diagonal = new Float64Array(new SharedArrayBuffer(k * 8));
  return { params, byUser, byItem, users, items, gram, parts, basis, diagonal };
}
