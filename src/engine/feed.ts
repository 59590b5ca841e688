import { calibratedRerank, softmaxRelevance } from '../core/calibrate.js';
import { diversify } from '../core/diversify.js';
import { DEFAULT_EVENT_WEIGHTS, decay } from '../core/event-weight.js';
import { capShare } from '../core/exploration.js';
import type { Random } from '../core/random.js';
import { sortByScore, topK, topKOf } from '../core/top-k.js';
import type { Retrieval } from './ann-search-thread.js';
import type { EngineConfig } from './config.js';
import { type ExplorationPick, planExploration } from './exploration.js';
import { citableExample, type FacetIndex, facetContentSimilarity, type UserFacet } from './facets.js';
import { itemTagIds } from './item-tag-ids.js';
import { ModelCandidateCache } from './model-candidates.js';
import type { OnlineState, UserState } from './online-state.js';
import { PerFeedItems } from './per-feed-items.js';
import { buildReason, type Reason, type ReasonLanguage, type ReasonSource } from './reasons.js';
import type { RetrievalRequest, ServingModel } from './serving-model.js';
import { interestMatch, offerTagAffinity, type TagAffinity, userTagAffinity } from './tag-affinity.js';
import { TagRanking } from './tag-ranking.js';

export interface FeedItem {
  itemId: string;
  score: number;
  reason: Reason;
}

/** The sources a feed's candidates come from (discovery is exploration's alone; rewatch fills in after them). */
type BlendSource = Exclude<ReasonSource, 'discovery' | 'rewatch'>;

interface Candidate {
  item: number;
  score: number;
  source: BlendSource;
  /** Where the candidate's strength per source (before blending) and its reason's items sit in the feed's scratch buffers. */
  slot: number;
  tag: string | undefined;
  /** The facet (or declared interest, or "other") the candidate counts toward in calibration. */
  group: number | undefined;
}

/** How much each source's normalised score counts in the blend. */
const SOURCE_WEIGHT: Record<BlendSource, number> = {
  'co-occurrence': 1,
  model: 1,
  facet: 1,
  declared: 0.9,
  follow: 0.6,
  popular: 0.35,
  fresh: 0.2,
  'similar-tags': 1,
  'same-creator': 0.4,
  fallback: 0.01,
};

/** The sources in the order a feed offers them: ties in the blend go to the first, as they always have. */
const SOURCES: readonly BlendSource[] = [
  'co-occurrence',
  'model',
  'follow',
  'similar-tags',
  'facet',
  'declared',
  'popular',
  'fresh',
  'same-creator',
  'fallback',
];
const SOURCE_INDEX = new Map(SOURCES.map((source, k) => [source, k]));
const WEIGHT_BY_INDEX = Float64Array.from(SOURCES, (source) => SOURCE_WEIGHT[source]);
const SOURCE_COUNT = SOURCES.length;
/** Per-source strengths of the candidates of the feed being built, reused across feeds (they run one at a time). */
let partsScratch = new Float64Array(SOURCE_COUNT * 2_048);
/** Per candidate of the feed being built: a bit per source that offered it (bit s for SOURCES[s]). */
let sourceMasks = new Uint16Array(2_048);
/** A reason names at most this many items a candidate was offered because of: only the first ones are kept. */
const BECAUSE_KEPT = 3;
/** Per candidate slot: the first BECAUSE_KEPT distinct items it was offered because of, and how many there are. */
let becauseItems = new Int32Array(BECAUSE_KEPT * 2_048);
let becauseCounts = new Uint8Array(2_048);
/** The largest strength per source in the feed being built (strengths only grow, so kept as offered). */
const maxBySource = new Float64Array(SOURCE_COUNT);
/** The blend's scores by candidate slot and the slots in blend order, reused across feeds. */
let blendScores = new Float64Array(2_048);
let blendItems = new Int32Array(2_048);
let blendOrder = new Int32Array(2_048);
let blendSortScratch = new Int32Array(2_048);

/** A user who marked this many of a creator's items not_interested sees no more of that creator. */
const CREATOR_BLOCK_STRIKES = 2;
/** One strike scales the creator's items down by this factor. */
const CREATOR_STRIKE_PENALTY = 0.25;
const POPULAR_CANDIDATES = 150;
const FRESH_CANDIDATES = 100;
const SEED_ITEMS = 30;
const TAG_CANDIDATES = 60;
const MODEL_CANDIDATES = 100;
/** How strongly the feed's facet mix is pulled toward the user's (0: relevance only). */
const CALIBRATION_LAMBDA = 0.5;
/**
 * Candidates calibration places into facets: this many per feed slot, and at least the minimum (10 and
 * 200 until session 18: 150 keeps the simulator's floors, 100 did not; see the benchmarks guide).
 */
