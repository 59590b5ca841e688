import { calibratedRerank, klDivergence } from '../core/calibrate.js';
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
const CANDIDATES = 40;
const K = 10;
/** Relevance is a softmax of the candidates' scores at this multiple of their spread. */
const TEMPERATURE = 0.75;

/**
 * Measures miscalibration with and without the calibrated re-rank (Steck, RecSys 2018): for every
 * user with held-out items, p is the genre mix of their train items (each item's genres share it
 * evenly), the plain list is the model's top 10, the calibrated list is re-ranked from its top 40
 * with relevance exp((s − s_max) / (τ·σ)), a probability-like score as Steck's objective expects.
 *
 * @example
 * const r = evaluateCalibration(model, train, test, genresOfItem, 20, 0.5);
 */
export function evaluateCalibration(
  model: Model,
  train: Csr,
  test: Csr,
  itemGroups: readonly (readonly number[])[],
  groupCount: number,
  lambda: number,
): CalibrationReport {
  const out = new Float32Array(model.itemCount);
  const plain = { ndcg: 0, kl: 0 };
  const calibrated = { ndcg: 0, kl: 0 };
  let users = 0;
  const distribution = (items: ArrayLike<number>): Float64Array => {
    const d = new Float64Array(groupCount);
    let total = 0;
    for (let k = 0; k < items.length; k++) {
      const groups = itemGroups[items[k]!] ?? [];
      for (const g of groups) d[g] = d[g]! + 1 / groups.length;
      if (groups.length > 0) total++;
    }
    if (total > 0) for (let g = 0; g < groupCount; g++) d[g] = d[g]! / total;
    return d;
  };
  const klOf = (p: Float64Array, list: ArrayLike<number>): number => {
    const counts = new Float64Array(groupCount);
    for (let k = 0; k < list.length; k++) {
      const groups = itemGroups[list[k]!] ?? [];
      for (const g of groups) counts[g] = counts[g]! + 1 / groups.length;
    }
    return klDivergence([...p], counts, list.length);
  };
  for (let u = 0; u < test.rows; u++) {
    const held = csrRow(test, u).indices;
    if (held.length === 0) continue;
    const history = csrRow(train, u);
    model.scoreHistory(history.indices, history.values, out);
    const seen = new Set(history.indices);
    const candidates = topK(out, CANDIDATES, (i) => seen.has(i));
    const relevant = new Set(held);
    const p = distribution(history.indices);
    const top = candidates.subarray(0, K);
    plain.ndcg += ndcgAtK(top, relevant, K);
    plain.kl += klOf(p, top);
    let mean = 0;
    for (const c of candidates) mean += out[c]!;
    mean /= candidates.length;
    let variance = 0;
    for (const c of candidates) variance += (out[c]! - mean) ** 2;
    const spread = Math.sqrt(variance / candidates.length) * TEMPERATURE || 1;
    const best = out[candidates[0]!]!;
    const relevance = Array.from(candidates, (c) => Math.exp((out[c]! - best) / spread));
    const picked = calibratedRerank({
      p: [...p],
      relevance,
      groups: Array.from(candidates, (c) => itemGroups[c] ?? []),
      k: K,
      lambda,
    });
    const list = Int32Array.from(picked, (k) => candidates[k]!);
    calibrated.ndcg += ndcgAtK(list, relevant, K);
    calibrated.kl += klOf(p, list);
    users++;
  }
  const n = Math.max(1, users);
  const report = {
    lambda,
    plain: { ndcg10: plain.ndcg / n, kl: plain.kl / n },
    calibrated: { ndcg10: calibrated.ndcg / n, kl: calibrated.kl / n },
  };
  return {
    ...report,
    klReduction: report.plain.kl > 0 ? 1 - report.calibrated.kl / report.plain.kl : 0,
    ndcgLoss: report.plain.ndcg10 > 0 ? 1 - report.calibrated.ndcg10 / report.plain.ndcg10 : 0,
  };
}

/**
 * The strongest re-rank whose NDCG@10 loss stays within `maxNdcgLoss`, measured on a validation
 * split (never on test), from a grid of lambdas.
 */
export function chooseCalibrationLambda(
  model: Model,
  fitPart: Csr,
  validation: Csr,
  itemGroups: readonly (readonly number[])[],
  groupCount: number,
  maxNdcgLoss = 0.02,
  grid: readonly number[] = [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5],
): { lambda: number; sweep: CalibrationReport[] } {
  const sweep = grid.map((lambda) =>
    evaluateCalibration(model, fitPart, validation, itemGroups, groupCount, lambda),
  );
  let lambda = 0;
  for (const r of sweep) if (r.ndcgLoss <= maxNdcgLoss && r.lambda > lambda) lambda = r.lambda;
  return { lambda, sweep };
}
