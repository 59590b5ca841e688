/**
 * Calibrated re-ranking (Steck, "Calibrated Recommendations", RecSys 2018). Given the user's
 * interest distribution p over groups (facets, genres) and candidates with a relevance and a group
 * distribution, greedily pick the k candidates that maximise (1 − λ)·Σ relevance − λ·KL(p ‖ q̃), where
 * q is the picked list's group mix (every pick weighs the same) and q̃ = (1 − α)·q + α·p keeps the KL
 * finite; then swap picks for unpicked candidates while a swap raises that objective. The KL of a
 * list does not depend on its order, so the picks are returned most relevant first.
 *
 * @example
 * calibratedRerank({ p: [0.7, 0.3], relevance: [1, 0.9, 0.8], groups: [[0], [0], [1]], k: 2, lambda: 0.5 });
 */
export interface CalibrateInput {
  /** The target distribution over groups (sums to 1). */
  p: readonly number[];
  /** Relevance of each candidate, on a probability-like scale in [0, 1] (see {@link softmaxRelevance}). */
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
  const counts = new Float64Array(p.length);
  const picked: number[] = [];
  const used = new Uint8Array(relevance.length);
  const classes = groupClasses(groups);
  let relSum = 0;
  const limit = Math.min(k, relevance.length);
  while (picked.length < limit) {
    let best = -1;
    let bestObjective = Number.NEGATIVE_INFINITY;
    const size = picked.length + 1;
    // Candidates with the same groups share the KL term, so only each class's most relevant one can win.
    for (const c of representatives(classes, relevance, used)) {
      add(counts, groups[c]!, 1);
      const kl = klDivergence(p, counts, size, alpha);
      add(counts, groups[c]!, -1);
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
    add(counts, groups[best]!, 1);
  }
  improveBySwaps(picked, used, counts, classes, input, alpha);
  // A stable sort: equally relevant picks keep the greedy order.
  return picked.sort((a, b) => relevance[b]! - relevance[a]!);
}

/** Candidates grouped by their exact list of groups: the members of a class trade the same KL. */
function groupClasses(groups: readonly (readonly number[])[]): Int32Array[] {
  const byKey = new Map<string, number[]>();
  for (let c = 0; c < groups.length; c++) {
    const g = groups[c]!;
    const key = g.length === 1 ? String(g[0]) : g.join(',');
    const members = byKey.get(key);
    if (members === undefined) byKey.set(key, [c]);
    else members.push(c);
  }
  return Array.from(byKey.values(), (members) => Int32Array.from(members));
}

/**
 * The most relevant unused candidate of each class (the first on ties), in candidate order, so a
 * scan over them picks what a scan over every candidate would.
 */
function representatives(
  classes: readonly Int32Array[],
  relevance: ArrayLike<number>,
  used: Uint8Array,
): number[] {
  const out: number[] = [];
  for (const members of classes) {
    let best = -1;
    for (let m = 0; m < members.length; m++) {
      const c = members[m]!;
      if (used[c] === 0 && (best < 0 || relevance[c]! > relevance[best]!)) best = c;
    }
    if (best < 0) continue;
    // Kept in candidate order as they come (a handful of classes; a sort would copy the list per call).
    let at = out.length;
    out.push(best);
    while (at > 0 && out[at - 1]! > best) {
      out[at] = out[at - 1]!;
      at--;
    }
    out[at] = best;
  }
  return out;
}

/**
 * The greedy fills a short list first, where one pick swings the mix; swapping a pick for an
 * unpicked candidate while that raises the objective of the full list repairs those early choices.
 */
function improveBySwaps(
  picked: number[],
  used: Uint8Array,
  counts: Float64Array,
  classes: readonly Int32Array[],
  input: CalibrateInput,
  alpha: number,
): void {
  const { p, relevance, groups, lambda } = input;
  const size = picked.length;
  // KL(p ‖ q̃) is a sum over groups, so a swap only changes the terms of the groups it touches.
  const term = (x: number): number => {
    const px = p[x]!;
    return px > 0 ? px * Math.log(px / ((1 - alpha) * (counts[x]! / size) + alpha * px)) : 0;
  };
  const shift = (cg: readonly number[], sign: number): number => {
    let delta = 0;
    for (const x of cg) delta -= term(x);
    add(counts, cg, sign);
    for (const x of cg) delta += term(x);
    return delta;
  };
  let kl = klDivergence(p, counts, size, alpha);
  // Every swap raises the objective, so this ends; the cap bounds the work on the request path.
  for (let round = 0; round < 2 * size; round++) {
    let bestGain = 1e-12;
    let out = -1;
    let into = -1;
    let intoKl = kl;
    // The gain grows with the incoming candidate's relevance, so each class offers only its best.
    const offers = representatives(classes, relevance, used);
    for (let k = 0; k < size; k++) {
      const o = picked[k]!;
      const withoutKl = kl + shift(groups[o]!, -1);
      for (const c of offers) {
        const swappedKl = withoutKl + shift(groups[c]!, 1);
        add(counts, groups[c]!, -1);
        const gain = (1 - lambda) * (relevance[c]! - relevance[o]!) - lambda * (swappedKl - kl);
        if (gain > bestGain) {
          bestGain = gain;
          out = k;
          into = c;
          intoKl = swappedKl;
        }
      }
      add(counts, groups[o]!, 1);
    }
    if (out < 0) return;
    const o = picked[out]!;
    add(counts, groups[o]!, -1);
    add(counts, groups[into]!, 1);
    used[o] = 0;
    used[into] = 1;
    picked[out] = into;
    kl = intoKl;
  }
}

/** Adds `sign` times one candidate's weight, split evenly over its groups, to the counts. */
function add(counts: Float64Array, groups: readonly number[], sign: number): void {
  for (const x of groups) counts[x] = counts[x]! + sign / groups.length;
}

/**
 * Maps scores to a probability-like relevance in (0, 1]: exp((s − s_max) / (τ·σ)), σ the scores'
 * standard deviation. Scores of any model (dot products, blends of standardised scores) then trade
 * against the KL on one scale; a larger τ flattens the relevance, so calibration costs less.
 *
 * @example
 * softmaxRelevance([3, 2, 1], 1); // [1, exp(−1.22), exp(−2.45)]
 */
export function softmaxRelevance(scores: ArrayLike<number>, temperature: number): Float64Array {
  const n = scores.length;
  const out = new Float64Array(n);
  if (n === 0) return out;
  let max = Number.NEGATIVE_INFINITY;
  let mean = 0;
  for (let i = 0; i < n; i++) {
    max = Math.max(max, scores[i]!);
    mean += scores[i]!;
  }
  mean /= n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (scores[i]! - mean) ** 2;
  const scale = Math.sqrt(variance / n) * temperature || 1;
  for (let i = 0; i < n; i++) out[i] = Math.exp((scores[i]! - max) / scale);
  return out;
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