const CALIBRATE_PER_SLOT = 7;
const CALIBRATE_MIN = 150;
/** Relevance is a softmax of the group-normalised scores at this multiple of their spread, as in `setlist eval`. */
const CALIBRATION_TEMPERATURE = 1.5;
/** A candidate joins the facet it is most similar to above this; otherwise a declared interest or "other". */
const FACET_MIN_SIMILARITY = 0.3;
/** A candidate on the user's strongest current interest scores up to 1 + this times more (multi-interest users). */
const INTEREST_BOOST = 2;
/** Sources that come from the user's own signals; when any is present, popularity's share is capped. */
const PERSONAL_SOURCES: ReadonlySet<ReasonSource> = new Set([
  'co-occurrence',
  'similar-tags',
  'model',
  'facet',
  'declared',
  'follow',
]);

/**
 * Builds a user's feed from the online state: neighbours of their recent items, followed creators,
 * popular and fresh items; filters what they have seen, hidden items and blocked creators; blends,
 * diversifies by creator, and falls back to any unseen item so the list is full while the catalogue
 * has unseen items. With `random`, a share of slots explores little-exposed items (Thompson sampling).
 * With `caches`, the model's candidates for the user and each tag's ranking are reused across feeds
 * while current; what the user's latest events change (seen, hidden, blocked) is filtered every time.
 * A model searched on a thread of its own ranks `retrieved` ({@link feedRetrieval} says what to
 * retrieve first); without what it needs, `ServingModel#recommend` throws what to retrieve.
 */
