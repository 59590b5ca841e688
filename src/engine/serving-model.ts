import { type Csr, csrFromTriples } from '../core/csr.js';
import type { Model, TransferableModel } from '../core/model.js';
import { modelFromTransferable, transferList } from '../core/model-codec.js';
import { topK } from '../core/top-k.js';
import { type PipelineOptions, runPipeline } from '../eval/pipeline.js';
import type { OnlineState } from './online-state.js';
import { startWorker } from './start-worker.js';

/** What a training run reports: the blend's weights and its quality on the validation split. */
export interface TrainReport {
  users: number;
  items: number;
  pairs: number;
  weights: Record<string, number>;
  validation: { ndcg10: number; recall20: number; users: number };
  members: { kind: string; params: Record<string, number>; ndcg10: number }[];
  trainMs: number;
}

/** The user×item matrix of positive signal, in compact indices, with the map back to engine items. */
export interface TrainingMatrix {
  data: Csr;
  /** Model item index -> engine item index. */
  items: Int32Array;
}

/** Builds the training matrix from the online state: every user's items with positive weight. */
export function trainingMatrix(state: OnlineState): TrainingMatrix {
  const compact = new Int32Array(state.itemCount).fill(-1);
  const items: number[] = [];
  const rows: number[] = [];
  const cols: number[] = [];
  const values: number[] = [];
  let userRows = 0;
  for (const user of state.userStates) {
    if (user === undefined) continue;
    let any = false;
    for (const [item, weight] of user.weights) {
      if (weight <= 0) continue;
      let c = compact[item]!;
      if (c < 0) {
        c = items.length;
        compact[item] = c;
        items.push(item);
      }
      rows.push(userRows);
      cols.push(c);
      values.push(1);
      any = true;
    }
    if (any) userRows++;
  }
  const data = csrFromTriples(
    userRows,
    items.length,
    Int32Array.from(rows),
    Int32Array.from(cols),
    Float32Array.from(values),
  );
  return { data, items: Int32Array.from(items) };
}

/** Tunes on a validation split carved from `data` and fits the blend; pure CPU work, for a worker. */
export async function fitServingModel(
  data: Csr,
  options: Partial<PipelineOptions> = {},
): Promise<{ model: Model; report: Omit<TrainReport, 'trainMs'> }> {
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

/**
 * Trains the serving model in a worker thread (which uses its own pool of training workers), so
 * the event loop keeps serving; the model comes back as transferred buffers.
 */
export function trainInWorker(
  data: Csr,
  options: Partial<PipelineOptions> = {},
): Promise<{ model: TransferableModel; report: Omit<TrainReport, 'trainMs'> }> {
  return new Promise((resolve, reject) => {
    const worker = startWorker('serving-train-worker', import.meta.url);
    worker.once('message', (message: { model?: TransferableModel; report?: TrainReport; error?: string }) => {
      void worker.terminate();
      if (message.error !== undefined || message.model === undefined || message.report === undefined) {
        reject(new Error(message.error ?? 'training failed'));
      } else {
        resolve({ model: message.model, report: message.report });
      }
    });
    worker.once('error', reject);
    worker.postMessage({ data, options: { workers: options.workers ?? 2, seed: options.seed ?? 42 } });
  });
}

/** A trained model in service, with its item mapping and a preallocated score buffer. */
export class ServingModel {
  readonly model: Model;
  readonly version: number;
  readonly trainedAt: number;
  readonly report: TrainReport;
  /** Model item index -> item id, so the mapping survives restarts (engine indices may differ). */
  readonly itemIds: string[];
  private readonly toModel = new Map<number, number>();
  private readonly toEngine: Int32Array;
  private readonly scores: Float32Array;

  constructor(
    state: OnlineState,
    model: Model,
    itemIds: string[],
    meta: { version: number; trainedAt: number; report: TrainReport },
  ) {
    this.model = model;
    this.itemIds = itemIds;
    this.version = meta.version;
    this.trainedAt = meta.trainedAt;
    this.report = meta.report;
    this.toEngine = new Int32Array(itemIds.length);
    itemIds.forEach((id, m) => {
      const i = state.items.intern(id);
      this.toEngine[m] = i;
      this.toModel.set(i, m);
    });
    this.scores = new Float32Array(model.itemCount);
  }

  static fromTransferable(
    state: OnlineState,
    t: TransferableModel,
    itemIds: string[],
    meta: { version: number; trainedAt: number; report: TrainReport },
  ): ServingModel {
    return new ServingModel(state, modelFromTransferable(t), itemIds, meta);
  }

  /**
   * The model's top `k` engine items for a history of (engine item, weight) pairs, best first,
   * skipping excluded items. Scores are written into a buffer reused across calls.
   */
  recommend(
    history: readonly { item: number; weight: number }[],
    k: number,
    excluded: (i: number) => boolean,
  ): Int32Array {
    const items: number[] = [];
    const weights: number[] = [];
    for (const h of history) {
      const m = this.toModel.get(h.item);
      if (m === undefined || h.weight <= 0) continue;
      items.push(m);
      weights.push(h.weight);
    }
    if (items.length === 0) return new Int32Array(0);
    this.model.scoreHistory(Int32Array.from(items), Float32Array.from(weights), this.scores);
    const top = topK(this.scores, k, (m) => excluded(this.toEngine[m]!));
    return top.map((m) => this.toEngine[m]!);
  }
}

export { transferList };
