/**
 * Calibrated re-ranking (Steck, "Calibrated Recommendations", RecSys 2018). Given the user's
 * interest distribution p over groups (facets) and candidates with a relevance and a group
 * distribution, greedily build a list that maximises (1 - λ)·Σ relevance − λ·KL(p ‖ q̃), where q̃ =
 * (1 − α)·q + α·p smooths the list's distribution q so the KL stays finite.
 *
 * @example
 * calibratedRerank({ p: [0.7, 0.3], relevance: [1, 0.9, 0.8], groups: [[0], [0], [1]], k: 2, lambda: 0.5 });
 */
export interface CalibrateInput {
  /** The target distribution over groups (sums to 1). */
  p: readonly number[];
  /** Relevance of each candidate, normalised to [0, 1] by the caller. */
  relevance: ArrayLike<number>;
  /** The groups each candidate belongs to (its weight is split evenly among them). */
  groups: readonly (readonly number[])[];
  k: number;
  lambda: number;
  alpha?: number;
}

export function calibratedRerank(input: CalibrateInput): number[] {
  const { p, relevance, groups, k, lambda } = input;
  const alpha = input.alpha ?? 0.01;
  const g = p.length;
  const counts = new Float64Array(g);
  const picked: number[] = [];
  const used = new Uint8Array(relevance.length);
  let relSum = 0;
  const limit = Math.min(k, relevance.length);
  while (picked.length < limit) {
    let best = -1;
    let bestObjective = Number.NEGATIVE_INFINITY;
    const size = picked.length + 1;
    for (let c = 0; c < relevance.length; c++) {
      if (used[c] === 1) continue;
      const cg = groups[c]!;
      for (const x of cg) counts[x] = counts[x]! + 1 / cg.length;
      const kl = klDivergence(p, counts, size, alpha);
      for (const x of cg) counts[x] = counts[x]! - 1 / cg.length;
      const objective = (1 - lambda) * (relSum + relevance[c]!) - lambda * kl;
      if (objective > bestObjective) {
        bestObjective = objective;
        best = c;
      }
    }
    if (best < 0) break;
    used[best] = 1;
    picked.push(best);
    relSum += relevance[best]!;
    const bg = groups[best]!;
    for (const x of bg) counts[x] = counts[x]! + 1 / bg.length;
  }
  return picked;
}

/** KL(p ‖ q̃) where q = counts / size and q̃ = (1 − α)q + αp. */
export function klDivergence(
  p: readonly number[],
  counts: ArrayLike<number>,
  size: number,
  alpha = 0.01,
): number {
  let kl = 0;
  for (let x = 0; x < p.length; x++) {
    const px = p[x]!;
    if (px <= 0) continue;
    const q = size > 0 ? counts[x]! / size : 0;
    const qt = (1 - alpha) * q + alpha * px;
    kl += px * Math.log(px / qt);
  }
  return kl;
}