export function buildFeed(
  state: OnlineState,
  config: EngineConfig,
  facetIndex: FacetIndex,
  userId: string,
  n: number,
  nowMs: number,
  serving?: ServingModel,
  random?: Random,
  caches?: FeedCaches,
  retrieved?: Retrieval,
  lang?: ReasonLanguage,
): FeedItem[] {
  const u = state.users.get(userId);
  const user = u >= 0 ? state.userStates.get(u) : undefined;
  const controls = u >= 0 ? state.userRecords.get(u)?.controls : undefined;
  const allFacets = u >= 0 ? facetIndex.facets(u, nowMs, controls?.muted ?? []) : [];
  const facets = allFacets.filter((f) => !f.muted);
  const blockedTags = new Set<string>(controls?.muted ?? []);
  for (const f of allFacets) if (f.muted) for (const t of f.tags) blockedTags.add(t);
  for (const d of controls?.declared ?? []) if (d.weight < 0) blockedTags.add(d.tag);
  const declared = (controls?.declared ?? []).filter((d) => d.weight > 0);
  const hasBlockedTag = (i: number): boolean => {
    if (blockedTags.size === 0) return false;
    for (const tag of state.records[i]?.tags ?? []) if (blockedTags.has(tag)) return true;
    return false;
  };
  // Read directly (no event is applied while a feed is built): Growable#get is a polymorphic load.
  const servable = state.servable.data;
  const creators = state.creatorOf.data;
  /** Never in this user's feed: not servable, a blocked tag, or a creator they turned down. */
  const isBlocked = (i: number): boolean => {
    if (i >= servable.length || servable[i] !== 1) return true;
    if (hasBlockedTag(i)) return true;
    if (user?.creatorStrikes === undefined) return false;
    const c = i < creators.length ? creators[i]! : -1;
    return c >= 0 && user.strikesOf(c) >= CREATOR_BLOCK_STRIKES;
  };
  const isExcluded = (i: number): number => (isBlocked(i) || user?.hasSeen(i) === true ? 1 : 0);
  // Sources, the model and exploration ask about the same items many times over.
  excludedMemo.begin();
  qualityMemo.begin();
  const excluded = (i: number): boolean => excludedMemo.memo(i, isExcluded) === 1;
  const strength = config.exploration.priorStrength;
  const tagRanking = caches?.tags ?? UNCACHED_TAGS;
  const bestOfTag = (tag: string, limit: number, visit: (item: number, quality: number) => void): void =>
    tagRanking.best(state, tag, limit, excluded, quality, visit);
  const quality = (i: number): number =>
    qualityMemo.memo(i, (j) => state.exploration.posteriorMean(state, j, strength));

  // Candidates in order of first offer; `slots` finds an item's (stamped per feed, no Map to fill).
  const candidates: Candidate[] = [];
  candidateSlots.begin();
  maxBySource.fill(0);
  let affinity: TagAffinity | undefined;
  const offer = (
    item: number,
    source: BlendSource,
    strength: number,
    because?: number,
    tag?: string,
  ): void => {
    if (!(strength > 0)) return;
    const at = candidateSlots.get(item, -1);
    let c = at < 0 ? undefined : candidates[at]!;
    if (c === undefined) {
      if (excluded(item)) return;
      const slot = candidates.length;
      if ((slot + 1) * SOURCE_COUNT > partsScratch.length) {
        const grown = new Float64Array(partsScratch.length * 2);
        grown.set(partsScratch);
        partsScratch = grown;
      }
      partsScratch.fill(0, slot * SOURCE_COUNT, (slot + 1) * SOURCE_COUNT);
      if (slot >= sourceMasks.length) growSlotScratch();
      sourceMasks[slot] = 0;
      becauseCounts[slot] = 0;
      c = candidatePool[slot];
      if (c === undefined) {
        c = { item, score: 0, source, slot, tag: undefined, group: undefined };
        candidatePool.push(c);
      } else {
        c.item = item;
        c.score = 0;
        c.source = source;
        c.tag = undefined;
        c.group = undefined;
      }
      candidates.push(c);
      candidateSlots.set(item, slot);
    }
    if (tag !== undefined && c.tag === undefined) c.tag = tag;
    const s = SOURCE_INDEX.get(source)!;
    const part = c.slot * SOURCE_COUNT + s;
    const summed = partsScratch[part]! + strength;
    partsScratch[part] = summed;
    sourceMasks[c.slot]! |= 1 << s;
    if (summed > maxBySource[s]!) maxBySource[s] = summed;
    // A hidden item still counts as evidence, but a reason never cites it.
    if (because !== undefined && because < servable.length && servable[because] === 1)
      addBecause(c.slot, because);
  };

  const fresh = state.topFresh(FRESH_CANDIDATES, nowMs - config.freshWindowMs, excluded);

  if (user !== undefined) {
    const seeds = user.recent.slice(-SEED_ITEMS);
    for (const h of seeds) {
      const w =
        (user.weights.get(h) ?? 0) * decay(nowMs - (user.lastAt.get(h) ?? nowMs), config.signalHalfLifeMs);
      if (w <= 0) continue;
      readAhead = state.cooccurrence.touchNeighbours(h);
      state.cooccurrence.forEachNeighbour(h, (j, sim) => offer(j, 'co-occurrence', w * sim, h));
    }
    if (serving !== undefined) {
      const recommend = (k: number): Int32Array =>
        serving.recommend(modelHistory(user, nowMs, config.signalHalfLifeMs), k, excluded, fresh, retrieved);
      // The user's newest items that are not hidden, newest first (as they are, not deduplicated).
      const recentSeeds: number[] = [];
      for (let r = user.recent.length - 1; r >= 0 && recentSeeds.length < BECAUSE_KEPT; r--) {
        const h = user.recent[r]!;
        if (h < servable.length && servable[h] === 1) recentSeeds.push(h);
      }
      const top =
        caches === undefined
          ? recommend(MODEL_CANDIDATES)
          : caches.model.get(u, user, serving, MODEL_CANDIDATES, excluded, recommend);
      // Rank-based strength: comparable across models whose raw scores live on different scales.
      top.forEach((j, rank) => {
        offer(j, 'model', 1 / (1 + rank / 25));
        const at = candidateSlots.get(j, -1);
        const c = at < 0 ? undefined : candidates[at]!;
        if (c !== undefined && becauseCounts[c.slot] === 0) {
          const base = c.slot * BECAUSE_KEPT;
          for (let r = 0; r < recentSeeds.length; r++) becauseItems[base + r] = recentSeeds[r]!;
          becauseCounts[c.slot] = recentSeeds.length;
        }
      });
    }
    for (const creator of user.followed ?? []) {
      for (const j of state.itemsByCreator.get(creator) ?? []) {
        const age = nowMs - state.createdAt.get(j);
        offer(j, 'follow', decay(age, config.freshWindowMs));
      }
    }
    affinity = userTagAffinity(state, config, user, nowMs);
    offerTagAffinity(affinity, (j, w, h, tag) => offer(j, 'similar-tags', w, h, tag), bestOfTag);
  }

  for (const f of facets) {
    byTagQuality(f.tags.slice(0, 2), TAG_CANDIDATES, bestOfTag, (item, q) =>
      offer(item, 'facet', f.weight * q),
    );
  }
  for (const d of declared) {
    let rank = 0;
    for (const j of byTagPopularity(state, [d.tag], TAG_CANDIDATES, excluded)) {
      offer(j, 'declared', d.weight / (1 + rank++ / 20));
    }
  }

  const popular = state.topPopular(POPULAR_CANDIDATES, excluded);
  const popularity = state.popularity.data;
  for (const j of popular) offer(j, 'popular', j < popularity.length ? popularity[j]! : 0);

  const impressions = state.impressions.data;
  const created = state.createdAt.data;
  for (const j of fresh) {
    // Fresh items with little exposure get the most help.
    const exposure = 1 / (1 + (j < impressions.length ? impressions[j]! : 0) / 50);
    offer(
      j,
      'fresh',
      decay(nowMs - (j < created.length ? created[j]! : 0), config.freshWindowMs / 4) * exposure,
    );
  }

  if (affinity !== undefined) readAheadTags(state, candidates);
  const ranked = blend(
    candidates,
    user?.creatorStrikes === undefined ? undefined : (c) => user.strikesOf(c),
    state,
    affinity === undefined ? undefined : (i) => interestMatch(state, affinity, i),
  );
  const byItem = (i: number): Candidate | undefined => {
    const at = candidateSlots.get(i, -1);
    return at < 0 ? undefined : candidates[at];
  };
  const calibrated = calibrate(state, facetIndex, ranked, facets, declared, n);
  // Popular and nothing more: not an item of a declared interest, whatever its strongest source.
  const popularOnly = (i: number): boolean => {
    const c = byItem(i);
    return (
      c?.source === 'popular' && !(c.group !== undefined && c.group >= facets.length && c.tag !== undefined)
    );
  };
  const order = ranked.some((c) => PERSONAL_SOURCES.has(c.source))
    ? capShare(calibrated, popularOnly, n, Math.floor(n * config.maxPopularShare))
    : calibrated;
  const explored =
    random === undefined
      ? new Map<number, ExplorationPick>()
      : planExploration(state, config, u, user, order, n, nowMs, random, excluded, facetIndex.isFading(u));
  const diversity = {
    window: config.creatorDiversity.window,
    maxPerGroup: config.creatorDiversity.maxPerCreator,
  };
  const creatorOf = (i: number): number => state.creatorOf.get(i);
  let picked = diversify(order, creatorOf, n, { ...diversity, relax: false });
  const fallback = new Set<number>();
  if (picked.length < n) {
    // Too few diverse candidates: extend with the rest of the catalogue before bending the creator rule.
    const inList = new Set(order);
    for (const i of catalogueOrder(
      state,
      (n - picked.length) * diversity.window,
      (i) => inList.has(i) || excluded(i),
    )) {
      fallback.add(i);
      order.push(i);
    }
    picked = diversify(order, creatorOf, n, diversity);
  }
  const rewatch = new Set<number>();
  if (picked.length < n && user !== undefined) {
    // Nothing unseen is left: after every unseen item, what the user saw and did not turn down.
    const inList = new Set(order);
    const skip = (i: number): boolean => inList.has(i) || isBlocked(i);
    const seen = seenAgain(user, skip, (n - picked.length) * diversity.window);
    for (const i of seen) rewatch.add(i);
    picked = [...picked, ...diversify(seen, creatorOf, n - picked.length, diversity)];
  }
  const feed: FeedItem[] = picked.map((i) => {
    const pick = explored.get(i);
    if (pick !== undefined) return toExploredItem(state, config, i, pick, nowMs, lang);
    if (fallback.has(i) || rewatch.has(i)) {
      const source = fallback.has(i) ? 'fallback' : 'rewatch';
      return {
        itemId: state.items.id(i),
        score: 0,
        reason: buildReason({ source, record: state.records[i], ...langOf(lang) }),
      };
    }
    return toFeedItem(state, byItem(i)!, facets, lang);
  });
  state.exploration.recordServed(
    u,
    picked.filter((i) => explored.has(i)),
    nowMs,
  );
  return feed;
}

