import { decay } from '../core/event-weight.js';
import { clusterFacets } from '../core/facets.js';
import { LruMap } from '../core/lru-map.js';
import type { ItemRecord } from '../types.js';
import type { EngineConfig } from './config.js';
import { engagementDropped } from './exploration.js';
import { type ItemTagIds, itemTagIds } from './item-tag-ids.js';
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
  pending: boolean;
}

/** One engaged item of a user: its facet signal (signed) after decay in time and in interactions. */
interface Signal {
  item: number;
  /** Position in the user's history, newest first. */
  r: number;
  /** Signal before decay in interactions (signed). */
  base: number;
  w: number;
  /** The same signal at the short horizon {@link CURRENT_POSITIVES}. */
  current: number;
}

/** Most items of a user's history that are clustered. */
const MAX_HISTORY = 120;
const MIN_SIMILARITY = 0.3;
const MAX_FACETS = 6;
/** Facets lighter than this share of the user's signal are not shown. */
const MIN_FACET_SHARE = 0.04;
/** Re-cluster in the background once this many recent positive items are in no cluster. */
const RECLUSTER_AFTER = 3;
/** When a background re-clustering has not run by this many unclustered items, it is done inline. */
const RECLUSTER_INLINE_AFTER = 4 * RECLUSTER_AFTER;
/** An item's weight counts for its facet only above this (a half-watched view); below it, against. */
const NEUTRAL_WEIGHT = 0.5;
/**
 * An engagement's facet signal halves with every this many newer engagements of the user (recency
 * counted in interactions, as in PinnerSage), so a run of engagements on a new interest overtakes a
 * stale one whatever the clock says; the signal half-life still applies in time.
 */
const RECENCY_INTERACTIONS = 40;
/**
 * What the user is into now: the same signal, halving with every this many newer positive
 * engagements. Facets are weighed at this horizon while the user turns down their heaviest facet's
 * latest items (an interest that is fading, not merely unserved), or engages well below their own
 * norm, so a handful of strong positives on a new interest lead at once; a few views of something
 * else while the old interest is still enjoyed do not.
 */
const CURRENT_POSITIVES = 6;
/** The heaviest facet is fading when fewer than FADING_KEPT of its latest FADING_CHECK items were clearly watched ... */
const FADING_CHECK = 4;
const FADING_KEPT = 2;
/** ... that is, with a signal of at least this (a view three-quarters watched). */
const CLEARLY_WATCHED = 0.25;
/** Facets a feed's masks can tell apart (bits of an int32); a user has at most twice MAX_FACETS. */
const MAX_MASKED_FACETS = 31;
/** Most recent engagements read (the older ones weigh under 2^-5 of the newest). */
const MAX_ENGAGEMENTS = 5 * RECENCY_INTERACTIONS;
/**
 * Users whose clustering is kept (about 2 KB each); the least recently served is dropped first and
 * clustered again from their history at their next feed, as on their first.
 */
const DEFAULT_MAX_USERS = 20_000;

/**
 * Keeps each user's interest facets. Weights are recomputed from the user's current signal on every
 * call, so one event moves them at once (a new item joins its nearest facet); the clustering itself
 * is redone in the background once enough new items arrived.
 */
export class FacetIndex {
  private readonly cache: LruMap<number, CachedClusters>;
  /** Users whose heaviest facet was fading at their last {@link facets} call. */
  private readonly fadingUsers = new Set<number>();
  private readonly state: OnlineState;
  private readonly config: EngineConfig;
  private readonly tagIds: ItemTagIds;
  /** The facets {@link nearestFacet} last saw, and their medoids' bag sizes. */
  private medoidsOf: readonly UserFacet[] | undefined;
  private medoidSizes: number[] = [];
  /** Per tag number, while stamped for the facets last seen: bit k set when facet k has the tag, or its medoid. */
  private tagMasks: Int32Array<ArrayBuffer> = new Int32Array(0);
  private medoidMasks: Int32Array<ArrayBuffer> = new Int32Array(0);
  private maskStamps: Int32Array<ArrayBuffer> = new Int32Array(0);
  private maskStamp = 0;
  private maskSize = 0;
  private readonly tagDots = new Int32Array(MAX_MASKED_FACETS);
  private readonly medoidDots = new Int32Array(MAX_MASKED_FACETS);
  private medoids = new Int32Array(0);
  private readonly medoidCo = new Float64Array(MAX_MASKED_FACETS);
  private readonly tagSims = new Float64Array(MAX_MASKED_FACETS);

