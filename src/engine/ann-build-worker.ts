// Worker entry for ann-index.ts: decodes a serialised model and indexes its item vectors.
import { parentPort } from 'node:worker_threads';
import { modelFromBytes, modelFromTransferable } from '../core/model-codec.js';
import { type AnnOptions, annHandoffPath, buildAnnIndex } from './ann-index.js';
import { lowerThreadPriority } from './start-worker.js';

lowerThreadPriority();

parentPort?.once('message', (message: { modelBytes: Uint8Array; options: AnnOptions }) => {
  try {
    // The bytes are shared with (or were copied for) this thread: read in place, not copied again.
    const model = modelFromTransferable(modelFromBytes(message.modelBytes, { copy: false }));
    if (model.itemVector === undefined || model.itemCount === 0) {
      parentPort?.postMessage({});
      return;
    }
    const dims = model.itemVector(0).length;
    const path = annHandoffPath();
    // The vectors are indexed where the model holds them (a copy was 256 MB at a million items).
    buildAnnIndex(model.itemVector.bind(model), model.itemCount, dims, message.options).save(path);
    parentPort?.postMessage({ path, count: model.itemCount, dims });
  } catch (err) {
    parentPort?.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
});