/**
 * What `serving`'s search thread is to retrieve before {@link buildFeed} builds this user's feed at
 * `nowMs` with `caches`: undefined when the feed will need nothing retrieved (a model without such a
 * thread, a user without a modelled history, or a kept list of candidates still current).
 */
export function feedRetrieval(
  state: OnlineState,
  config: EngineConfig,
  userId: string,
  nowMs: number,
  serving: ServingModel | undefined,
  caches: FeedCaches | undefined,
): RetrievalRequest | undefined {
  if (serving === undefined || !serving.searchThread) return undefined;
  const u = state.users.get(userId);
  const user = u >= 0 ? state.userStates.get(u) : undefined;
  if (user === undefined) return undefined;
  if (caches?.model.isCurrent(u, user, serving)) return undefined;
  const k = caches === undefined ? MODEL_CANDIDATES : ModelCandidateCache.computed(MODEL_CANDIDATES);
  return serving.retrievalFor(modelHistory(user, nowMs, config.signalHalfLifeMs), k);
}

/**
 * Reads every candidate's tag slot, then its tag numbers, each in a loop with nothing else in it, so
 * that the blend's interest match finds them in cache: one candidate's two misses at a time were most
 * of the blend at a million items.
 */
function readAheadTags(state: OnlineState, candidates: readonly Candidate[]): void {
  const ids = itemTagIds(state);
  let touched = 0;
  for (let k = 0; k < candidates.length; k++) touched += ids.touchSlot(candidates[k]!.item);
  for (let k = 0; k < candidates.length; k++) touched += ids.touchTags(candidates[k]!.item);
  readAhead = touched;
}

