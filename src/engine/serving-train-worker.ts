// Worker entry for serving-model.ts: a thin wrapper around fitServingModel, which also serialises the
// model for the store, so the server thread neither copies nor encodes it. Only the bytes go back
// (shared): the server reads the model in place from them, so it never holds the model twice.
import { parentPort } from 'node:worker_threads';
import type { Csr } from '../core/csr.js';
import { modelToBytes } from '../core/model-codec.js';
import { fitServingModel, type ServingFitOptions, type TrainWorkerMessage } from './serving-model.js';
import { lowerThreadPriority } from './start-worker.js';

lowerThreadPriority();

parentPort?.once('message', async (message: { data: Csr; options: ServingFitOptions }) => {
  try {
    // The caller builds a large catalogue's index once this thread has stopped (annIndex: false).
    const fit = await fitServingModel(message.data, message.options);
    const { model, report, annDeferred } = fit;
    // A large catalogue's factors were fitted in their snapshot bytes: no copy at the end of the fit.
    const bytes = fit.bytes ?? modelToBytes(model.toTransferable(), { shared: true });
    const reply: TrainWorkerMessage = { bytes, report, ...(annDeferred === true ? { annDeferred } : {}) };
    parentPort?.postMessage(reply);
  } catch (err) {
    parentPort?.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
});