  constructor(state: OnlineState, config: EngineConfig, maxUsers = DEFAULT_MAX_USERS) {
    this.state = state;
    this.config = config;
    this.cache = new LruMap(maxUsers);
    this.tagIds = itemTagIds(state);
  }

  /**
   * The cosine of two items' tag bags (an item's distinct tags and its category, each weighing 1), read
   * as tag numbers.
   */
  tagSimilarity(a: number, b: number): number {
    const ids = this.tagIds;
    if (this.state.records[a] === undefined || this.state.records[b] === undefined) return 0;
    ids.start(this.state, a);
    const sb = ids.start(this.state, b);
    // Reading b may have rebuilt the pool: a's place is asked again.
    const sa = ids.start(this.state, a);
    const pool = ids.tagPool;
    const na = ids.count(a);
    const nb = ids.count(b);
    const ka = ids.categoryKey(a);
    const kb = ids.categoryKey(b);
    const sizeA = na + (ka >= 0 ? 1 : 0);
    const sizeB = nb + (kb >= 0 ? 1 : 0);
    if (sizeA === 0 || sizeB === 0) return 0;
    let dot = 0;
    for (let x = sa; x < sa + na; x++) {
      const id = pool[x]!;
      if (id === kb) dot++;
      else for (let y = sb; y < sb + nb; y++) if (pool[y] === id) dot++;
    }
    if (ka >= 0) {
      if (ka === kb) dot++;
      else for (let y = sb; y < sb + nb; y++) if (pool[y] === ka) dot++;
    }
    return dot / Math.sqrt(sizeA * sizeB);
  }

  /** The cosine of an item's tag bag and a set of distinct tags. */
  tagSetSimilarity(i: number, tags: readonly string[]): number {
    const record = this.state.records[i];
    if (record === undefined || tags.length === 0) return 0;
    const size = bagSize(record);
    if (size === 0) return 0;
    let dot = 0;
    for (const tag of tags) if (bagHas(record, tag)) dot++;
    return dot / Math.sqrt(size * tags.length);
  }

