import { ndcgAtK } from './metrics.js';
import type { Model, TransferableModel } from './model.js';
import { topK } from './top-k.js';

/**
 * A weighted sum of member models' per-user standardised scores (z-scores over the catalogue), the
 * linear blending of the Netflix Prize ensembles (Töscher, Jahrer, Bell 2009), with weights chosen by
 * coordinate search on a validation split ({@link learnBlendWeights}).
 */
export interface BlendModel extends Model {
  readonly members: readonly Model[];
  readonly weights: Float64Array;
}

/**
 * @example
 * const blend = createBlendModel([ease, knn], Float64Array.of(1, 0.3));
 */
export function createBlendModel(members: readonly Model[], weights: Float64Array): BlendModel {
  const itemCount = members[0]?.itemCount ?? 0;
  const scratch = new Float32Array(itemCount);
  return {
    kind: 'blend',
    itemCount,
    capabilities: {
      incremental: members.every((m) => m.capabilities.incremental),
      needsItemVectors: false,
      personalised: members.some((m, i) => weights[i] !== 0 && m.capabilities.personalised),
    },
    members,
    weights,
    scoreHistory(items, hw, out) {
      out.fill(0);
      for (let m = 0; m < members.length; m++) {
        const w = weights[m]!;
        if (w === 0) continue;
        members[m]!.scoreHistory(items, hw, scratch);
        standardise(scratch);
        for (let i = 0; i < itemCount; i++) out[i]! += w * scratch[i]!;
      }
    },
    toTransferable(): TransferableModel {
      const parts = members.map((m) => m.toTransferable());
      return {
        meta: {
          kind: 'blend',
          itemCount,
          params: Object.fromEntries([...weights].map((w, i) => [`w${i}`, w])),
          members: parts.map((p) => p.meta),
          ownBuffers: 0,
        },
        buffers: parts.flatMap((p) => p.buffers),
      };
    },
  };
}

/** In place: (s − mean) / std; an all-equal vector becomes zeros. */
export function standardise(scores: Float32Array): void {
  const n = scores.length;
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    const v = scores[i]!;
    sum += v;
    sumSq += v * v;
  }
  const mean = sum / n;
  const variance = sumSq / n - mean * mean;
  const inv = variance > 1e-24 ? 1 / Math.sqrt(variance) : 0;
  for (let i = 0; i < n; i++) scores[i] = (scores[i]! - mean) * inv;
}

/** One validation user for {@link learnBlendWeights}. */
export interface BlendCase {
  /** Per member, the standardised scores over the catalogue. */
  readonly memberScores: readonly Float32Array[];
  /** Items to leave out of the ranking (the user's training items). */
  readonly exclude: Int32Array;
  readonly relevant: ReadonlySet<number>;
}

export interface BlendSearch {
  readonly k: number;
  /** Candidate weights tried for each member in turn. */
  readonly grid: readonly number[];
  readonly passes: number;
}

export const BLEND_SEARCH_DEFAULTS: BlendSearch = {
  k: 10,
  grid: [0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2],
  passes: 2,
};

/**
 * Coordinate search over member weights maximising mean NDCG@k on validation cases: start from
 * the best single member at weight 1, then for each other member in turn keep the grid value that
 * helps most, for a few passes. Returns the weights and the validation NDCG they reach.
 */
export function learnBlendWeights(
  cases: readonly BlendCase[],
  members: number,
  search: BlendSearch = BLEND_SEARCH_DEFAULTS,
): { weights: Float64Array; ndcg: number } {
  const itemCount = cases[0]?.memberScores[0]?.length ?? 0;
  const combined = new Float32Array(itemCount);
  const excluded = new Uint8Array(itemCount);
  const evaluate = (weights: Float64Array): number => {
    let total = 0;
    for (const c of cases) {
      combined.fill(0);
      for (let m = 0; m < members; m++) {
        const w = weights[m]!;
        if (w === 0) continue;
        const s = c.memberScores[m]!;
        for (let i = 0; i < itemCount; i++) combined[i]! += w * s[i]!;
      }
      for (let e = 0; e < c.exclude.length; e++) excluded[c.exclude[e]!] = 1;
      const ranked = topK(combined, search.k, (i) => excluded[i] === 1);
      for (let e = 0; e < c.exclude.length; e++) excluded[c.exclude[e]!] = 0;
      total += ndcgAtK(ranked, c.relevant, search.k);
    }
    return cases.length === 0 ? 0 : total / cases.length;
  };
  let best = new Float64Array(members);
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let m = 0; m < members; m++) {
    const single = new Float64Array(members);
    single[m] = 1;
    const score = evaluate(single);
    if (score > bestScore) {
      bestScore = score;
      best = single;
    }
  }
  const anchor = best.indexOf(1);
  for (let pass = 0; pass < search.passes; pass++) {
    let improved = false;
    for (let m = 0; m < members; m++) {
      if (m === anchor) continue;
      for (const w of search.grid) {
        if (w === best[m]) continue;
        const trial = best.slice();
        trial[m] = w;
        const score = evaluate(trial);
        if (score > bestScore + 1e-9) {
          bestScore = score;
          best = trial;
          improved = true;
        }
      }
    }
    if (!improved) break;
  }
  return { weights: best, ndcg: bestScore };
}
