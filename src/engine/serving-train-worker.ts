// Worker entry for serving-model.ts: a thin wrapper around fitServingModel, which also serialises the
// model for the store, so the server thread neither copies nor encodes it. Only the bytes go back
// (shared): the server reads the model in place from them, so it never holds the model twice.
import { parentPort } from 'node:worker_threads';
import { type Csr, csrShared } from '../core/csr.js';
import { modelToBytes } from '../core/model-codec.js';
import { releaseBuffers } from './release-buffers.js';
import {
  fitServingModel,
  isLargeCatalogue,
  type ServingFitOptions,
  type TrainWorkerMessage,
} from './serving-model.js';
import { lowerThreadPriority } from './start-worker.js';

parentPort?.once('message', async (message: { data: Csr; options: ServingFitOptions }) => {
  try {
    // A small catalogue is fitted on this thread, at training's lowered priority. A large one's iALS
    // runs on threads of its own, lowered, and this thread only coordinates them, at normal priority:
    // as it stops it unmaps the fit's tables (a million users' factors are 256 MB), and an unmap
    // holds the process's memory-map lock, which the event loop's own allocations wait for: at nice
    // 10, a thread that loses its core while holding it stretches that wait many times over.
    const large = isLargeCatalogue(message.data, message.options);
    if (!large) lowerThreadPriority();
    // The training threads read the matrix in shared memory; the transferred arrays it was sent in
    // are freed before the fit allocates its tables (at 20M pairs they are about 150 MB).
    const data = csrShared(message.data);
    await releaseBuffers([
      message.data.indptr.buffer,
      message.data.indices.buffer,
      message.data.values.buffer,
    ]);
    // The caller builds a large catalogue's index once this thread has stopped (annIndex: false).
    const fit = await fitServingModel(data, { ...message.options, lowerPriority: true });
    const { model, report, annDeferred } = fit;
    // A large catalogue's factors were fitted in their snapshot bytes: no copy at the end of the fit.
    const bytes = fit.bytes ?? modelToBytes(model.toTransferable(), { shared: true });
    const reply: TrainWorkerMessage = { bytes, report, ...(annDeferred === true ? { annDeferred } : {}) };
    parentPort?.postMessage(reply);
  } catch (err) {
    parentPort?.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
});
