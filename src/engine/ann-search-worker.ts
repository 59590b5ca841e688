// Worker entry for ann-search-thread.ts: holds one model's ANN index and answers its searches, so a
// feed's fold-in, search and exact scoring run beside the server thread instead of on it.
import { parentPort } from 'node:worker_threads';
import { modelFromBytes, modelFromTransferable } from '../core/model-codec.js';
import { type AnnIndex, type AnnOptions, exactScore, isZeroVector, loadAnnIndex } from './ann-index.js';
import type { SearchReply, SearchRequest } from './ann-search-thread.js';

/** What the thread starts with: the model's bytes (shared memory, read in place) and the index's files. */
export interface SearchInit {
  modelBytes: Uint8Array;
  path: string;
  count: number;
  dims: number;
  options: AnnOptions;
}

parentPort?.once('message', async (init: SearchInit) => {
  let ann: AnnIndex;
  let model: ReturnType<typeof modelFromTransferable>;
  try {
    model = modelFromTransferable(modelFromBytes(init.modelBytes, { copy: false }));
    if (model.userVector === undefined || model.itemVector === undefined) {
      throw new Error('the model has no user and item vectors to search with');
    }
    ann = await loadAnnIndex(init.path, init.count, init.dims, init.options);
  } catch (err) {
    parentPort?.postMessage({ error: err instanceof Error ? err.message : String(err) });
    return;
  }
  const user = new Float32Array(init.dims);
  parentPort?.postMessage({ ready: true, efSearch: ann.efSearch });
  parentPort?.on('message', (request: SearchRequest) => {
    if (request.kind === 'release') {
      // Freed here on the libuv pool before the thread stops, not as the isolate is torn down.
      void ann.release().finally(() => parentPort?.postMessage({ released: true }));
      return;
    }
    let reply: SearchReply;
    if (request.kind === 'query') {
      const found = ann.search(request.query, request.ask);
      reply = { id: request.id, found, exact: new Float64Array(0) };
    } else {
      model.userVector!(request.items, request.weights, user);
      if (isZeroVector(user)) {
        reply = { id: request.id, found: new Int32Array(0), exact: new Float64Array(0) };
      } else {
        const found = ann.searchScored(user, request.ask).items;
        // Each found item's exact score, as the serving model sums it.
        const exact = new Float64Array(found.length);
        for (let r = 0; r < found.length; r++) exact[r] = exactScore(model.itemVector!(found[r]!), user);
        reply = { id: request.id, user: user.slice(), found, exact };
      }
    }
    const transfer: ArrayBuffer[] = [reply.found.buffer as ArrayBuffer, reply.exact.buffer as ArrayBuffer];
    if (reply.user !== undefined) transfer.push(reply.user.buffer as ArrayBuffer);
    parentPort?.postMessage(reply, transfer);
  });
});
