import { calibratedRerank, klDivergence, softmaxRelevance } from '../core/calibrate.js';
import { type Csr, csrRow } from '../core/csr.js';
import { ndcgAtK } from '../core/metrics.js';
import type { Model } from '../core/model.js';
import { topK } from '../core/top-k.js';

export interface CalibrationMetrics {
  ndcg10: number;
  /** Mean KL(p‖q̃) between the user's genre mix and the top-10's (Steck 2018, α = 0.01). */
  kl: number;
}

export interface CalibrationReport {
  lambda: number;
  plain: CalibrationMetrics;
  calibrated: CalibrationMetrics;
  /** 1 − calibrated KL / plain KL. */
  klReduction: number;
  /** 1 − calibrated NDCG / plain NDCG. */
  ndcgLoss: number;
}

/** The calibrated list is re-ranked from the model's top 40. */
export const CALIBRATION_CANDIDATES = 40;
/** Relevance is a softmax of the candidates' scores at this multiple of their spread. */
export const CALIBRATION_TEMPERATURE = 1.5;
/** The lambdas tried on validation and shown on test. */
export const CALIBRATION_GRID: readonly number[] = [
  0.1, 0.2, 0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9,
];
const K = 10;

/**
 * Measures miscalibration with and without the calibrated re-rank (Steck, RecSys 2018) at each
 * lambda: for every user with held-out items, p is the genre mix of their train items (each item's
 * genres share it evenly), the plain list is the model's top 10, the calibrated list is re-ranked
 * from its top 40 by `calibratedRerank` with relevance `softmaxRelevance(scores, 1.5)`, the same
 * re-rank the feed uses. The KL is Steck's, with q the top 10's genre mix, every item weighing the same.
 *
 * @example
 * const [r] = calibrationSweep(model, train, test, genresOfItem, 20, [0.5]);
 */
export function calibrationSweep(
  model: Model,
  train: Csr,
  test: Csr,
  itemGroups: readonly (readonly number[])[],
  groupCount: number,
  lambdas: readonly number[],
): CalibrationReport[] {
  const out = new Float32Array(model.itemCount);
  const plain = { ndcg: 0, kl: 0 };
  const calibrated = lambdas.map(() => ({ ndcg: 0, kl: 0 }));
  let users = 0;
  const distribution = (items: ArrayLike<number>): number[] => {
    const d = new Array<number>(groupCount).fill(0);
    let total = 0;
    for (let k = 0; k < items.length; k++) {
      const groups = itemGroups[items[k]!] ?? [];
      for (const g of groups) d[g] = d[g]! + 1 / groups.length;
      if (groups.length > 0) total++;
    }
    return total > 0 ? d.map((x) => x / total) : d;
  };
  const klOf = (p: readonly number[], list: ArrayLike<number>): number => {
    const counts = new Float64Array(groupCount);
    for (let k = 0; k < list.length; k++) {
      const groups = itemGroups[list[k]!] ?? [];
      for (const g of groups) counts[g] = counts[g]! + 1 / groups.length;
    }
    return klDivergence(p, counts, list.length);
  };
  for (let u = 0; u < test.rows; u++) {
    const held = csrRow(test, u).indices;
    if (held.length === 0) continue;
    const history = csrRow(train, u);
    model.scoreHistory(history.indices, history.values, out);
    const seen = new Set(history.indices);
    const candidates = topK(out, CALIBRATION_CANDIDATES, (i) => seen.has(i));
    const relevant = new Set(held);
    const p = distribution(history.indices);
    const top = candidates.subarray(0, K);
    plain.ndcg += ndcgAtK(top, relevant, K);
    plain.kl += klOf(p, top);
    const relevance = softmaxRelevance(
      Float64Array.from(candidates, (c) => out[c]!),
      CALIBRATION_TEMPERATURE,
    );
    const groups = Array.from(candidates, (c) => itemGroups[c] ?? []);
    lambdas.forEach((lambda, l) => {
      const picked = calibratedRerank({ p, relevance, groups, k: K, lambda });
      const list = Int32Array.from(picked, (k) => candidates[k]!);
      calibrated[l]!.ndcg += ndcgAtK(list, relevant, K);
      calibrated[l]!.kl += klOf(p, list);
    });
    users++;
  }
  const n = Math.max(1, users);
  const before = { ndcg10: plain.ndcg / n, kl: plain.kl / n };
  return lambdas.map((lambda, l) => {
    const after = { ndcg10: calibrated[l]!.ndcg / n, kl: calibrated[l]!.kl / n };
    return {
      lambda,
      plain: before,
      calibrated: after,
      klReduction: before.kl > 0 ? 1 - after.kl / before.kl : 0,
      ndcgLoss: before.ndcg10 > 0 ? 1 - after.ndcg10 / before.ndcg10 : 0,
    };
  });
}

/** {@link calibrationSweep} at one lambda. */
export function evaluateCalibration(
  model: Model,
  train: Csr,
  test: Csr,
  itemGroups: readonly (readonly number[])[],
  groupCount: number,
  lambda: number,
): CalibrationReport {
  return calibrationSweep(model, train, test, itemGroups, groupCount, [lambda])[0]!;
}

/**
 * The lambda that cuts the KL most while the NDCG@10 loss stays within `maxNdcgLoss`, read off a
 * sweep on a validation split (never on test); 0 when no lambda qualifies.
 *
 * @example
 * chooseCalibrationLambda(calibrationSweep(model, fitPart, validation, groups, 20, CALIBRATION_GRID));
 */
export function chooseCalibrationLambda(sweep: readonly CalibrationReport[], maxNdcgLoss = 0.015): number {
  let best: CalibrationReport | undefined;
  for (const r of sweep) {
    if (r.ndcgLoss <= maxNdcgLoss && (best === undefined || r.klReduction > best.klReduction)) best = r;
  }
  return best?.lambda ?? 0;
}
