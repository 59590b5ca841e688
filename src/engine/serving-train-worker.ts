// Worker entry for serving-model.ts: a thin wrapper around fitServingModel, which also serialises the
// model for the store, so the server thread neither copies nor encodes it.
import { parentPort } from 'node:worker_threads';
import type { Csr } from '../core/csr.js';
import { modelToBytes, transferList } from '../core/model-codec.js';
import { annHandoffPath } from './ann-index.js';
import { fitServingModel, type ServingFitOptions } from './serving-model.js';
import { lowerThreadPriority } from './start-worker.js';

lowerThreadPriority();

parentPort?.once('message', async (message: { data: Csr; options: ServingFitOptions }) => {
  try {
    const { model, report, ann } = await fitServingModel(message.data, message.options);
    const transferable = model.toTransferable();
    const bytes = modelToBytes(transferable, { shared: true });
    let annPath: string | undefined;
    if (ann !== undefined) {
      annPath = annHandoffPath();
      ann.save(annPath);
    }
    parentPort?.postMessage({ model: transferable, bytes, report, annPath }, [
      ...new Set(transferList(transferable)),
    ]);
  } catch (err) {
    parentPort?.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
});
