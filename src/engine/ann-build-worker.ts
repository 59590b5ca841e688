// Worker entry for ann-index.ts: decodes a serialised model and indexes its item vectors.
import { parentPort } from 'node:worker_threads';
import { modelFromBytes, modelFromTransferable } from '../core/model-codec.js';
import { type AnnOptions, annHandoffPath, buildAnnIndex } from './ann-index.js';
import { lowerThreadPriority } from './start-worker.js';

lowerThreadPriority();

parentPort?.once('message', async (message: { modelBytes: Uint8Array; options: AnnOptions }) => {
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
    const index = buildAnnIndex(model.itemVector.bind(model), model.itemCount, dims, message.options);
    index.save(path);
    // Freed before the reply, at normal priority: this thread (nice 10) freeing it as it stops held
    // the memory-map lock that the server thread's next mmap or brk (a scavenge's) waits for.
    await index.release();
    parentPort?.postMessage({ path, count: model.itemCount, dims });
  } catch (err) {
    parentPort?.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
});