  /**
   * The first facet most similar to item `i` (the larger of {@link tagSetSimilarity} to its tags
   * and {@link similarity} to its medoid) when above `minSimilarity`, else -1: the item's tag numbers
   * are read once and looked up in masks of the facets' tags and medoid bags, built once per feed.
   */
  nearestFacet(i: number, facets: readonly UserFacet[], minSimilarity: number): number {
    if (facets.length > MAX_MASKED_FACETS) return this.nearestFacetByRecords(i, facets, minSimilarity);
    if (facets !== this.medoidsOf) this.maskFacets(facets);
    const ids = this.tagIds;
    const tagDots = this.tagDots.fill(0, 0, facets.length);
    const medoidDots = this.medoidDots.fill(0, 0, facets.length);
    // An item without a record reads as no tags (size 0).
    const start = ids.start(this.state, i);
    const pool = ids.tagPool;
    const count = ids.count(i);
    const key = ids.categoryKey(i);
    const size = count + (key >= 0 ? 1 : 0);
    for (let x = start; x <= start + count; x++) {
      const id = x < start + count ? pool[x]! : key;
      if (id < 0 || id >= this.maskSize || this.maskStamps[id] !== this.maskStamp) continue;
      const inTags = this.tagMasks[id]!;
      const inMedoids = this.medoidMasks[id]!;
      for (let k = 0; k < facets.length; k++) {
        tagDots[k] = tagDots[k]! + ((inTags >>> k) & 1);
        medoidDots[k] = medoidDots[k]! + ((inMedoids >>> k) & 1);
      }
    }
    const tagSims = this.tagSims;
    let bestByTags = 0;
    for (let k = 0; k < facets.length; k++) {
      const f = facets[k]!;
      const s = size > 0 && f.tags.length > 0 ? tagDots[k]! / Math.sqrt(size * f.tags.length) : 0;
      const medoidSize = this.medoidSizes[k]!;
      const tagSim = size === 0 || medoidSize === 0 ? 0 : medoidDots[k]! / Math.sqrt(size * medoidSize);
      tagSims[k] = Math.max(s, tagSim);
      if (tagSims[k]! > tagSims[bestByTags]!) bestByTags = k;
    }
    // Co-occurrence counts at most 1 and the first facet wins ties: when the first facet's tags give
    // the most and at least 1, co-occurrence cannot change the answer, and the item's row is not read.
    if (facets.length > 0 && bestByTags === 0 && tagSims[0]! >= 1)
      return tagSims[0]! > minSimilarity ? 0 : -1;
    const medoidCo = this.medoidCo;
    this.state.cooccurrence.similaritiesTo(i, this.medoids, medoidCo);
    let best = -1;
    let bestSim = minSimilarity;
    for (let k = 0; k < facets.length; k++) {
      const sim = Math.max(tagSims[k]!, Math.min(1, medoidCo[k]!));
      if (sim > bestSim) {
        bestSim = sim;
        best = k;
      }
    }
    return best;
  }

  /** Marks, per tag number, which of the facets carry it among their tags and in their medoid's bag. */
  private maskFacets(facets: readonly UserFacet[]): void {
    this.medoidsOf = facets;
    this.medoids = Int32Array.from(facets, (f) => f.medoid);
    const ids = this.tagIds;
    if (this.maskStamp === 0x7fffffff) {
      this.maskStamps.fill(0);
      this.maskStamp = 0;
    }
    this.maskStamp++;
    const mark = (id: number, medoid: boolean, bit: number): void => {
      if (id >= this.maskSize) this.growMasks(Math.max(ids.idCount, id + 1));
      if (this.maskStamps[id] !== this.maskStamp) {
        this.maskStamps[id] = this.maskStamp;
        this.tagMasks[id] = 0;
        this.medoidMasks[id] = 0;
      }
      const masks = medoid ? this.medoidMasks : this.tagMasks;
      masks[id] = masks[id]! | bit;
    };
    this.medoidSizes = facets.map((f, k) => {
      for (const tag of f.tags) mark(ids.idOf(tag), false, 1 << k);
      if (this.state.records[f.medoid] === undefined) return 0;
      const start = ids.start(this.state, f.medoid);
      const count = ids.count(f.medoid);
      const key = ids.categoryKey(f.medoid);
      // Read the pool after every mark: marking never reads an item, so the pool stays put.
      for (let x = start; x < start + count; x++) mark(ids.tagPool[x]!, true, 1 << k);
      if (key >= 0) mark(key, true, 1 << k);
      return count + (key >= 0 ? 1 : 0);
    });
  }

  private growMasks(size: number): void {
    const capacity = Math.max(1_024, 2 * size);
    const grow = (from: Int32Array): Int32Array<ArrayBuffer> => {
      const to = new Int32Array(capacity);
      to.set(from.subarray(0, this.maskSize));
      return to;
    };
    this.tagMasks = grow(this.tagMasks);
    this.medoidMasks = grow(this.medoidMasks);
    this.maskStamps = grow(this.maskStamps);
    this.maskSize = capacity;
  }

