import { decay } from '../core/event-weight.js';
import { bagCosine, clusterFacets } from '../core/facets.js';
import type { EngineConfig } from './config.js';
import type { OnlineState } from './online-state.js';

/** One interest facet of a user, as the profile API shows it. */
export interface FacetView {
  id: string;
  label: string;
  weight: number;
  tags: string[];
  examples: string[];
  muted: boolean;
}

/** A facet inside the engine: items as indices, for retrieval. */
export interface UserFacet {
  id: string;
  label: string;
  tags: string[];
  /** Normalised weight over all the user's facets. */
  weight: number;
  muted: boolean;
  medoid: number;
  members: number[];
}

interface CachedClusters {
  clusters: { id: string; label: string; tags: string[]; medoid: number; members: Set<number> }[];
  positiveItemsAtClustering: number;
  pending: boolean;
}

/** Most items of a user's history that are clustered. */
const MAX_HISTORY = 120;
const MIN_SIMILARITY = 0.3;
const MAX_FACETS = 6;
/** Facets lighter than this share of the user's signal are not shown. */
const MIN_FACET_SHARE = 0.04;
/** Re-cluster in the background after this many new positive items. */
const RECLUSTER_AFTER = 3;

/**
 * Keeps each user's interest facets. Weights are recomputed from the user's current signal on every
 * call, so one event moves them at once (a new item joins its nearest facet); the clustering itself
 * is redone in the background once enough new items arrived.
 */
export class FacetIndex {
  private readonly cache = new Map<number, CachedClusters>();
  private readonly state: OnlineState;
  private readonly config: EngineConfig;

  constructor(state: OnlineState, config: EngineConfig) {
    this.state = state;
    this.config = config;
  }

  /** Tag bag of an item: its tags and its category. */
  bag(i: number): Map<string, number> {
    const record = this.state.records[i];
    const bag = new Map<string, number>();
    if (record === undefined) return bag;
    for (const tag of record.tags) bag.set(tag, 1);
    if (record.category !== undefined) bag.set(`category:${record.category}`, 1);
    return bag;
  }

  similarity(a: number, b: number): number {
    const tagSim = bagCosine(this.bag(a), this.bag(b));
    const co = this.state.cooccurrence.similarity(a, b);
    // A pair co-watched by one user only scores near 0.1 (the shrunk cosine), far below the threshold.
    return Math.max(tagSim, Math.min(1, co));
  }

  /** The user's facets, heaviest first; muted ones are included and flagged. */
  facets(u: number, nowMs: number, muted: readonly string[]): UserFacet[] {
    const user = this.state.userStates[u];
    if (user === undefined) return [];
    const positives: { item: number; w: number }[] = [];
    const negatives: { item: number; w: number }[] = [];
    for (const [item, weight] of user.weights) {
      const w = weight * decay(nowMs - (user.lastAt.get(item) ?? nowMs), this.config.signalHalfLifeMs);
      if (w > 0) positives.push({ item, w });
      else if (w < 0) negatives.push({ item, w: -w });
    }
    if (positives.length === 0) return [];
    positives.sort((a, b) => (user.lastAt.get(b.item) ?? 0) - (user.lastAt.get(a.item) ?? 0));
    const recent = positives.slice(0, MAX_HISTORY);

    let cached = this.cache.get(u);
    if (cached === undefined) {
      cached = this.recluster(
        recent.map((p) => p.item),
        positives.length,
      );
      this.cache.set(u, cached);
    } else if (!cached.pending && positives.length - cached.positiveItemsAtClustering >= RECLUSTER_AFTER) {
      cached.pending = true;
      setImmediate(() => {
        const items = recent.map((p) => p.item);
        this.cache.set(u, this.recluster(items, positives.length));
      });
    }

    const clusters = cached.clusters;
    const weights = new Float64Array(clusters.length);
    const members: number[][] = clusters.map(() => []);
    const assign = (item: number): number => {
      let best = -1;
      let bestSim = 0;
      clusters.forEach((c, k) => {
        if (c.members.has(item)) {
          best = k;
          bestSim = Number.POSITIVE_INFINITY;
        } else if (bestSim !== Number.POSITIVE_INFINITY) {
          const s = this.similarity(item, c.medoid);
          if (s > bestSim) {
            bestSim = s;
            best = k;
          }
        }
      });
      return bestSim >= MIN_SIMILARITY ? best : -1;
    };
    for (const p of recent) {
      const k = assign(p.item);
      if (k < 0) continue;
      weights[k] = weights[k]! + p.w;
      members[k]!.push(p.item);
    }
    // A not_interested or skip lowers the facet the item belongs to.
    for (const n of negatives) {
      const k = assign(n.item);
      if (k >= 0) weights[k] = Math.max(0, weights[k]! - n.w);
    }
    let total = 0;
    for (const w of weights) total += w;
    if (total <= 0) return [];
    const mutedSet = new Set(muted);
    const out: UserFacet[] = [];
    clusters.forEach((c, k) => {
      const share = weights[k]! / total;
      if (share < MIN_FACET_SHARE || members[k]!.length === 0) return;
      out.push({
        id: c.id,
        label: c.label,
        tags: c.tags,
        weight: share,
        muted: mutedSet.has(c.id),
        medoid: c.medoid,
        members: members[k]!,
      });
    });
    const kept = out.reduce((s, f) => s + f.weight, 0);
    for (const f of out) f.weight = Math.round((f.weight / kept) * 1e4) / 1e4;
    out.sort((a, b) => b.weight - a.weight || a.id.localeCompare(b.id));
    return out;
  }

  /** Forgets a user's clustering (after their controls change). */
  invalidate(u: number): void {
    this.cache.delete(u);
  }

  private recluster(items: number[], positiveCount: number): CachedClusters {
    const ones = new Float64Array(items.length).fill(1);
    const found = clusterFacets(ones, (a, b) => this.similarity(items[a]!, items[b]!), {
      minSimilarity: MIN_SIMILARITY,
      maxFacets: MAX_FACETS,
    });
    const usedIds = new Set<string>();
    const clusters = found.map((f) => {
      const memberItems = f.members.map((m) => items[m]!);
      const tagCounts = new Map<string, number>();
      for (const item of memberItems) {
        for (const tag of this.state.records[item]?.tags ?? [])
          tagCounts.set(tag, (tagCounts.get(tag) ?? 0) + 1);
      }
      const tags = [...tagCounts.entries()]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .filter(([, count]) => count * 3 >= memberItems.length)
        .map(([tag]) => tag)
        .slice(0, 4);
      const medoid = items[f.medoid]!;
      let id = tags[0] ?? `item:${this.state.items.id(medoid)}`;
      for (let k = 2; usedIds.has(id); k++) id = `${tags[0] ?? 'item'}#${k}`;
      usedIds.add(id);
      const label =
        tags.length > 0 ? tags.slice(0, 2).join(' · ') : (this.state.records[medoid]?.caption ?? id);
      return { id, label, tags, medoid, members: new Set(memberItems) };
    });
    return { clusters, positiveItemsAtClustering: positiveCount, pending: false };
  }
}

/** The API view of a facet: item ids instead of indices, medoid first among the examples. */
export function facetView(state: OnlineState, f: UserFacet): FacetView {
  const examples = [f.medoid, ...f.members.filter((m) => m !== f.medoid)]
    .slice(0, 5)
    .map((i) => state.items.id(i));
  return { id: f.id, label: f.label, weight: f.weight, tags: f.tags, examples, muted: f.muted };
}