// biome-ignore lint/correctness/noUnusedVariables: written, never read, so that the reads are kept.
let readAhead = 0;

/** Doubles the per-slot scratch arrays (a feed with more candidates than any before). */
function growSlotScratch(): void {
  const masks = new Uint16Array(sourceMasks.length * 2);
  masks.set(sourceMasks);
  sourceMasks = masks;
  const items = new Int32Array(becauseItems.length * 2);
  items.set(becauseItems);
  becauseItems = items;
  const counts = new Uint8Array(becauseCounts.length * 2);
  counts.set(becauseCounts);
  becauseCounts = counts;
}

/** Notes that the candidate in `slot` was offered because of item `h` (its first BECAUSE_KEPT distinct ones are kept). */
function addBecause(slot: number, h: number): void {
  const count = becauseCounts[slot]!;
  if (count >= BECAUSE_KEPT) return;
  const base = slot * BECAUSE_KEPT;
  for (let k = 0; k < count; k++) if (becauseItems[base + k] === h) return;
  becauseItems[base + count] = h;
  becauseCounts[slot] = count + 1;
}

/** The items the candidate in `slot` was offered because of, first first. */
function becauseOf(slot: number): number[] {
  const base = slot * BECAUSE_KEPT;
  return Array.from(becauseItems.subarray(base, base + becauseCounts[slot]!));
}

function blend(
  candidates: readonly Candidate[],
  strikesOf: ((creator: number) => number) | undefined,
  state: OnlineState,
  interestOf?: (item: number) => number,
): Candidate[] {
  const parts = partsScratch;
  const count = candidates.length;
  if (count > blendScores.length) {
    const size = Math.max(count, 2 * blendScores.length);
    blendScores = new Float64Array(size);
    blendItems = new Int32Array(size);
    blendOrder = new Int32Array(size);
    blendSortScratch = new Int32Array(size);
  }
  for (let slot = 0; slot < count; slot++) {
    const c = candidates[slot]!;
    const base = slot * SOURCE_COUNT;
    let total = 0;
    let best = -1;
    // Only the sources that offered the candidate, in SOURCES order (the same sum, the same ties).
    for (let mask = sourceMasks[slot]!; mask !== 0; mask &= mask - 1) {
      const s = 31 - Math.clz32(mask & -mask);
      const contribution = (WEIGHT_BY_INDEX[s]! * parts[base + s]!) / maxBySource[s]!;
      total += contribution;
      if (contribution > best) {
        best = contribution;
        c.source = SOURCES[s]!;
      }
    }
    if (strikesOf !== undefined) {
      const creator = state.creatorOf.get(c.item);
      if (creator >= 0 && strikesOf(creator) > 0) total *= CREATOR_STRIKE_PENALTY;
    }
    if (interestOf !== undefined) total *= 1 + INTEREST_BOOST * interestOf(c.item);
    c.score = total;
    blendScores[slot] = total;
    blendItems[slot] = c.item;
    blendOrder[slot] = slot;
  }
  // Best score first, ties by item: the order `(a, b) => b.score - a.score || a.item - b.item` gives.
  sortByScore(blendOrder, count, blendScores, blendItems, blendSortScratch);
  const list = new Array<Candidate>(count);
  for (let k = 0; k < count; k++) list[k] = candidates[blendOrder[k]!]!;
  return list;
}

/** The context's `lang`, when there is one. */
function langOf(lang: ReasonLanguage | undefined): { lang?: ReasonLanguage } {
  return lang === undefined ? {} : { lang };
}

function toFeedItem(
  state: OnlineState,
  c: Candidate,
  facets: readonly UserFacet[],
  lang: ReasonLanguage | undefined,
): FeedItem {
  const facet = reasonFacet(state, c, facets);
  let source: ReasonSource = c.source;
  let becauseItems =
    c.source === 'co-occurrence' || c.source === 'model' || c.source === 'similar-tags'
      ? becauseOf(c.slot)
      : [];
  const facetLike =
    source === 'co-occurrence' || source === 'model' || source === 'facet' || source === 'similar-tags';
  if (facet !== undefined && facetLike) {
    source = 'facet';
    const own = becauseItems.filter((b) => facet.members.includes(b) && state.isServable(b));
    const example = own.length > 0 ? undefined : citableExample(state, facet);
    becauseItems = own.length > 0 ? own : example === undefined ? [] : [example];
  }
  const because = becauseItems.map((h) => ({ id: state.items.id(h), record: state.records[h] }));
  const tag = source === 'declared' || source === 'similar-tags' ? c.tag : undefined;
  return {
    itemId: state.items.id(c.item),
    score: round(c.score),
    reason: buildReason({
      source,
      record: state.records[c.item],
      ...(because.length > 0 ? { because } : {}),
      ...(facet === undefined ? {} : { facet: facet.label }),
      ...(tag === undefined ? {} : { tag }),
      ...langOf(lang),
    }),
  };
}

