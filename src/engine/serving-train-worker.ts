// Worker entry for serving-model.ts: a thin wrapper around fitServingModel, which also serialises the
// model for the store, so the server thread neither copies nor encodes it. Only the bytes go back
// (shared): the server reads the model in place from them, so it never holds the model twice.
import { parentPort } from 'node:worker_threads';
import type { Csr } from '../core/csr.js';
import { modelToBytes } from '../core/model-codec.js';
import { annHandoffPath } from './ann-index.js';
import { fitServingModel, type ServingFitOptions, type TrainWorkerMessage } from './serving-model.js';
import { lowerThreadPriority } from './start-worker.js';

lowerThreadPriority();

parentPort?.once('message', async (message: { data: Csr; options: ServingFitOptions }) => {
  try {
    const { model, report, ann } = await fitServingModel(message.data, message.options);
    const bytes = modelToBytes(model.toTransferable(), { shared: true });
    let annPath: string | undefined;
    if (ann !== undefined) {
      annPath = annHandoffPath();
      ann.save(annPath);
    }
    const reply: TrainWorkerMessage = { bytes, report, ...(annPath === undefined ? {} : { annPath }) };
    parentPort?.postMessage(reply);
  } catch (err) {
    parentPort?.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
});
