import { coOccurrence } from './co-occurrence.js';
import type { Csr } from './csr.js';
import { arrayOf, bufferOf, type FitResult, type Model, type TransferableModel } from './model.js';
import { spdInverse } from './spd-inverse.js';

/**
 * EASE (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019):
 * B = I − P·diag(1/diag(P)) with P = (XᵀX + λI)⁻¹, so diag(B) = 0; scores are history · B.
 * One dense items×items inverse, so fitting is refused above `maxItems`.
 */
export interface EaseParams {
  readonly lambda: number;
  /** Refuse to fit above this many items with interactions (the inverse is O(n³) time, O(n²) memory). */
  readonly maxItems?: number;
}

export const EASE_DEFAULT_MAX_ITEMS = 20_000;

export interface EaseModel extends Model {
  /** Row-major itemCount × itemCount weights. */
  readonly weights: Float32Array;
}

/**
 * Fits EASE, or explains why it cannot.
 *
 * @example
 * const fit = fitEase(userItems, { lambda: 200 });
 * if (fit.ok) fit.model.scoreHistory(items, weights, scores);
 */
export function fitEase(x: Csr, params: EaseParams): FitResult<EaseModel> {
  const active = activeItems(x);
  const limit = params.maxItems ?? EASE_DEFAULT_MAX_ITEMS;
  if (active.length > limit) {
    return {
      ok: false,
      issue: `EASE needs a dense ${active.length}×${active.length} inverse, above maxItems ${limit}: use item-kNN, RP3beta or iALS`,
    };
  }
  return easeFromGram(easeGram(x, active), active, x.cols, params.lambda);
}

/** Items with at least one interaction: the others get all-zero rows and columns in B. */
export function activeItems(x: Csr): Int32Array {
  const seen = new Uint8Array(x.cols);
  for (let e = 0; e < x.indices.length; e++) seen[x.indices[e]!] = 1;
  const out: number[] = [];
  for (let i = 0; i < x.cols; i++) if (seen[i]) out.push(i);
  return Int32Array.from(out);
}

/** The Gram matrix restricted to `active` items (compact indices), reusable across a λ sweep. */
export function easeGram(x: Csr, active: Int32Array): Float64Array {
  const compact = new Int32Array(x.cols).fill(-1);
  for (let a = 0; a < active.length; a++) compact[active[a]!] = a;
  const indices = new Int32Array(x.indices.length);
  for (let e = 0; e < indices.length; e++) indices[e] = compact[x.indices[e]!]!;
  return coOccurrence({ rows: x.rows, cols: active.length, indptr: x.indptr, indices, values: x.values });
}

/** EASE for one λ from a compact Gram matrix (left unchanged). */
export function easeFromGram(
  gram: Float64Array,
  active: Int32Array,
  itemCount: number,
  lambda: number,
): FitResult<EaseModel> {
  const m = active.length;
  const p = gram.slice();
  for (let i = 0; i < m; i++) p[i * m + i]! += lambda;
  if (!spdInverse(p, m)) {
    return { ok: false, issue: `XᵀX + ${lambda}·I is not positive definite: raise lambda` };
  }
  const n = itemCount;
  const weights = new Float32Array(n * n);
  for (let a = 0; a < m; a++) {
    const row = active[a]! * n;
    const src = a * m;
    for (let b = 0; b < m; b++) {
      if (a !== b) weights[row + active[b]!] = -p[src + b]! / p[b * m + b]!;
    }
  }
  return { ok: true, model: createEaseModel(weights, n, lambda) };
}

export function createEaseModel(weights: Float32Array, n: number, lambda: number): EaseModel {
  return {
    kind: 'ease',
    itemCount: n,
    capabilities: { incremental: true, needsItemVectors: false, personalised: true },
    weights,
    scoreHistory(items, hw, out) {
      out.fill(0);
      for (let h = 0; h < items.length; h++) {
        const item = items[h]!;
        if (item < 0 || item >= n) continue;
        const w = hw[h]!;
        const row = weights.subarray(item * n, (item + 1) * n);
        for (let j = 0; j < n; j++) out[j]! += w * row[j]!;
      }
    },
    toTransferable(): TransferableModel {
      return {
        meta: { kind: 'ease', itemCount: n, params: { lambda }, ownBuffers: 1 },
        buffers: [bufferOf(weights)],
      };
    },
  };
}

export function easeFromTransferable(t: TransferableModel): EaseModel {
  return createEaseModel(arrayOf(Float32Array, t.buffers[0]!), t.meta.itemCount, t.meta.params.lambda ?? 0);
}
