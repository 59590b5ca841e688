// Worker entry for serving-model.ts: a thin wrapper around fitServingModel.
import { parentPort } from 'node:worker_threads';
import type { Csr } from '../core/csr.js';
import { transferList } from '../core/model-codec.js';
import { fitServingModel } from './serving-model.js';

parentPort?.once('message', async (message: { data: Csr; options: { workers: number; seed: number } }) => {
  try {
    const { model, report } = await fitServingModel(message.data, message.options);
    const transferable = model.toTransferable();
    parentPort?.postMessage({ model: transferable, report }, [...new Set(transferList(transferable))]);
  } catch (err) {
    parentPort?.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
});
