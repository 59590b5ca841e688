import { diversify } from '../core/diversify.js';
import { decay } from '../core/event-weight.js';
import { capShare } from '../core/exploration.js';
import type { Random } from '../core/random.js';
import { topK } from '../core/top-k.js';
import type { EngineConfig } from './config.js';
import { type ExplorationPick, planExploration } from './exploration.js';
import type { OnlineState } from './online-state.js';
import { buildReason, type Reason, type ReasonSource } from './reasons.js';
import { interestMatch, offerTagAffinity, type TagAffinity, userTagAffinity } from './tag-affinity.js';

export interface FeedItem {
  itemId: string;
  score: number;
  reason: Reason;
}

interface Candidate {
  item: number;
  score: number;
  source: ReasonSource;
  /** Source-specific strength before blending, for choosing the reason. */
  parts: Map<ReasonSource, number>;
  because: number[];
  tag?: string;
}

/** How much each source's normalised score counts in the blend. */
const SOURCE_WEIGHT: Record<ReasonSource, number> = {
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

/** A user who marked this many of a creator's items not_interested sees no more of that creator. */
const CREATOR_BLOCK_STRIKES = 2;
/** One strike scales the creator's items down by this factor. */
const CREATOR_STRIKE_PENALTY = 0.25;
const POPULAR_CANDIDATES = 300;
const FRESH_CANDIDATES = 200;
const SEED_ITEMS = 30;
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
 */
export function buildFeed(
  state: OnlineState,
  config: EngineConfig,
  userId: string,
  n: number,
  nowMs: number,
  random?: Random,
): FeedItem[] {
  const u = state.users.get(userId);
  const user = u >= 0 ? state.userStates[u] : undefined;
  const excluded = (i: number): boolean => {
    if (!state.isServable(i)) return true;
    if (user === undefined) return false;
    if (user.seen.has(i)) return true;
    const c = state.creatorOf.get(i);
    return c >= 0 && (user.creatorStrikes.get(c) ?? 0) >= CREATOR_BLOCK_STRIKES;
  };

  const candidates = new Map<number, Candidate>();
  const offer = (
    item: number,
    source: ReasonSource,
    strength: number,
    because?: number,
    tag?: string,
  ): void => {
    if (excluded(item) || !(strength > 0)) return;
    let c = candidates.get(item);
    if (c === undefined) {
      c = { item, score: 0, source, parts: new Map(), because: [] };
      candidates.set(item, c);
    }
    if (tag !== undefined && c.tag === undefined) c.tag = tag;
    c.parts.set(source, (c.parts.get(source) ?? 0) + strength);
    if (because !== undefined && !c.because.includes(because)) c.because.push(because);
  };

  let affinity: TagAffinity | undefined;
  if (user !== undefined) {
    const seeds = user.recent.slice(-SEED_ITEMS);
    for (const h of seeds) {
      const w =
        (user.weights.get(h) ?? 0) * decay(nowMs - (user.lastAt.get(h) ?? nowMs), config.signalHalfLifeMs);
      if (w <= 0) continue;
      state.cooccurrence.forEachNeighbour(h, (j, sim) => offer(j, 'co-occurrence', w * sim, h));
    }
    for (const creator of user.followed) {
      for (const j of state.itemsByCreator.get(creator) ?? []) {
        const age = nowMs - state.createdAt.get(j);
        offer(j, 'follow', decay(age, config.freshWindowMs));
      }
    }
    affinity = userTagAffinity(state, config, user, nowMs);
    offerTagAffinity(state, config, affinity, excluded, (j, w, h, tag) =>
      offer(j, 'similar-tags', w, h, tag),
    );
  }

  const popular = topK(state.popularity.data.subarray(0, state.itemCount), POPULAR_CANDIDATES, excluded);
  for (const j of popular) offer(j, 'popular', state.popularity.get(j));

  const fresh = topK(state.createdAt.data.subarray(0, state.itemCount), FRESH_CANDIDATES, (i) => {
    return excluded(i) || nowMs - state.createdAt.get(i) > config.freshWindowMs;
  });
  for (const j of fresh) {
    // Fresh items with little exposure get the most help.
    const exposure = 1 / (1 + state.impressions.get(j) / 50);
    offer(j, 'fresh', decay(nowMs - state.createdAt.get(j), config.freshWindowMs / 4) * exposure);
  }

  const ranked = blend(
    candidates,
    user === undefined ? undefined : (c) => user.creatorStrikes.get(c) ?? 0,
    state,
    affinity === undefined ? undefined : (i) => interestMatch(state, affinity, i),
  );
  const byItem = new Map(ranked.map((c) => [c.item, c]));
  const popularOnly = (i: number): boolean => byItem.get(i)?.source === 'popular';
  const order = ranked.some((c) => PERSONAL_SOURCES.has(c.source))
    ? capShare(
        ranked.map((c) => c.item),
        popularOnly,
        n,
        Math.floor(n * config.maxPopularShare),
      )
    : ranked.map((c) => c.item);
  const explored =
    random === undefined
      ? new Map<number, ExplorationPick>()
      : planExploration(state, config, u, user, order, n, nowMs, random, excluded);
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
  const feed: FeedItem[] = picked.map((i) => {
    const pick = explored.get(i);
    if (pick !== undefined) return toExploredItem(state, config, i, pick, nowMs);
    return fallback.has(i)
      ? {
          itemId: state.items.id(i),
          score: 0,
          reason: buildReason({ source: 'fallback', record: state.records[i] }),
        }
      : toFeedItem(state, byItem.get(i)!);
  });
  state.exploration.recordServed(
    u,
    picked.filter((i) => explored.has(i)),
    nowMs,
  );
  return feed;
}

function blend(
  candidates: Map<number, Candidate>,
  strikesOf: ((creator: number) => number) | undefined,
  state: OnlineState,
  interestOf?: (item: number) => number,
): Candidate[] {
  const maxBySource = new Map<ReasonSource, number>();
  for (const c of candidates.values()) {
    for (const [source, v] of c.parts) maxBySource.set(source, Math.max(maxBySource.get(source) ?? 0, v));
  }
  const list = [...candidates.values()];
  for (const c of list) {
    let total = 0;
    let best = -1;
    for (const [source, v] of c.parts) {
      const contribution = (SOURCE_WEIGHT[source] * v) / (maxBySource.get(source) ?? 1);
      total += contribution;
      if (contribution > best) {
        best = contribution;
        c.source = source;
      }
    }
    const creator = state.creatorOf.get(c.item);
    if (strikesOf !== undefined && creator >= 0 && strikesOf(creator) > 0) total *= CREATOR_STRIKE_PENALTY;
    if (interestOf !== undefined) total *= 1 + INTEREST_BOOST * interestOf(c.item);
    c.score = total;
  }
  list.sort((a, b) => b.score - a.score || a.item - b.item);
  return list;
}

function toFeedItem(state: OnlineState, c: Candidate): FeedItem {
  const because =
    c.source === 'co-occurrence' || c.source === 'model' || c.source === 'similar-tags'
      ? c.because.slice(0, 3).map((h) => ({ id: state.items.id(h), record: state.records[h] }))
      : undefined;
  return {
    itemId: state.items.id(c.item),
    score: round(c.score),
    reason: buildReason({
      source: c.source,
      record: state.records[c.item],
      ...(because === undefined ? {} : { because }),
      ...(c.source === 'similar-tags' && c.tag !== undefined ? { tag: c.tag } : {}),
    }),
  };
}

function toExploredItem(
  state: OnlineState,
  config: EngineConfig,
  i: number,
  pick: ExplorationPick,
  nowMs: number,
): FeedItem {
  const record = state.records[i];
  const because = pick.because === undefined ? undefined : [pick.because];
  let source: ReasonSource = 'fallback';
  if (because !== undefined) source = 'similar-tags';
  else if (nowMs - state.createdAt.get(i) <= config.freshWindowMs) source = 'fresh';
  return {
    itemId: state.items.id(i),
    score: round(pick.sample),
    reason: buildReason({
      source,
      record,
      exploration: true,
      ...(pick.tag === undefined ? {} : { tag: pick.tag }),
      ...(because === undefined
        ? {}
        : { because: because.map((h) => ({ id: state.items.id(h), record: state.records[h] })) }),
    }),
  };
}

/** The last link of the fallback chain: unseen servable items, most popular first, then newest. */
function catalogueOrder(state: OnlineState, limit: number, skip: (i: number) => boolean): number[] {
  const count = state.itemCount;
  const popular = topK(
    state.popularity.data.subarray(0, count),
    limit,
    (i) => skip(i) || state.popularity.get(i) <= 0,
  );
  const out = [...popular];
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
