import type { Csr } from './csr.js';
import { arrayOf, bufferOf, type Model, type TransferableModel } from './model.js';

/**
 * The popularity baseline: every user gets the items with the most interactions. It ignores the
 * history, the floor every personalised model must beat.
 *
 * @example
 * const model = fitPopularity(userItems);
 */
export function fitPopularity(x: Csr): Model {
  const counts = new Float32Array(x.cols);
  for (let e = 0; e < x.indices.length; e++) counts[x.indices[e]!]! += 1;
  return createPopularityModel(counts);
}

export function createPopularityModel(counts: Float32Array): Model {
  return {
    kind: 'popularity',
    itemCount: counts.length,
    capabilities: { incremental: true, needsItemVectors: false, personalised: false },
    scoreHistory(_items, _weights, out) {
      out.set(counts);
    },
    toTransferable(): TransferableModel {
      return {
        meta: { kind: 'popularity', itemCount: counts.length, params: {}, ownBuffers: 1 },
        buffers: [bufferOf(counts)],
      };
    },
  };
}

export function popularityFromTransferable(t: TransferableModel): Model {
  return createPopularityModel(arrayOf(Float32Array, t.buffers[0]!));
}