/**
 * The facet a candidate's reason names: the facet calibration placed it in when the item's own tags
 * match that facet (being co-watched with the facet's items alone does not make it about the facet);
 * for a facet's own candidate, else, the facet its tags match best. Undefined: the candidate's own
 * source and items explain it.
 */
function reasonFacet(state: OnlineState, c: Candidate, facets: readonly UserFacet[]): UserFacet | undefined {
  const placed = c.group !== undefined && c.group < facets.length ? facets[c.group] : undefined;
  if (placed !== undefined && facetContentSimilarity(state, c.item, placed) > FACET_MIN_SIMILARITY)
    return placed;
  if (c.source !== 'facet') return undefined;
  let best: UserFacet | undefined;
  let bestSimilarity = 0;
  for (const f of facets) {
    const similarity = facetContentSimilarity(state, c.item, f);
    if (similarity > bestSimilarity) {
      best = f;
      bestSimilarity = similarity;
    }
  }
  return best;
}

function toExploredItem(
  state: OnlineState,
  config: EngineConfig,
  i: number,
  pick: ExplorationPick,
  nowMs: number,
  lang: ReasonLanguage | undefined,
): FeedItem {
  const record = state.records[i];
  const because = pick.because === undefined ? undefined : [pick.because];
  let source: ReasonSource = 'fallback';
  if (because !== undefined) source = 'similar-tags';
  else if (pick.declared === true) source = 'declared';
  else if (pick.discovery === true) source = 'discovery';
  else if (nowMs - state.createdAt.get(i) <= config.freshWindowMs) source = 'fresh';
  return {
    itemId: state.items.id(i),
    score: round(pick.sample),
    reason: buildReason({
      source,
      record,
      exploration: true,
      ...langOf(lang),
      ...(pick.tag === undefined ? {} : { tag: pick.tag }),
      ...(because === undefined
        ? {}
        : { because: because.map((h) => ({ id: state.items.id(h), record: state.records[h] })) }),
    }),
  };
}

/**
 * Orders a calibrated page (`picked`, most relevant first) by relevance, except that a group `spread`
 * names which falls a whole pick behind its proportional share of the first t + 1 positions gets
 * position t. Such a group's picks are then spread through the page, so whatever later takes its last
 * slots (exploration, the creator rule) takes few of them; in relevance order a declared interest's
 * items, the least relevant of a page, came last and lost them all. Facets and "other" keep relevance
 * order: spreading them too cost the simulator's adaptation (0.655 to 0.569 of shifted users).
 */
function spreadGroups(
  picked: readonly number[],
  groupOf: (k: number) => number,
  groupCount: number,
  spread: (group: number) => boolean,
): number[] {
  // Per group, the positions in `picked` of its picks, most relevant first.
  const queues = Array.from({ length: groupCount }, () => [] as number[]);
  for (let at = 0; at < picked.length; at++) queues[groupOf(picked[at]!)]!.push(at);
  const placed = new Array<number>(groupCount).fill(0);
  const out: number[] = [];
  for (let t = 0; t < picked.length; t++) {
    let owed = -1;
    let owedBy = 1 - 1e-9;
    let first = -1;
    for (let g = 0; g < groupCount; g++) {
      const queue = queues[g]!;
      if (placed[g]! >= queue.length) continue;
      const behind = ((t + 1) * queue.length) / picked.length - placed[g]!;
      if (spread(g) && behind > owedBy) {
        owed = g;
        owedBy = behind;
      }
      if (first < 0 || queue[placed[g]!]! < queues[first]![placed[first]!]!) first = g;
    }
    const g = owed >= 0 ? owed : first;
    out.push(picked[queues[g]![placed[g]!]!]!);
    placed[g]!++;
  }
  return out;
}

/**
 * The λ of a page of `n` once the user has declared an interest: a page's KL weighs as
 * {@link CALIBRATION_LAMBDA} weighs one pick's. The rerank trades a sum of relevance, which grows
 * with the page, against one KL, which does not, so the plain λ left a declaration about one item of
 * 20. Only then: for every feed it cost the simulator's adaptation (0.655 to 0.50 of shifted users)
 * and reward (0.671 to 0.645 in the last quarter), since a new interest is not yet a facet.
 */
function declaredLambda(n: number): number {
  return (CALIBRATION_LAMBDA * n) / (CALIBRATION_LAMBDA * n + 1 - CALIBRATION_LAMBDA);
}

