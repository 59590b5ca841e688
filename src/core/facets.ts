/**
 * Interest facets from one user's recent items, in the manner of PinnerSage (Pal et al., KDD 2020):
 * cluster the items (average-linkage agglomerative clustering on an item-item similarity), represent
 * each cluster by its medoid (a real item, robust to outliers), and weight it by the recency-decayed
 * sum of its items' signal. Pure: the caller supplies the similarity and the weights.
 *
 * @example
 * const facets = clusterFacets(Float64Array.of(1, 1, 1), (a, b) => (a < 2) === (b < 2) ? 1 : 0, { minSimilarity: 0.3 });
 * facets.length; // 2
 */
export interface FacetCluster {
  /** Positions into the input arrays. */
  members: number[];
  /** Position of the medoid: the member most similar to the others. */
  medoid: number;
  /** Sum of the members' weights. */
  weight: number;
}

export interface ClusterOptions {
  /** Stop merging when the best average similarity between two clusters is below this. */
  minSimilarity: number;
  /** At most this many clusters are returned (the heaviest); the rest are merged into their nearest. */
  maxFacets?: number;
}

export function clusterFacets(
  weights: Float64Array,
  similarity: (a: number, b: number) => number,
  options: ClusterOptions,
): FacetCluster[] {
  const n = weights.length;
  if (n === 0) return [];
  const sim = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    sim[a * n + a] = 1;
    for (let b = a + 1; b < n; b++) {
      const s = similarity(a, b);
      sim[a * n + b] = s;
      sim[b * n + a] = s;
    }
  }
  // Average linkage on cluster sums: link(A, B) = total(A, B) / (|A| |B|).
  let clusters: number[][] = Array.from({ length: n }, (_, i) => [i]);
  const total = (A: number[], B: number[]): number => {
    let s = 0;
    for (const a of A) for (const b of B) s += sim[a * n + b]!;
    return s;
  };
  for (;;) {
    let best = -1;
    let bestA = -1;
    let bestB = -1;
    for (let x = 0; x < clusters.length; x++) {
      for (let y = x + 1; y < clusters.length; y++) {
        const A = clusters[x]!;
        const B = clusters[y]!;
        const link = total(A, B) / (A.length * B.length);
        if (link > best) {
          best = link;
          bestA = x;
          bestB = y;
        }
      }
    }
    if (bestA < 0 || best < options.minSimilarity) break;
    clusters[bestA] = [...clusters[bestA]!, ...clusters[bestB]!];
    clusters.splice(bestB, 1);
  }
  let result = clusters.map((members) => toCluster(members, weights, sim, n));
  result.sort((a, b) => b.weight - a.weight || a.medoid - b.medoid);
  const max = options.maxFacets ?? Number.POSITIVE_INFINITY;
  if (result.length > max) {
    const kept = result.slice(0, max);
    for (const extra of result.slice(max)) {
      let target = 0;
      let bestLink = Number.NEGATIVE_INFINITY;
      kept.forEach((k, idx) => {
        const link = total(k.members, extra.members) / (k.members.length * extra.members.length);
        if (link > bestLink) {
          bestLink = link;
          target = idx;
        }
      });
      kept[target]!.members.push(...extra.members);
    }
    clusters = kept.map((k) => k.members);
    result = clusters.map((members) => toCluster(members, weights, sim, n));
    result.sort((a, b) => b.weight - a.weight || a.medoid - b.medoid);
  }
  return result;
}

function toCluster(members: number[], weights: Float64Array, sim: Float64Array, n: number): FacetCluster {
  let medoid = members[0]!;
  let bestScore = Number.NEGATIVE_INFINITY;
  let weight = 0;
  for (const a of members) {
    weight += weights[a]!;
    let s = 0;
    for (const b of members) s += sim[a * n + b]! * weights[b]!;
    if (s > bestScore) {
      bestScore = s;
      medoid = a;
    }
  }
  return { members: [...members].sort((x, y) => x - y), medoid, weight };
}

/** Cosine similarity of two sparse bags (key -> weight). */
export function bagCosine(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [k, v] of a) {
    na += v * v;
    const w = b.get(k);
    if (w !== undefined) dot += v * w;
  }
  for (const v of b.values()) nb += v * v;
  return dot / Math.sqrt(na * nb);
}
