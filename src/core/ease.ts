import { coOccurrence } from './co-occurrence.js';
import type { Csr } from './csr.js';
import { arrayOf, bufferOf, type FitResult, type Model, type TransferableModel } from './model.js';
import { spdInverse } from './spd-inverse.js';

/**
 * EASE (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019):
 * B = I − P·diag(1/diag(P)) with P = (XᵀX + λI)⁻¹, so diag(B) = 0; scores are history · B.
 * One dense inverse over the items it keeps, O(m³) time and O(m²) memory, so it keeps only the
 * `maxItems` most interacted-with items; the others get all-zero rows and columns in B (in a
 * blend, the other members score them).
 */
export interface EaseParams {
  readonly lambda: number;
  /** Keep at most this many items, the most interacted-with (default {@link EASE_DEFAULT_MAX_ITEMS}). */
  readonly maxItems?: number;
}

/**
 * The items EASE keeps by default. One inverse costs about 0.28 ns · m³ on the 2-core reference
 * machine (7.6 s at 3,000 items, 18 s at 4,000, 145 s at 8,000) and a λ sweep takes five of them;
 * at 3,000 each dense m × m matrix is 72 MB. See docs/guides/benchmarks.md.
 */
export const EASE_DEFAULT_MAX_ITEMS = 3_000;

export interface EaseModel extends Model {
  /** The engine item index of each kept item, ascending. */
  readonly items: Int32Array;
  /** Row-major items.length × items.length weights between the kept items. */
  readonly weights: Float32Array;
}

/**
 * Fits EASE over the most interacted-with items, or explains why it cannot.
 *
 * @example
 * const fit = fitEase(userItems, { lambda: 200 });
 * if (fit.ok) fit.model.scoreHistory(items, weights, scores);
 */
export function fitEase(x: Csr, params: EaseParams): FitResult<EaseModel> {
  const kept = easeItems(x, params.maxItems ?? EASE_DEFAULT_MAX_ITEMS);
  return easeFromGram(easeGram(x, kept), kept, x.cols, params.lambda);
}

/**
 * The items EASE keeps: those with at least one interaction, at most `maxItems` of them, the ones
 * with the most interactions first (ties to the lower index); returned ascending.
 */
export function easeItems(x: Csr, maxItems: number): Int32Array {
  const counts = new Float64Array(x.cols);
  for (let e = 0; e < x.indices.length; e++) counts[x.indices[e]!]!++;
  const active: number[] = [];
  for (let i = 0; i < x.cols; i++) if (counts[i]! > 0) active.push(i);
  if (active.length <= maxItems) return Int32Array.from(active);
  active.sort((a, b) => counts[b]! - counts[a]! || a - b);
  return Int32Array.from(active.slice(0, Math.max(0, maxItems))).sort();
}

/** The Gram matrix restricted to the `kept` items (compact indices), reusable across a λ sweep. */
export function easeGram(x: Csr, kept: Int32Array): Float64Array {
  const compact = new Int32Array(x.cols).fill(-1);
  for (let a = 0; a < kept.length; a++) compact[kept[a]!] = a;
  const indptr = new Int32Array(x.rows + 1);
  const indices: number[] = [];
  const values: number[] = [];
  for (let u = 0; u < x.rows; u++) {
    for (let e = x.indptr[u]!; e < x.indptr[u + 1]!; e++) {
      const c = compact[x.indices[e]!]!;
      if (c < 0) continue;
      indices.push(c);
      values.push(x.values[e]!);
    }
    indptr[u + 1] = indices.length;
  }
  return coOccurrence({
    rows: x.rows,
    cols: kept.length,
    indptr,
    indices: Int32Array.from(indices),
    values: Float32Array.from(values),
  });
}

/** EASE for one λ from a compact Gram matrix (left unchanged). */
export function easeFromGram(
  gram: Float64Array,
  kept: Int32Array,
  itemCount: number,
  lambda: number,
): FitResult<EaseModel> {
  const m = kept.length;
  const p = gram.slice();
  for (let i = 0; i < m; i++) p[i * m + i]! += lambda;
  if (!spdInverse(p, m)) {
    return { ok: false, issue: `XᵀX + ${lambda}·I is not positive definite: raise lambda` };
  }
  const weights = new Float32Array(m * m);
  for (let a = 0; a < m; a++) {
    const src = a * m;
    for (let b = 0; b < m; b++) {
      if (a !== b) weights[src + b] = -p[src + b]! / p[b * m + b]!;
    }
  }
  return { ok: true, model: createEaseModel(kept, weights, itemCount, lambda) };
}

export function createEaseModel(
  items: Int32Array,
  weights: Float32Array,
  n: number,
  lambda: number,
): EaseModel {
  const m = items.length;
  const compact = new Int32Array(n).fill(-1);
  for (let a = 0; a < m; a++) compact[items[a]!] = a;
  return {
    kind: 'ease',
    itemCount: n,
    capabilities: { incremental: true, needsItemVectors: false, personalised: true },
    items,
    weights,
    scoreHistory(history, hw, out) {
      out.fill(0);
      for (let h = 0; h < history.length; h++) {
        const item = history[h]!;
        if (item < 0 || item >= n) continue;
        const a = compact[item]!;
        if (a < 0) continue;
        const w = hw[h]!;
        const row = weights.subarray(a * m, (a + 1) * m);
        for (let b = 0; b < m; b++) out[items[b]!]! += w * row[b]!;
      }
    },
    toTransferable(): TransferableModel {
      return {
        meta: { kind: 'ease', itemCount: n, params: { lambda }, ownBuffers: 2 },
        buffers: [bufferOf(weights), bufferOf(items)],
      };
    },
  };
}

/** Also reads the format before items were kept (one buffer: every item, n × n). */
export function easeFromTransferable(t: TransferableModel): EaseModel {
  const n = t.meta.itemCount;
  const items =
    t.meta.ownBuffers === 1
      ? Int32Array.from({ length: n }, (_, i) => i)
      : arrayOf(Int32Array, t.buffers[1]!);
  return createEaseModel(items, arrayOf(Float32Array, t.buffers[0]!), n, t.meta.params.lambda ?? 0);
}