/** The first declared interest whose tag candidate `c`'s item carries, or -1. */
function declaredOf(state: OnlineState, c: Candidate, declared: readonly { tag: string }[]): number {
  const tags = state.records[c.item]?.tags;
  if (tags === undefined || tags.length === 0) return -1;
  return declared.findIndex((x) => tags.includes(x.tag));
}

/**
 * Orders the candidates so the list's mix of facets matches the user's (Steck 2018): each
 * candidate joins a declared interest whose tag it carries, else its nearest facet, else "other"; scores are normalised
 * within each group so a minor facet is not drowned by the dominant one, then mapped to relevance
 * as in `setlist eval`; then the calibrated re-rank of core, one page of n at a time.
 */
function calibrate(
  state: OnlineState,
  facetIndex: FacetIndex,
  ranked: Candidate[],
  facets: readonly UserFacet[],
  declared: readonly { tag: string; weight: number }[],
  n: number,
): number[] {
  if (facets.length === 0 && declared.length === 0) return ranked.map((c) => c.item);
  const groupCount = facets.length + declared.length + 1;
  const other = groupCount - 1;
  // Only the head of the ranking can reach the feed: the rest keeps its order after the calibrated part.
  // Items of a declared interest join it wherever they rank, so that its share can be filled.
  const headSize = Math.max(CALIBRATE_MIN, CALIBRATE_PER_SLOT * n);
  const head = ranked.slice(0, headSize);
  if (declared.length > 0) {
    for (let k = headSize; k < ranked.length; k++)
      if (declaredOf(state, ranked[k]!, declared) >= 0) head.push(ranked[k]!);
  }
  for (const c of head) {
    // What the user said outranks what the engine inferred: an item of a declared tag is in its group.
    const d = declared.length > 0 ? declaredOf(state, c, declared) : -1;
    if (d >= 0) {
      c.group = facets.length + d;
      c.tag = declared[d]!.tag;
      continue;
    }
    const nearest = facetIndex.nearestFacet(c.item, facets, FACET_MIN_SIMILARITY);
    c.group = nearest < 0 ? other : nearest;
  }
  // The target mix: facets by weight, declared interests next to them, and a little room for the rest.
  const p = new Array<number>(groupCount).fill(0);
  const otherShare = 0.1;
  const declaredTotal = declared.reduce((s, d) => s + d.weight, 0);
  const declaredShare = facets.length === 0 ? 1 - otherShare : Math.min(0.5, declaredTotal * 0.3);
  facets.forEach((f, k) => {
    p[k] = f.weight * (1 - otherShare - (declared.length > 0 ? declaredShare : 0));
  });
  declared.forEach((d, k) => {
    p[facets.length + k] = (declaredShare * d.weight) / declaredTotal;
  });
  p[other] = otherShare;
  const pool: Candidate[] = [];
  const perGroup = new Array<number>(groupCount).fill(0);
  const maxInGroup = new Array<number>(groupCount).fill(0);
  for (const c of head) {
    const g = c.group!;
    if (perGroup[g]! >= 3 * n) continue;
    perGroup[g]!++;
    maxInGroup[g] = Math.max(maxInGroup[g]!, c.score);
    pool.push(c);
  }
  // Facets compete on their own scale; "other" stays on the global one, so it never leads by default.
  const globalMax = Math.max(...maxInGroup);
  maxInGroup[other] = globalMax;
  const order: number[] = [];
  const inOrder = new Set<number>();
  const groupLists = Array.from({ length: groupCount }, (_, g) => [g]);
  // Two pages of n, each calibrated on its own: a page is a set, its groups spread through it.
  for (let page = 0; page < 2; page++) {
    const rest = pool.filter((c) => !inOrder.has(c.item));
    const picked = calibratedRerank({
      p,
      relevance: softmaxRelevance(
        rest.map((c) => c.score / (maxInGroup[c.group!]! || 1)),
        CALIBRATION_TEMPERATURE,
      ),
      groups: rest.map((c) => groupLists[c.group!]!),
      k: Math.min(rest.length, n),
      lambda: declared.length > 0 ? declaredLambda(n) : CALIBRATION_LAMBDA,
    });
    const isDeclared = (g: number): boolean => g >= facets.length && g < other;
    for (const k of spreadGroups(picked, (k) => rest[k]!.group!, groupCount, isDeclared)) {
      order.push(rest[k]!.item);
      inOrder.add(rest[k]!.item);
    }
  }
  for (const c of ranked) if (!inOrder.has(c.item)) order.push(c.item);
  return order;
}

/** Items carrying any of the tags, most popular first. */
function byTagPopularity(
  state: OnlineState,
  tags: readonly string[],
  limit: number,
  skip: (i: number) => boolean,
): Int32Array {
  const pooled = state.popularInTags(tags, limit, skip);
  if (pooled !== undefined) return pooled;
  const holders: number[] = [];
  for (const tag of tags) for (const i of state.itemsByTag.get(tag) ?? []) holders.push(i);
  const unique = [...new Set(holders)].filter((i) => !skip(i));
  return topK(
    Float64Array.from(unique, (i) => state.popularity.get(i) + (1e-9 * state.createdAt.get(i)) / 1e12),
    limit,
  ).map((k) => unique[k]!);
}

