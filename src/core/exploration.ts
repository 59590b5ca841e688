import type { Random } from './random.js';
import { topK } from './top-k.js';

export interface ExplorationArms {
  /** Candidate item indices. */
  items: ArrayLike<number>;
  /** Per candidate (aligned with `items`): successes observed. */
  successes: ArrayLike<number>;
  /** Per candidate: failures observed (trials without success). */
  failures: ArrayLike<number>;
  /** Per candidate: the prior mean success rate, e.g. its category's and creator's. */
  priorMean: ArrayLike<number>;
  /** Per candidate: a multiplier on the sampled rate (freshness); 1 when absent. */
  boost?: ArrayLike<number>;
}

/**
 * Thompson sampling (Thompson 1933; Chapelle and Li, NIPS 2011): draws a success rate for every arm
 * from Beta(successes + a, failures + b), with a + b = `priorStrength` and a / (a + b) the arm's prior
 * mean, and returns the `slots` arms with the largest draws (times their boost), best first.
 *
 * @example
 * pickExploration({ items: [7, 9], successes: [0, 30], failures: [0, 70], priorMean: [0.3, 0.3] }, 1, 4, rng);
 * // [7] most of the time: the unknown arm's draw is wide, the known one's is near 0.3
 */
export function pickExploration(
  arms: ExplorationArms,
  slots: number,
  priorStrength: number,
  rng: Random,
): { items: number[]; samples: number[] } {
  const n = arms.items.length;
  const draws = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const mean = clamp(arms.priorMean[k]!, 0.01, 0.99);
    const a = arms.successes[k]! + mean * priorStrength;
    const b = arms.failures[k]! + (1 - mean) * priorStrength;
    draws[k] = rng.beta(a, b) * (arms.boost?.[k] ?? 1);
  }
  const chosen = Array.from(topK(draws, Math.max(0, slots)));
  return { items: chosen.map((k) => arms.items[k]!), samples: chosen.map((k) => draws[k]!) };
}

/**
 * Positions for `slots` reserved items in a list of `n`, spread evenly and never at the top.
 *
 * @example
 * spreadPositions(20, 2); // [5, 15]
 */
export function spreadPositions(n: number, slots: number): number[] {
  const out: number[] = [];
  for (let j = 0; j < slots; j++) out.push(Math.min(n - 1, Math.max(1, Math.floor(((j + 0.5) * n) / slots))));
  return out;
}

/**
 * Reorders `ranked` so that at most `maxCount` of its first `n` entries satisfy `capped`; the
 * overflow keeps its order and moves behind them, still available as filler.
 *
 * @example
 * capShare([1, 2, 3, 4], (i) => i < 3, 3, 1); // [1, 4, 2, 3]
 */
export function capShare(
  ranked: readonly number[],
  capped: (item: number) => boolean,
  n: number,
  maxCount: number,
): number[] {
  // One list: the head, then the capped items held back from it, then the rest as it comes.
  const out: number[] = [];
  const held: number[] = [];
  let count = 0;
  let r = 0;
  for (; r < ranked.length && out.length < n; r++) {
    const item = ranked[r]!;
    if (!capped(item)) out.push(item);
    else if (count < maxCount) {
      out.push(item);
      count++;
    } else held.push(item);
  }
  for (const item of held) out.push(item);
  for (; r < ranked.length; r++) out.push(ranked[r]!);
  return out;
}

function clamp(x: number, lo: number, hi: number): number {
  return Number.isFinite(x) ? Math.min(hi, Math.max(lo, x)) : lo;
}