  /** {@link nearestFacet} from the records, for more facets than a mask has bits. */
  private nearestFacetByRecords(i: number, facets: readonly UserFacet[], minSimilarity: number): number {
    const record = this.state.records[i];
    const size = record === undefined ? 0 : bagSize(record);
    let best = -1;
    let bestSim = minSimilarity;
    for (let k = 0; k < facets.length; k++) {
      const f = facets[k]!;
      let s = 0;
      if (size > 0 && f.tags.length > 0) {
        let dot = 0;
        for (const tag of f.tags) if (bagHas(record!, tag)) dot++;
        s = dot / Math.sqrt(size * f.tags.length);
      }
      const medoid = this.state.records[f.medoid];
      const tagSim =
        record === undefined || medoid === undefined ? 0 : bagCosine(record, size, medoid, bagSize(medoid));
      const co = this.state.cooccurrence.similarity(i, f.medoid);
      s = Math.max(s, Math.max(tagSim, Math.min(1, co)));
      if (s > bestSim) {
        bestSim = s;
        best = k;
      }
    }
    return best;
  }

  similarity(a: number, b: number): number {
    const tagSim = this.tagSimilarity(a, b);
    // Co-occurrence counts at most 1: equal tag bags (a cosine of 1) settle it without a's row.
    if (tagSim >= 1) return tagSim;
    const co = this.state.cooccurrence.similarity(a, b);
    // A pair co-watched by one user only scores near 0.1 (the shrunk cosine), far below the threshold.
    return Math.max(tagSim, Math.min(1, co));
  }

  /** How many users' clusterings are kept. */
  get cachedUsers(): number {
    return this.cache.size;
  }

