// Worker entry for ann-index.ts: decodes a serialised model and indexes its item vectors.
import { parentPort } from 'node:worker_threads';
import { modelFromBytes, modelFromTransferable } from '../core/model-codec.js';
import { type AnnOptions, annHandoffPath, buildAnnIndex } from './ann-index.js';
import { lowerThreadPriority } from './start-worker.js';

lowerThreadPriority();

parentPort?.once('message', (message: { modelBytes: Uint8Array; options: AnnOptions }) => {
  try {
    // The bytes arrived as this thread's own copy: read in place, not copied again.
    const model = modelFromTransferable(modelFromBytes(message.modelBytes, { copy: false }));
    if (model.itemVector === undefined || model.itemCount === 0) {
      parentPort?.postMessage({});
      return;
    }
    const dims = model.itemVector(0).length;
    const vectors = new Float32Array(model.itemCount * dims);
    for (let m = 0; m < model.itemCount; m++) vectors.set(model.itemVector(m), m * dims);
    const path = annHandoffPath();
    buildAnnIndex(vectors, model.itemCount, dims, message.options).save(path);
    parentPort?.postMessage({ path, count: model.itemCount, dims });
  } catch (err) {
    parentPort?.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
});