/**
 * Visits the `limit` items carrying any of the tags with the best posterior success rate (outcomes so
 * far, with a prior at their category's and creator's mean), best first, so a facet offers what engaged
 * its audience, not just the loudest. The best of the union is among the best of each tag.
 */
function byTagQuality(
  tags: readonly string[],
  limit: number,
  bestOfTag: (tag: string, limit: number, visit: (item: number, quality: number) => void) => void,
  visit: (item: number, quality: number) => void,
): void {
  // The union in order of first visit, each item's quality from its first tag (no Map per facet).
  unionPlaces.begin();
  const union: number[] = [];
  const qualities: number[] = [];
  for (const tag of tags) {
    bestOfTag(tag, limit, (i, q) => {
      if (unionPlaces.get(i, -1) >= 0) return;
      unionPlaces.set(i, union.length);
      union.push(i);
      qualities.push(q);
    });
  }
  const qualityOf = (i: number): number => qualities[unionPlaces.get(i, 0)]!;
  for (const i of topKOf(union, limit, qualityOf)) visit(i, qualityOf(i));
}

/** What feeds keep between requests: per-user model candidates and per-tag rankings. */
export interface FeedCaches {
  model: ModelCandidateCache;
  tags: TagRanking;
}

/**
 * The caches one engine's feeds share.
 *
 * @example
 * const caches = createFeedCaches();
 * buildFeed(state, config, facetIndex, 'u1', 20, Date.now(), serving, random, caches);
 */
export function createFeedCaches(): FeedCaches {
  return { model: new ModelCandidateCache(), tags: new TagRanking() };
}

/** Ranks tags for each feed afresh (keeps none). */
const UNCACHED_TAGS = new TagRanking(0);

/** Each candidate's place in the feed's list of candidates. */
const candidateSlots = new PerFeedItems();
/** Candidate records reused by every feed (slot k of a feed is always the k-th): none outlives its feed. */
const candidatePool: Candidate[] = [];
const excludedMemo = new PerFeedItems();
const qualityMemo = new PerFeedItems();
/** Each item's place in the union of one facet's tags, while {@link byTagQuality} runs. */
const unionPlaces = new PerFeedItems();

/** The last link of the fallback chain: unseen servable items, most popular first, then newest. */
/** A seen item at or below this weight was turned down (a skip, not interested, a report): never shown again. */
const REWATCH_MIN_WEIGHT = DEFAULT_EVENT_WEIGHTS.skip;

/**
 * Up to `limit` of the items `user` has seen that may be shown again once nothing unseen is left:
 * not turned down (weight above {@link REWATCH_MIN_WEIGHT}) nor `skip`ped, the most liked first, then
 * the longest since last seen.
 */
function seenAgain(user: UserState, skip: (i: number) => boolean, limit: number): number[] {
  const items = user.items;
  const entries: { item: number; weight: number; lastAt: number }[] = [];
  for (let e = 0; e < items.size; e++) {
    const weight = items.weight(e);
    if (weight <= REWATCH_MIN_WEIGHT) continue;
    const item = items.item(e);
    if (!skip(item)) entries.push({ item, weight, lastAt: items.lastAt(e) });
  }
  entries.sort((a, b) => b.weight - a.weight || a.lastAt - b.lastAt || a.item - b.item);
  return entries.slice(0, limit).map((e) => e.item);
}

function catalogueOrder(state: OnlineState, limit: number, skip: (i: number) => boolean): number[] {
  const count = state.itemCount;
  const out = [...state.topPopular(limit, skip)];
  if (out.length >= limit) return out;
  const taken = new Set(out);
  const newest = topK(
    state.createdAt.data.subarray(0, count),
    limit - out.length,
    (i) => taken.has(i) || skip(i),
  );
  out.push(...newest);
  return out;
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/**
 * The history a feed folds into the serving model: each item the user engaged with positively, its
 * weight decayed by the time since the last engagement (half-life `halfLifeMs`).
 *
 * @example
 * const vector = serving.userVectorOf(modelHistory(user, Date.now(), config.signalHalfLifeMs));
 */
export function modelHistory(
  user: UserState,
  nowMs: number,
  halfLifeMs: number,
): { item: number; weight: number }[] {
  const history: { item: number; weight: number }[] = [];
  for (const [item, weight] of user.weights) {
    if (weight > 0)
      history.push({ item, weight: weight * decay(nowMs - (user.lastAt.get(item) ?? nowMs), halfLifeMs) });
  }
  return history;
}