  /** The user's facets, heaviest first; muted ones are included and flagged. */
  facets(u: number, nowMs: number, muted: readonly string[]): UserFacet[] {
    const user = this.state.userStates.get(u);
    if (user === undefined) return [];
    const { positives, negatives } = this.signals(u, nowMs);
    if (positives.length === 0) return [];
    const recent = positives.slice(0, MAX_HISTORY);
    let cached = this.cache.get(u);
    const behind =
      cached === undefined
        ? 0
        : recent.filter((p) => !cached!.clusters.some((c) => c.members.has(p.item))).length;
    if (cached === undefined || (cached.pending && behind >= RECLUSTER_INLINE_AFTER)) {
      // First facets, or a background re-clustering that never got its turn (a busy event loop).
      cached = this.recluster(recent);
      this.cache.set(u, cached);
    } else if (!cached.pending && behind >= RECLUSTER_AFTER) {
      const stale = cached;
      stale.pending = true;
      setImmediate(() => {
        // Skip when the clustering was replaced meanwhile (inline, or invalidated).
        if (this.cache.get(u) === stale) this.cache.set(u, this.recluster(recent));
      });
    }

    const assign = (item: number, among: CachedClusters['clusters']): number => {
      // A member joins its cluster (the last that holds it) whatever it resembles: no similarity to read.
      for (let k = among.length - 1; k >= 0; k--) if (among[k]!.members.has(item)) return k;
      let best = -1;
      let bestSim = 0;
      for (let k = 0; k < among.length; k++) {
        const s = this.similarity(item, among[k]!.medoid);
        if (s > bestSim) {
          bestSim = s;
          best = k;
        }
      }
      return bestSim >= MIN_SIMILARITY ? best : -1;
    };
    let clusters = cached.clusters;
    const assigned = recent.map((p) => assign(p.item, clusters));
    const loose = recent.filter((_, j) => assigned[j]! < 0);
    if (loose.length >= RECLUSTER_AFTER) {
      // Positives in no facet yet (a new interest the re-clustering has not caught up with) form
      // provisional facets at once, so this answer already shows it.
      const provisional = this.recluster(loose, new Set(clusters.map((c) => c.id))).clusters;
      recent.forEach((p, j) => {
        if (assigned[j]! < 0)
          assigned[j] = clusters.length + provisional.findIndex((c) => c.members.has(p.item));
      });
      clusters = clusters.concat(provisional);
    }
    const weights = new Float64Array(clusters.length);
    const current = new Float64Array(clusters.length);
    const members: number[][] = clusters.map(() => []);
    const latest: Signal[][] = clusters.map(() => []);
    recent.forEach((p, j) => {
      const k = assigned[j]!;
      if (k < 0) return;
      weights[k] = weights[k]! + p.w;
      current[k] = current[k]! + p.current;
      members[k]!.push(p.item);
      latest[k]!.push(p);
    });
    // A not_interested or skip lowers the facet the item belongs to.
    for (const n of negatives) {
      const k = assign(n.item, clusters);
      if (k < 0) continue;
      weights[k] = Math.max(0, weights[k]! - n.w);
      current[k] = Math.max(0, current[k]! - n.current);
      latest[k]!.push(n);
    }
    let heaviest = -1;
    let total = 0;
    let currentTotal = 0;
    for (let k = 0; k < clusters.length; k++) {
      total += weights[k]!;
      currentTotal += current[k]!;
      if (heaviest < 0 || weights[k]! > weights[heaviest]!) heaviest = k;
    }
    if (total <= 0) return [];
    const fading = currentTotal > 0 && this.fading(latest[heaviest]!);
    if (fading) this.fadingUsers.add(u);
    else this.fadingUsers.delete(u);
    if (fading || (currentTotal > 0 && engagementDropped(user, this.config))) {
      total = currentTotal;
      weights.set(current);
    }
    const mutedSet = new Set(muted);
    const out: UserFacet[] = [];
    clusters.forEach((c, k) => {
      const share = weights[k]! / total;
      if (share < MIN_FACET_SHARE || members[k]!.length === 0) return;
      out.push({
        id: c.id,
        label:
          c.tags.length > 0 || this.state.isServable(c.medoid) ? c.label : this.captionLabel(members[k]!),
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

  /** The label of a facet without tags whose medoid (which names it) is hidden: a visible member's caption. */
  private captionLabel(members: readonly number[]): string {
    const shown = members.find((m) => this.state.isServable(m));
    // Its id names the hidden medoid: not that either.
    return (shown === undefined ? undefined : this.state.records[shown]?.caption) ?? 'untitled';
  }

  /** Whether user `u` was turning down their heaviest facet at the last {@link facets} call. */
  isFading(u: number): boolean {
    return this.fadingUsers.has(u);
  }

  /** Whether a facet's latest engagements (positives and negatives, any order) turn it down. */
  private fading(engagements: Signal[]): boolean {
    if (engagements.length < FADING_CHECK) return false;
    const newest = engagements.sort((a, b) => a.r - b.r).slice(0, FADING_CHECK);
    return newest.filter((e) => e.base >= CLEARLY_WATCHED).length < FADING_KEPT;
  }

  /**
   * The user's engaged items, newest first, split by the sign of their facet signal: the item's weight
   * above {@link NEUTRAL_WEIGHT}, decayed by its age and by how many engagements came after it.
   */
  private signals(u: number, nowMs: number): { positives: Signal[]; negatives: Signal[] } {
    const user = this.state.userStates.get(u)!;
    // Ties (a batch's events share one time) keep the table's order reversed, the item first engaged
    // last ahead (a stable sort): the same on every node that applied the events in log order, where
    // item indices follow the order each node learned the items in.
    const history = [...user.lastAt.entries()].reverse().sort((x, y) => y[1] - x[1]);
    const positives: Signal[] = [];
    const negatives: Signal[] = [];
    for (let r = 0; r < Math.min(history.length, MAX_ENGAGEMENTS); r++) {
      const [item, at] = history[r]!;
      const base =
        ((user.weights.get(item) ?? 0) - NEUTRAL_WEIGHT) * decay(nowMs - at, this.config.signalHalfLifeMs);
      const w = base * 2 ** (-r / RECENCY_INTERACTIONS);
      const current = base * 2 ** (-positives.length / CURRENT_POSITIVES);
      if (w > 0) positives.push({ item, r, base, w, current });
      else if (w < 0) negatives.push({ item, r, base, w: -w, current: -current });
    }
    return { positives, negatives };
  }

  /** Forgets a user's clustering (after their controls change). */
  invalidate(u: number): void {
    this.cache.delete(u);
    this.fadingUsers.delete(u);
  }

  /** Clusters the user's recent positive items; heavier (more recent) groups survive the facet cap. */
  private recluster(recent: readonly Signal[], usedIds = new Set<string>()): CachedClusters {
    const items = recent.map((p) => p.item);
    const weights = Float64Array.from(recent, (p) => p.w);
    const found = clusterFacets(weights, (a, b) => this.similarity(items[a]!, items[b]!), {
      minSimilarity: MIN_SIMILARITY,
      maxFacets: MAX_FACETS,
    });
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
    return { clusters, pending: false };
  }
}

/**
 * How much item `i`'s own content says it is about facet `f`: the larger of its tag bag's cosine to
 * the facet's tags and to the facet medoid's tag bag. Unlike {@link FacetIndex.nearestFacet}, being
 * co-watched with the medoid does not count: co-viewing alone does not make an item about a topic.
 */
export function facetContentSimilarity(state: OnlineState, i: number, f: UserFacet): number {
  const record = state.records[i];
  if (record === undefined) return 0;
  const size = bagSize(record);
  if (size === 0) return 0;
  let byTags = 0;
  if (f.tags.length > 0) {
    let dot = 0;
    for (const tag of f.tags) if (bagHas(record, tag)) dot++;
    byTags = dot / Math.sqrt(size * f.tags.length);
  }
  const medoid = state.records[f.medoid];
  return Math.max(byTags, medoid === undefined ? 0 : bagCosine(record, size, medoid, bagSize(medoid)));
}

/** The cosine of two tag bags of the given sizes (see {@link FacetIndex.tagSimilarity}). */
function bagCosine(ra: ItemRecord, na: number, rb: ItemRecord, nb: number): number {
  if (na === 0 || nb === 0) return 0;
  let dot = 0;
  const tags = ra.tags;
  for (let j = 0; j < tags.length; j++) if (tags.indexOf(tags[j]!) === j && bagHas(rb, tags[j]!)) dot++;
  const category = ra.category;
  if (category !== undefined && !hasCategoryTag(tags, category) && bagHasCategory(rb, category)) dot++;
  return dot / Math.sqrt(na * nb);
}

/** Distinct keys of an item's tag bag: its distinct tags and its category. */
function bagSize(record: ItemRecord): number {
  const tags = record.tags;
  let size = 0;
  for (let j = 0; j < tags.length; j++) if (tags.indexOf(tags[j]!) === j) size++;
  if (record.category !== undefined && !hasCategoryTag(tags, record.category)) size++;
  return size;
}

function bagHas(record: ItemRecord, key: string): boolean {
  return record.tags.includes(key) || (record.category !== undefined && isCategoryKey(key, record.category));
}

function bagHasCategory(record: ItemRecord, category: string): boolean {
  return record.category === category || hasCategoryTag(record.tags, category);
}

function hasCategoryTag(tags: readonly string[], category: string): boolean {
  for (const tag of tags) if (isCategoryKey(tag, category)) return true;
  return false;
}

function isCategoryKey(key: string, category: string): boolean {
  return key.length === category.length + 9 && key.startsWith('category:') && key.endsWith(category);
}

/**
 * The API view of a facet: item ids instead of indices, medoid first among the examples. A hidden
 * item is no example: it still counts toward its facet, but is shown to no one.
 */
export function facetView(state: OnlineState, f: UserFacet): FacetView {
  const examples = [f.medoid, ...f.members.filter((m) => m !== f.medoid)]
    .filter((i) => state.isServable(i))
    .slice(0, 5)
    .map((i) => state.items.id(i));
  return { id: f.id, label: f.label, weight: f.weight, tags: f.tags, examples, muted: f.muted };
}

/** The item a reason may show for a facet: its medoid, else (the medoid hidden) its first visible member. */
export function citableExample(state: OnlineState, f: UserFacet): number | undefined {
  if (state.isServable(f.medoid)) return f.medoid;
  return f.members.find((m) => state.isServable(m));
}
