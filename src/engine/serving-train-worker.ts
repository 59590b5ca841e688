// Worker entry for serving-model.ts: a thin wrapper around fitServingModel.
import { parentPort } from 'node:worker_threads';
import type { Csr } from '../core/csr.js';
import { transferList } from '../core/model-codec.js';
import { annHandoffPath, fitServingModel, type ServingFitOptions } from './serving-model.js';

parentPort?.once('message', async (message: { data: Csr; options: ServingFitOptions }) => {
  try {
    const { model, report, ann } = await fitServingModel(message.data, message.options);
    const transferable = model.toTransferable();
    let annPath: string | undefined;
    if (ann !== undefined) {
      annPath = annHandoffPath();
      ann.save(annPath);
    }
    parentPort?.postMessage({ model: transferable, report, annPath }, [
      ...new Set(transferList(transferable)),
    ]);
  } catch (err) {
    parentPort?.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
});
